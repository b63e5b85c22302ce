"""The Pandora Box card: its JavaScript served by Home Assistant, a Lovelace resource, posters.

Once per Home Assistant start (``async_setup``) the integration

* serves ``pandora-box-card.js`` (next to this file) at :data:`CARD_URL`
  (``hass.http.async_register_static_paths``, as core's frontend serves its
  own files);
* in Lovelace's storage mode adds ``CARD_URL?v=<hash>`` to the dashboard
  resources, or points the resource it added before at the new hash, so a
  browser loads the new card after an update; nothing else in the list is
  touched.  In YAML mode the user lists the resource (README);
* registers the poster view (``images.py``) that the card's ``<img>`` tags
  load through.

HTTP is a dependency of the integration; Lovelace an after-dependency
(without it, as in a bare test instance, no resource is listed).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Final

from homeassistant.components.http import StaticPathConfig
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.components.lovelace.resources import ResourceStorageCollection
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from ..const import DOMAIN
from .images import PandoraImageView

_LOGGER = logging.getLogger(__name__)

CARD_FILE: Final = Path(__file__).parent / "pandora-box-card.js"
CARD_URL: Final = f"/{DOMAIN}/frontend/pandora-box-card.js"
"""Where the card's module is served (without its ``?v=`` version)."""
RESOURCE_TYPE: Final = "module"
_REGISTERED: HassKey[str] = HassKey(f"{DOMAIN}_frontend")
"""The versioned resource URL, once this start registered the card."""


def card_version(content: bytes) -> str:
    """The ``?v=`` of the resource URL: the first 12 hex digits of the file's SHA-256."""
    return hashlib.sha256(content).hexdigest()[:12]


async def async_setup_frontend(hass: HomeAssistant) -> None:
    """Serve the card and the poster view, and list the card in Lovelace's resources."""
    if _REGISTERED in hass.data:
        return
    content = await hass.async_add_executor_job(CARD_FILE.read_bytes)
    url = f"{CARD_URL}?v={card_version(content)}"
    hass.data[_REGISTERED] = url
    hass.http.register_view(PandoraImageView())
    await hass.http.async_register_static_paths(
        # cached for long: the ?v= changes with every new file
        [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)]
    )
    await async_register_resource(hass, url)


async def async_register_resource(hass: HomeAssistant, url: str) -> None:
    """Add ``url`` to the storage-mode resources, or update the ones of :data:`CARD_URL`."""
    lovelace = hass.data.get(LOVELACE_DATA)
    if lovelace is None or not isinstance(lovelace.resources, ResourceStorageCollection):
        _LOGGER.debug("Lovelace resources are not in storage mode; see the README for %s", url)
        return
    resources = lovelace.resources
    if not resources.loaded:
        await resources.async_load()
        resources.loaded = True
    ours = [item for item in resources.async_items() if URL(item["url"]).path == CARD_URL]
    for item in ours:
        if item["url"] != url:
            await resources.async_update_item(item["id"], {"url": url})
            _LOGGER.debug("Lovelace resource %s now %s", item["url"], url)
    if not ours:
        await resources.async_create_item({"res_type": RESOURCE_TYPE, "url": url})
        _LOGGER.debug("Lovelace resource %s added", url)
