"""What the post-processing tests share: the torrent, its options, completing it, its issue."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.qbittorrent.tracker import EVENT_TORRENT_COMPLETED

NAME = "Big.Buck.Bunny.2008.1080p.BluRay.x264-GRP"
HASH = "a" * 40
OPTIONS = {"library_folders": {"movies": "/library/Movies"}}
REFRESH = "/Library/Refresh"


async def complete(hass: HomeAssistant, entry: MockConfigEntry, **overrides: Any) -> None:
    """Fire the completion event qBittorrent's coordinator fires, and wait for the work."""
    data = {
        "entry_id": entry.entry_id,
        "hash": HASH,
        "name": NAME,
        "category": "movies",
        "save_path": "/downloads/movies",
        "size": 1000,
        **overrides,
    }
    hass.bus.async_fire(EVENT_TORRENT_COMPLETED, data)
    await hass.async_block_till_done()


def issue_of(hass: HomeAssistant, entry: MockConfigEntry, torrent_hash: str = HASH) -> Any:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"postprocess_{entry.entry_id}_{torrent_hash}"
    )


async def retry_from_repair(hass: HomeAssistant, issue_id: str) -> dict[str, Any]:
    """Open the issue's fix flow and confirm it."""
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert flow["step_id"] == "confirm"
    result: dict[str, Any] = dict(await manager.async_configure(flow["flow_id"], {}))
    await hass.async_block_till_done()
    return result


def media_ready_data(entry: MockConfigEntry) -> dict[str, Any]:
    """The data of ``pandora_box_media_ready`` for the test torrent filed into /library/Movies."""
    return {
        "entry_id": entry.entry_id,
        "hash": HASH,
        "title": NAME,
        "category": "movies",
        "folder": "/library/Movies",
        "path": f"/library/Movies/{NAME}",
    }
