"""One mapping of client errors for actions and entity commands.

Coordinators map errors for polling (``coordinator.py``); everything a user
or an automation triggers goes through ``upstream_errors`` instead, so a
failed command reads the same everywhere: a translated
``HomeAssistantError`` naming the entry and what the upstream said.  Refused
credentials also start the entry's reauth flow, so the user is asked to sign
in again rather than seeing the same error forever; a refusal that means "not
allowed" (``PermissionDeniedError``) does not: its error names the missing
right instead.

Beside it, what the action modules share: ``invalid`` (a translated bad-input
error), ``loaded_entries`` (the loaded entries of one kind) and the
``EntryResolver`` type of ``services.async_get_entry``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api.errors import (
    AddressRefusedError,
    CannotConnectError,
    InvalidAuthError,
    PermissionDeniedError,
    ResponseError,
)
from .const import CONF_KIND, DOMAIN, Kind
from .coordinator import PandoraConfigEntry

type EntryResolver = Callable[[HomeAssistant, ServiceCall, Kind], PandoraConfigEntry]
"""``services.async_get_entry``, handed to the modules that register actions."""


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated validation error (bad input to an action)."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def loaded_entries(hass: HomeAssistant, kind: Kind) -> list[PandoraConfigEntry]:
    """The loaded entries of ``kind``."""
    return [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if entry.data.get(CONF_KIND) == kind.value
    ]


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
            translation_key="address_refused"
            if isinstance(err, AddressRefusedError)
            else "invalid_auth",
            translation_placeholders={**placeholders, "error": err.message},
        ) from err
    except PermissionDeniedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="permission_denied",
            translation_placeholders={**placeholders, "right": err.right, "error": err.message},
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
