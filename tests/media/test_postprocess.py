"""Post-processing of finished downloads against the simulators, failures included."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.logbook import describe_media_ready
from custom_components.pandora_box.upstreams.qbittorrent.coordinator import QBittorrentCoordinator
from custom_components.pandora_box.upstreams.qbittorrent.options import (
    LibraryOptions,
    parse_library_folders,
)
from simulators import CloudCmdSimulator, JellyfinSimulator, QBittorrentSimulator

from ..helpers import mock_entry, setup_integration
from .common import (
    HASH,
    NAME,
    OPTIONS,
    REFRESH,
    complete,
    issue_of,
    media_ready_data,
    retry_from_repair,
)


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_a_completed_download_is_filed_refreshed_and_announced(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """The real path: qBittorrent finishes, the coordinator fires, the file moves."""
    refreshes = jellyfin_sim.count(REFRESH)
    qbittorrent_sim.advance(3600)  # the download finishes
    coordinator = qbittorrent.runtime_data.coordinator
    assert isinstance(coordinator, QBittorrentCoordinator)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert (root / "library" / "Movies" / NAME / "movie.mkv").read_bytes() == b"x" * 1000
    assert not (root / "downloads" / "movies" / NAME).exists()
    assert jellyfin_sim.count(REFRESH) == refreshes + 1
    assert [e.data for e in ready] == [media_ready_data(qbittorrent)]
    assert issue_of(hass, qbittorrent) is None
    # qBittorrent seeds on from the library: pointed there, running, no recheck needed
    torrent = qbittorrent_sim.torrents[HASH]
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]
    assert torrent["save_path"] == "/library/Movies"
    assert torrent["content_path"] == f"/library/Movies/{NAME}"
    assert torrent["state"] in ("uploading", "stalledUP")
    assert torrent["progress"] == 1
    assert qbittorrent_sim.rechecks == []
    description = describe_media_ready(hass, ready[0])
    assert description[LOGBOOK_ENTRY_MESSAGE] == (
        f"filed {NAME} into the library at /library/Movies/{NAME}"
    )


@pytest.mark.usefixtures("cloudcmd")
async def test_path_mapping_and_no_jellyfin(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """qBittorrent's /data/downloads is CloudCmd's /downloads; no Jellyfin: no refresh."""
    hass.config_entries.async_update_entry(
        qbittorrent,
        options={
            **OPTIONS,
            "download_path": "/data/downloads",
            "cloudcmd_download_path": "/downloads",
        },
    )
    await complete(hass, qbittorrent, save_path="/data/downloads/movies")
    assert (root / "library" / "Movies" / NAME).is_dir()
    assert ready[0].data["path"] == f"/library/Movies/{NAME}"


@pytest.mark.usefixtures("cloudcmd")
async def test_relocation_uses_qbittorrents_names(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """qBittorrent's /data is CloudCmd's /: the library is /data/library/Movies to it."""
    hass.config_entries.async_update_entry(
        qbittorrent,
        options={**OPTIONS, "download_path": "/data", "cloudcmd_download_path": "/"},
    )
    qbittorrent_sim.update_torrent(HASH, save_path="/data/downloads/movies", progress=1)
    await complete(hass, qbittorrent, save_path="/data/downloads/movies")
    assert (root / "library" / "Movies" / NAME / "movie.mkv").exists()
    assert qbittorrent_sim.locations == [(HASH, "/data/library/Movies")]
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/data/library/Movies"
    assert ready[0].data["folder"] == "/library/Movies"  # the event keeps CloudCmd's names
    assert issue_of(hass, qbittorrent) is None


@pytest.mark.usefixtures("cloudcmd")
async def test_a_library_outside_the_mapping_is_not_relocated(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    ready: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Mapping /data/downloads ↔ /downloads says nothing about /library: skipped, no issue."""
    caplog.set_level(logging.DEBUG, logger="custom_components.pandora_box")
    hass.config_entries.async_update_entry(
        qbittorrent,
        options={
            **OPTIONS,
            "download_path": "/data/downloads",
            "cloudcmd_download_path": "/downloads",
        },
    )
    qbittorrent_sim.update_torrent(HASH, save_path="/data/downloads/movies")
    await complete(hass, qbittorrent, save_path="/data/downloads/movies")
    assert (root / "library" / "Movies" / NAME).is_dir()
    assert qbittorrent_sim.locations == []
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/data/downloads/movies"
    assert "/library/Movies has no name in qBittorrent" in caplog.text
    assert len(ready) == 1
    assert issue_of(hass, qbittorrent) is None


