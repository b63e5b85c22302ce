"""One mapping of client errors for actions and entity commands.

Coordinators map errors for polling (``coordinator.py``); everything a user
or an automation triggers goes through ``upstream_errors`` instead, so a
failed command reads the same everywhere: a translated
``HomeAssistantError`` naming the entry and what the upstream said.  Refused
credentials also start the entry's reauth flow, so the user is asked to sign
in again rather than seeing the same error forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .const import DOMAIN
from .coordinator import PandoraConfigEntry


@asynccontextmanager
async def upstream_errors(hass: HomeAssistant, entry: PandoraConfigEntry) -> AsyncIterator[None]:
    """Turn client errors raised inside the block into translated Home Assistant errors.

    Callers that want to say something more specific (a missing file, a
    torrent already present) catch those errors inside the block first.
    """
    placeholders = {"title": entry.title}
    try:
        yield
    except InvalidAuthError as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="invalid_auth",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
    except CannotConnectError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
    except ResponseError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="upstream_error",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
