"""The downloading sensor's ``torrents`` attribute: what the card's downloads view shows."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.pandora_box.upstreams.qbittorrent.sensor import (
    LISTED_DOWNLOADS,
    PandoraQBittorrentSensor,
)
from simulators.qbittorrent import QBittorrentSimulator

from ...helpers import mock_entry, setup_integration

TORRENT_FIELDS = {
    "hash", "name", "state", "progress", "size", "download_speed", "upload_speed",
    "eta", "category", "save_path", "added_on", "completed_on",
}  # fmt: skip
"""A torrent as MISSION.md (and ``get_torrents``) define it."""


async def test_downloading_sensor_lists_the_downloads(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """Exactly the torrents counted as downloading, newest first, with progress, speed and ETA."""
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    sensors = {
        e.translation_key: e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    state = hass.states.get(sensors["downloading_torrents"])
    assert state is not None
    torrents = state.attributes["torrents"]

    assert len(torrents) == int(state.state) == 2
    downloading = {
        h for h, f in qbittorrent_sim.torrents.items() if f["state"] in {"downloading", "stalledDL"}
    }
    assert {t["hash"] for t in torrents} == downloading
    assert all(set(t) == TORRENT_FIELDS for t in torrents)
    assert [t["added_on"] for t in torrents] == sorted(
        (t["added_on"] for t in torrents), reverse=True
    )
    for torrent in torrents:
        fields = qbittorrent_sim.torrents[torrent["hash"]]
        assert torrent["progress"] == round(fields["progress"] * 100, 1)
        assert torrent["download_speed"] == fields["dlspeed"]
        assert torrent["eta"] == fields["eta"]
    # the other sensors carry no list, and no list goes to the recorder
    seeding = hass.states.get(sensors["seeding_torrents"])
    assert seeding is not None
    assert "torrents" not in seeding.attributes
    assert "torrents" in PandoraQBittorrentSensor._unrecorded_attributes


async def test_downloads_list_is_bounded(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """A large queue lists only the newest ``LISTED_DOWNLOADS``: attributes stay small."""
    qbittorrent_sim.add_fleet(LISTED_DOWNLOADS * 4, downloading_share=1.0, paused_share=0.0)
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    sensor = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.translation_key == "downloading_torrents"
    )
    state = hass.states.get(sensor)
    assert state is not None
    assert int(state.state) > LISTED_DOWNLOADS
    assert len(state.attributes["torrents"]) == LISTED_DOWNLOADS