@pytest.mark.usefixtures("cloudcmd", "jellyfin", "root")
async def test_a_paused_torrent_is_rechecked_after_its_move_and_stays_paused(
    hass: HomeAssistant,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """Paused, it reads pausedDL at 0 after the move: rechecked only once the move is over.

    The move takes a while here; a recheck sent while ``moving`` would leave
    the simulator (like qBittorrent) checking for good.
    """
    qbittorrent_sim.update_torrent(HASH, state="pausedUP", progress=1)
    qbittorrent_sim.move_seconds = 0.3
    await complete(hass, qbittorrent)
    assert qbittorrent_sim.rechecks == [HASH]
    qbittorrent_sim.settle()
    torrent = qbittorrent_sim.torrents[HASH]
    assert (torrent["save_path"], torrent["state"], torrent["progress"]) == (
        "/library/Movies",
        "pausedUP",
        1,
    )
    assert len(ready) == 1
    assert issue_of(hass, qbittorrent) is None


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_a_torrent_gone_from_qbittorrent_or_kept_elsewhere_is_left_alone(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """Nothing to relocate is no failure; qBittorrent is never told to move other files."""
    qbittorrent_sim.update_torrent(HASH, save_path="/elsewhere")
    await complete(hass, qbittorrent)
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/elsewhere"
    other = root / "downloads" / "movies" / "Other.mkv"
    other.write_bytes(b"o")
    await complete(hass, qbittorrent, hash="d" * 40, name="Other.mkv")
    assert (root / "library" / "Movies" / "Other.mkv").read_bytes() == b"o"
    assert qbittorrent_sim.locations == []
    assert [e.data["title"] for e in ready] == [NAME, "Other.mkv"]
    assert issue_of(hass, qbittorrent) is None
    assert issue_of(hass, qbittorrent, "d" * 40) is None


@pytest.mark.parametrize(
    ("refuse", "status_text"),
    [("unwritable_paths", "cannot write"), ("uncreatable_paths", "cannot create")],
)
@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_relocation_failure_keeps_the_move_and_the_repair_finishes(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    cloudcmd_sim: CloudCmdSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
    refuse: str,
    status_text: str,
) -> None:
    """qBittorrent refuses the folder: an issue, the files stay in the library; retry relocates."""
    assert await async_setup_component(hass, "repairs", {})
    qbittorrent_sim.update_torrent(HASH, progress=1, state="stalledUP")
    getattr(qbittorrent_sim, refuse).add("/library")
    refreshes = jellyfin_sim.count(REFRESH, "POST")
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_qbittorrent_failed"
    assert issue.is_fixable
    placeholders = issue.translation_placeholders
    assert placeholders["name"] == NAME
    assert placeholders["destination"] == "/library/Movies"
    assert placeholders["location"] == "/library/Movies"
    assert status_text in placeholders["error"]
    # the move is kept, nothing lost; qBittorrent still points at the old folder
    assert (root / "library" / "Movies" / NAME / "movie.mkv").read_bytes() == b"x" * 1000
    assert not (root / "downloads" / "movies" / NAME).exists()
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/downloads/movies"
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes
    assert ready == []

    getattr(qbittorrent_sim, refuse).clear()
    moves = cloudcmd_sim.count("/api/v1/", "PUT")
    result = await retry_from_repair(hass, issue.issue_id)
    assert result["type"] == "create_entry"
    assert issue_of(hass, qbittorrent) is None
    assert cloudcmd_sim.count("/api/v1/", "PUT") == moves  # nothing moved twice
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/library/Movies"
    assert qbittorrent_sim.torrents[HASH]["state"] == "stalledUP"
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + 1
    assert [e.data["path"] for e in ready] == [f"/library/Movies/{NAME}"]


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_qbittorrent_down_then_a_completion_retries_only_the_relocation(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """A failed relocation is retried with the next completion of the same entry."""
    qbittorrent_sim.update_torrent(HASH, progress=1, state="stalledUP")
    qbittorrent_sim.set_fault("down")
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_qbittorrent_failed"
    assert (root / "library" / "Movies" / NAME).is_dir()
    qbittorrent_sim.clear_fault()
    (root / "downloads" / "movies" / "Other.mkv").write_bytes(b"o")
    await complete(hass, qbittorrent, hash="e" * 40, name="Other.mkv")
    assert issue_of(hass, qbittorrent) is None
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/library/Movies"
    assert {e.data["title"] for e in ready} == {NAME, "Other.mkv"}


@pytest.mark.usefixtures("cloudcmd", "jellyfin", "root")
async def test_a_repeated_completion_of_a_filed_torrent_does_nothing(
    hass: HomeAssistant,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """Filed, relocated, no issue: a second report refreshes and announces nothing."""
    qbittorrent_sim.update_torrent(HASH, progress=1, state="stalledUP")
    await complete(hass, qbittorrent)
    assert len(ready) == 1
    refreshes = jellyfin_sim.count(REFRESH, "POST")
    await complete(hass, qbittorrent, save_path="/library/Movies")
    await complete(hass, qbittorrent)
    assert len(ready) == 1
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]
    assert issue_of(hass, qbittorrent) is None


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_an_unmapped_category_is_left_alone(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    requests = len(cloudcmd_sim.requests)
    await complete(hass, qbittorrent, category="tv")
    assert (root / "downloads" / "movies" / NAME).is_dir()
    assert ready == []
    assert issue_of(hass, qbittorrent) is None
    assert len(cloudcmd_sim.requests) == requests


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_cloudcmd_down_raises_an_issue_and_the_repair_retries(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    cloudcmd_sim.set_fault("down")
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_cloudcmd_failed"
    assert issue.is_fixable
    assert issue.translation_placeholders["name"] == NAME
    assert issue.translation_placeholders["source"] == "/downloads/movies"
    assert (root / "downloads" / "movies" / NAME / "movie.mkv").exists()  # left in place
    assert ready == []

    cloudcmd_sim.clear_fault()
    result = await retry_from_repair(hass, issue.issue_id)
    assert result["type"] == "create_entry"
    assert issue_of(hass, qbittorrent) is None
    assert (root / "library" / "Movies" / NAME / "movie.mkv").exists()
    assert len(ready) == 1


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_missing_source_is_retried_on_the_next_completion(
    hass: HomeAssistant,
    cloudcmd_sim: CloudCmdSimulator,
    qbittorrent: MockConfigEntry,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """No file where qBittorrent says: an issue; the next completion retries it."""
    await complete(hass, qbittorrent)  # no ``root`` fixture: nothing on disk
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_source_missing"
    assert issue.data["hash"] == HASH

    folder: Path = cloudcmd_sim.root
    (folder / "downloads" / "movies" / NAME).mkdir(parents=True)
    (folder / "downloads" / "movies" / "Other.mkv").write_bytes(b"y")
    await complete(hass, qbittorrent, hash="b" * 40, name="Other.mkv")
    assert issue_of(hass, qbittorrent) is None
    assert {e.data["title"] for e in ready} == {NAME, "Other.mkv"}
    assert (folder / "library" / "Movies" / NAME).is_dir()
    assert (folder / "library" / "Movies" / "Other.mkv").read_bytes() == b"y"


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_jellyfin_down_keeps_the_move_and_retries_only_the_refresh(
    hass: HomeAssistant,
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    jellyfin_sim.set_fault("status", status=500, path=REFRESH)
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_jellyfin_failed"
    assert issue.translation_placeholders["title"] == "jellyfin test"
    assert (root / "library" / "Movies" / NAME).is_dir()
    assert ready == []

    # still down: the form comes back with an error, the issue stays
    result = await retry_from_repair(hass, issue.issue_id)
    assert result["type"] == "form"
    assert result["errors"] == {"base": "retry_failed"}
    assert issue_of(hass, qbittorrent) is not None

    jellyfin_sim.clear_fault()
    refreshes = jellyfin_sim.count(REFRESH, "POST")
    result = await retry_from_repair(hass, issue.issue_id)
    assert result["type"] == "create_entry"
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + 1
    assert (root / "library" / "Movies" / NAME / "movie.mkv").exists()
    assert [e.data["path"] for e in ready] == [f"/library/Movies/{NAME}"]
    # the torrent was relocated once, by the first attempt: the retries only refreshed
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_nothing_is_overwritten(
    hass: HomeAssistant, root: Path, qbittorrent: MockConfigEntry
) -> None:
    existing = root / "library" / "Movies" / NAME
    existing.mkdir(parents=True)
    (existing / "old.mkv").write_bytes(b"old")
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_destination_exists"
    assert (existing / "old.mkv").read_bytes() == b"old"
    assert not (existing / "movie.mkv").exists()
    assert (root / "downloads" / "movies" / NAME / "movie.mkv").exists()


@pytest.mark.usefixtures("root")
async def test_no_cloudcmd_and_refused_paths(
    hass: HomeAssistant, qbittorrent: MockConfigEntry, cloudcmd_sim: CloudCmdSimulator
) -> None:
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_no_cloudcmd"
    await setup_integration(hass, mock_entry(cloudcmd_sim))
    await complete(hass, qbittorrent, hash="c" * 40, name="../escape")
    assert issue_of(hass, qbittorrent) is None  # the pending one was retried and filed
    issue = issue_of(hass, qbittorrent, "c" * 40)
    assert issue is not None
    assert issue.translation_key == "postprocess_path_refused"
    assert issue.translation_placeholders["path"] == "../escape"


async def test_options_flow_stores_the_library_options(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    entry = mock_entry(qbittorrent_sim)
    await setup_integration(hass, entry)
    base = {"torrent_entities": False, "torrent_count": 10}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, "library_folders": "movies /library"}
    )
    assert result["errors"] == {"library_folders": "invalid_library_folders"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, "download_path": "/data/../etc"}
    )
    assert result["errors"] == {"download_path": "invalid_folder"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, "download_path": "/data"}
    )
    assert result["errors"] == {"cloudcmd_download_path": "path_mapping_incomplete"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **base,
            "movie_category": " films ",
            "library_folders": "films=/library/Movies\n\ntv: /library/Shows/",
            "download_path": "/data/",
            "cloudcmd_download_path": "downloads",
        },
    )
    assert result["type"] == "create_entry"
    assert entry.options == {
        **base,
        "movie_category": "films",
        "library_folders": {"films": "/library/Movies", "tv": "/library/Shows/"},
        "download_path": "/data",
        "cloudcmd_download_path": "/downloads",
    }
    # the form shows them again as lines
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["data_schema"] is not None
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["library_folders"] == "films=/library/Movies\ntv=/library/Shows/"


def test_library_options_parse() -> None:
    assert parse_library_folders("a=/x\nb:/y") == {"a": "/x", "b": "/y"}
    for bad in ("=/x", "a=", "a=/x/../y", "nothing"):
        with pytest.raises(ValueError, match=r"a=|bad folder|not category"):
            parse_library_folders(bad)
    options = LibraryOptions.from_options(
        {"download_path": "/data/dl", "cloudcmd_download_path": "/media/dl"}
    )
    assert options.map_save_path("/data/dl/movies") == "/media/dl/movies"
    assert options.map_save_path("/data/dl2/movies") == "/data/dl2/movies"  # segment-wise
    assert LibraryOptions.from_options({"library_folders": "junk"}).folders == {}
    # the reverse, for qBittorrent: CloudCmd's folder in qBittorrent's names
    assert options.qbittorrent_path("/media/dl/done/Movies") == "/data/dl/done/Movies"
    assert options.qbittorrent_path("/media/dl") == "/data/dl"
    assert options.qbittorrent_path("/media/library") is None
    assert options.qbittorrent_path("/media/dl2") is None  # segment-wise
    assert LibraryOptions.from_options({}).qbittorrent_path("/media/Movies") == "/media/Movies"


def test_library_folders_default_to_the_documented_stack() -> None:
    """Never configured: the compose stack's folders; emptied in the form: off."""
    assert dict(LibraryOptions.from_options({}).folders) == {
        "movies": "/media/Movies",
        "tv": "/media/Shows",
    }
    assert dict(LibraryOptions.from_options({"library_folders": {}}).folders) == {}


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_a_download_saved_in_the_library_folder_is_announced(
    hass: HomeAssistant,
    cloudcmd_sim: CloudCmdSimulator,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """Saved straight into /library/Movies: nothing to move or relocate, Jellyfin told."""
    folder: Path = cloudcmd_sim.root
    (folder / "library" / "Movies" / NAME).mkdir(parents=True)
    qbittorrent_sim.update_torrent(HASH, save_path="/library/Movies", progress=1)
    refreshes = jellyfin_sim.count(REFRESH, "POST")
    await complete(hass, qbittorrent, save_path="/library/Movies")
    assert issue_of(hass, qbittorrent) is None
    assert [e.data["path"] for e in ready] == [f"/library/Movies/{NAME}"]
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + 1
    assert qbittorrent_sim.locations == []
    assert (folder / "library" / "Movies" / NAME).is_dir()


@pytest.mark.usefixtures("cloudcmd", "jellyfin", "root")
async def test_a_move_that_does_not_end_raises_an_issue(
    hass: HomeAssistant,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Still ``moving`` after the wait: an issue, and no recheck was sent during the move."""
    monkeypatch.setattr("custom_components.pandora_box.media.postprocess.MOVE_WAIT", 0.05)
    monkeypatch.setattr("custom_components.pandora_box.media.postprocess.MOVE_POLL", 0.01)
    qbittorrent_sim.update_torrent(HASH, progress=1, state="stalledUP")
    qbittorrent_sim.move_seconds = 60
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_qbittorrent_failed"
    assert "still moves" in issue.translation_placeholders["error"]
    assert qbittorrent_sim.rechecks == []
    assert qbittorrent_sim.torrents[HASH]["state"] == "moving"
