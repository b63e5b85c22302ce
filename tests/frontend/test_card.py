"""The card's resource: served by Home Assistant, listed in Lovelace's storage-mode resources.

Each test starts Home Assistant's HTTP server and Lovelace (storage mode
unless said otherwise) before the integration, as a real start does
(``after_dependencies``), then sets the integration up and looks at what
Lovelace lists and what the HTTP server serves.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.frontend import CARD_FILE, CARD_URL, card_version
from simulators import TMDBSimulator

from ..helpers import mock_entry, setup_integration

VERSIONED = f"{CARD_URL}?v={card_version(CARD_FILE.read_bytes())}"
USER_RESOURCE = {"id": "user1", "type": "module", "url": "/local/someone-elses-card.js"}


def _resources(hass: HomeAssistant) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = hass.data[LOVELACE_DATA].resources.async_items()
    return items


def _stored(*items: dict[str, Any]) -> dict[str, Any]:
    """Lovelace's resources store (``lovelace_resources``) holding ``items``."""
    return {"version": 1, "key": "lovelace_resources", "data": {"items": list(items)}}


async def _start(hass: HomeAssistant, lovelace: dict[str, Any] | None = None) -> None:
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {"lovelace": lovelace or {}})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()


async def test_card_is_served_and_added_to_the_resources(
    hass: HomeAssistant, hass_storage: dict[str, Any], hass_client: ClientSessionGenerator
) -> None:
    """A first start adds the versioned module next to the user's own resources."""
    hass_storage["lovelace_resources"] = _stored(USER_RESOURCE)
    await _start(hass)

    assert _resources(hass) == [
        USER_RESOURCE,
        {"id": _resources(hass)[1]["id"], "type": "module", "url": VERSIONED},
    ]
    client = await hass_client()
    resp = await client.get(VERSIONED)
    assert resp.status == 200
    assert 'customElements.define("pandora-box-card"' in await resp.text()
    assert "max-age" in resp.headers.get("Cache-Control", "")


async def test_an_update_changes_only_our_resource(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The resource of an older card gets the new ?v=; nothing is added, nothing removed."""
    old = {"id": "ours", "type": "module", "url": f"{CARD_URL}?v=0123456789ab"}
    hass_storage["lovelace_resources"] = _stored(USER_RESOURCE, old)
    await _start(hass)

    assert _resources(hass) == [USER_RESOURCE, {**old, "url": VERSIONED}]


async def test_a_current_resource_is_left_alone(
    hass: HomeAssistant, hass_storage: dict[str, Any], tmdb_sim: TMDBSimulator
) -> None:
    """Started again with the same card (and an entry set up): the list stays as it is."""
    ours = {"id": "ours", "type": "module", "url": VERSIONED}
    hass_storage["lovelace_resources"] = _stored(ours, USER_RESOURCE)
    await _start(hass)
    await setup_integration(hass, mock_entry(tmdb_sim))

    assert _resources(hass) == [ours, USER_RESOURCE]


async def test_yaml_mode_resources_are_not_touched(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """With resources in YAML, the card is served but the list is the user's (README)."""
    await _start(
        hass, {"resource_mode": "yaml", "resources": [{"url": "/local/x.js", "type": "module"}]}
    )

    assert _resources(hass) == [{"url": "/local/x.js", "type": "module"}]
    client = await hass_client()
    assert (await client.get(VERSIONED)).status == 200


async def test_setup_without_lovelace(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Without Lovelace the integration still sets up and serves the card; nothing is listed."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert LOVELACE_DATA not in hass.data
    client = await hass_client()
    assert (await client.get(VERSIONED)).status == 200
