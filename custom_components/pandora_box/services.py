"""Actions (services) of Pandora Box.

Every action takes ``config_entry_id``; it may be left out when exactly one
loaded entry of the action's upstream kind exists.  ``async_get_entry`` is
the one resolver: unknown, unloaded and wrong-kind entries are translated
``ServiceValidationError``s.  Upstream failures go through
``helpers.upstream_errors``.  Readers return ``SupportsResponse.ONLY`` data
under a named key; actions are registered once, in ``async_setup``: each
upstream's by its package (the registry's ``register_actions``), then
``download_media``.
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
import homeassistant.helpers.config_validation as cv
import probatio as vol

from .const import CONF_KIND, DOMAIN, Kind
from .coordinator import PandoraConfigEntry
from .helpers import loaded_entries
from .media.download import async_register_download_media
from .media.postprocess import async_setup_postprocess
from .upstreams import UPSTREAMS

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"

ENTRY_SCHEMA: Final = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
"""Base schema of every action; extend it with ``ENTRY_SCHEMA.extend({...})``."""


def async_get_entry(hass: HomeAssistant, call: ServiceCall, kind: Kind) -> PandoraConfigEntry:
    """Return the loaded entry of ``kind`` the call names (or the only one there is)."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    kind_name = kind.value
    if entry_id is None:
        loaded = loaded_entries(hass, kind)
        if len(loaded) == 1:
            only: PandoraConfigEntry = loaded[0]
            return only
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_entry_of_kind" if not loaded else "several_entries_of_kind",
            translation_placeholders={"kind": kind_name, "action": call.service},
        )
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.data.get(CONF_KIND) != kind_name:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_wrong_kind",
            translation_placeholders={
                "title": entry.title,
                "kind": kind_name,
                "action": call.service,
            },
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    found: PandoraConfigEntry = entry
    return found


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, from ``async_setup``).

    Each upstream registers its own (``upstreams/<kind>/actions.py``), with
    this module's entry schema and resolver.  ``download_media``
    (``media/download.py``) spans several upstreams; post-processing
    (``media/postprocess.py``) listens for completed torrents from here on,
    for every qBittorrent entry that maps categories to library folders.
    """
    for upstream in UPSTREAMS.values():
        if upstream.register_actions is not None:
            upstream.register_actions(hass, ENTRY_SCHEMA, async_get_entry)
    async_register_download_media(hass)
    async_setup_postprocess(hass)
