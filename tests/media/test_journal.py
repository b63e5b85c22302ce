"""Durable post-processing: the journal in a Store, restarts between every pair of steps.

A "restart" here unloads every Pandora Box entry (as a stop does: the
journal closes, runtime data is dropped) and sets them up again on the same
storage (``hass_storage`` keeps what the Stores wrote), qBittorrent last, as
a start loads entries before the jobs resume.  The stop comes right after
the journal wrote a given step, from inside the job, so the job is cut off
exactly there; what is on the disks and in the simulators then shows which
steps ran.  tests/real/test_postprocess_restart_real.py does the same with
a real ``hass`` process that is killed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.media.journal import STEPS, JobRecord, Journal
from simulators import CloudCmdSimulator, JellyfinSimulator, QBittorrentSimulator

from .common import (
    HASH,
    NAME,
    REFRESH,
    complete,
    issue_of,
    media_ready_data,
    retry_from_repair,
)

MOVE = "/api/v1/move"


def stored_jobs(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    """The jobs as the journal's Store wrote them."""
    stored = hass_storage[f"{DOMAIN}.postprocess.{entry.entry_id}"]
    assert stored["version"] == 1
    jobs: dict[str, Any] = stored["data"]["jobs"]
    return jobs


async def stop_all(hass: HomeAssistant) -> None:
    """Unload every entry of ours, as stopping Home Assistant does."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)


async def start_all(hass: HomeAssistant, qbittorrent: MockConfigEntry) -> None:
    """Set every entry of ours up again on the same storage, qBittorrent last."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.entry_id != qbittorrent.entry_id:
            assert await hass.config_entries.async_setup(entry.entry_id)
    assert await hass.config_entries.async_setup(qbittorrent.entry_id)
    await hass.async_block_till_done()


def stop_after(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, step: str
) -> Callable[[], bool]:
    """Stop Home Assistant right after the journal wrote ``step`` (``recorded``: the job).

    Returns a probe telling whether the stop came.
    """
    came: list[str] = []
    begin, done = Journal.async_begin, Journal.async_done

    async def stop_here(name: str) -> None:
        if name == step and not came:
            came.append(name)
            await stop_all(hass)

    async def async_begin(self: Journal, *args: Any) -> JobRecord:
        record = await begin(self, *args)
        await stop_here("recorded")
        return record

    async def async_done(self: Journal, record: JobRecord, name: str, **values: Any) -> None:
        await done(self, record, name, **values)
        await stop_here(name)

    monkeypatch.setattr(Journal, "async_begin", async_begin)
    monkeypatch.setattr(Journal, "async_done", async_done)
    return lambda: bool(came)


@pytest.mark.parametrize("step", ["recorded", *STEPS])
@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_a_restart_after_any_step_resumes_at_the_first_step_not_done(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    root: Path,
    qbittorrent: MockConfigEntry,
    qbittorrent_sim: QBittorrentSimulator,
    cloudcmd_sim: CloudCmdSimulator,
    jellyfin_sim: JellyfinSimulator,
    ready: list[Event[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    """Stopped after ``step``: the Store says so, the rest runs once after the start."""
    qbittorrent_sim.update_torrent(HASH, progress=1, state="stalledUP")
    refreshes = jellyfin_sim.count(REFRESH, "POST")
    stopped = stop_after(hass, monkeypatch, step)
    await complete(hass, qbittorrent)
    assert stopped()
    done = list(STEPS[: STEPS.index(step) + 1]) if step in STEPS else []
    job = stored_jobs(hass_storage, qbittorrent)[HASH]
    assert list(job["steps"]) == done
    assert (job["name"], job["category"], job["save_path"]) == (NAME, "movies", "/downloads/movies")
    # what the steps done did, and nothing more
    library = root / "library" / "Movies" / NAME
    assert library.is_dir() == ("moved" in done)
    assert (root / "downloads" / "movies" / NAME).is_dir() != ("moved" in done)
    assert qbittorrent_sim.locations == ([(HASH, "/library/Movies")] if "relocated" in done else [])
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + ("refreshed" in done)
    assert len(ready) == ("announced" in done)

    monkeypatch.undo()
    await start_all(hass, qbittorrent)
    assert [e.data for e in ready] == [media_ready_data(qbittorrent)]
    job = stored_jobs(hass_storage, qbittorrent)[HASH]
    assert list(job["steps"]) == list(STEPS)
    assert job["path"] == f"/library/Movies/{NAME}"
    assert (library / "movie.mkv").read_bytes() == b"x" * 1000
    assert cloudcmd_sim.count(MOVE, "PUT") == 1
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]
    assert qbittorrent_sim.torrents[HASH]["save_path"] == "/library/Movies"
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + 1
    assert issue_of(hass, qbittorrent) is None

    # once, ever: another restart and the completion reported again change nothing
    await stop_all(hass)
    await start_all(hass, qbittorrent)
    await complete(hass, qbittorrent, save_path="/library/Movies")
    await complete(hass, qbittorrent)
    assert len(ready) == 1
    assert cloudcmd_sim.count(MOVE, "PUT") == 1
    assert qbittorrent_sim.locations == [(HASH, "/library/Movies")]
    assert jellyfin_sim.count(REFRESH, "POST") == refreshes + 1


@pytest.mark.usefixtures("cloudcmd", "jellyfin")
async def test_a_job_that_cannot_resume_raises_its_issue_and_stays_pending(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    root: Path,
    qbittorrent: MockConfigEntry,
    ready: list[Event[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The download vanished while stopped: the source issue, the job kept; the repair ends it."""
    assert await async_setup_component(hass, "repairs", {})
    stop_after(hass, monkeypatch, "recorded")
    await complete(hass, qbittorrent)
    monkeypatch.undo()
    source = root / "downloads" / "movies" / NAME
    kept = root / "kept"
    shutil.move(source, kept)

    await start_all(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_source_missing"
    assert issue.is_persistent
    assert issue.translation_placeholders["source"] == "/downloads/movies"
    assert stored_jobs(hass_storage, qbittorrent)[HASH]["steps"] == {}  # not dropped
    assert ready == []

    # another restart: still pending, still an issue (persistent), nothing announced
    await stop_all(hass)
    await start_all(hass, qbittorrent)
    assert issue_of(hass, qbittorrent) is not None
    assert ready == []

    shutil.move(kept, source)
    result = await retry_from_repair(hass, issue.issue_id)
    assert result["type"] == "create_entry"
    assert issue_of(hass, qbittorrent) is None
    assert [e.data["hash"] for e in ready] == [HASH]
    assert list(stored_jobs(hass_storage, qbittorrent)[HASH]["steps"]) == list(STEPS)


@pytest.mark.usefixtures("cloudcmd", "root")
async def test_a_job_waiting_for_cloudcmd_goes_on_when_cloudcmd_is_loaded(
    hass: HomeAssistant,
    qbittorrent: MockConfigEntry,
    cloudcmd: MockConfigEntry,
    ready: list[Event[dict[str, Any]]],
) -> None:
    """No CloudCmd loaded at the completion: an issue; CloudCmd back: done without a retry."""
    assert await hass.config_entries.async_unload(cloudcmd.entry_id)
    await complete(hass, qbittorrent)
    issue = issue_of(hass, qbittorrent)
    assert issue is not None
    assert issue.translation_key == "postprocess_no_cloudcmd"
    assert await hass.config_entries.async_setup(cloudcmd.entry_id)
    await hass.async_block_till_done()
    assert issue_of(hass, qbittorrent) is None
    assert [e.data["hash"] for e in ready] == [HASH]


@pytest.mark.usefixtures("cloudcmd", "root")
async def test_removing_the_entry_removes_its_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any], qbittorrent: MockConfigEntry
) -> None:
    """The journal's Store goes with its entry, as the known torrents' Store does."""
    await complete(hass, qbittorrent)
    key = f"{DOMAIN}.postprocess.{qbittorrent.entry_id}"
    assert HASH in hass_storage[key]["data"]["jobs"]
    assert await hass.config_entries.async_remove(qbittorrent.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


def test_records_read_back_and_malformed_ones_are_skipped() -> None:
    """A record survives its round trip; junk in the Store is no record."""
    record = JobRecord(
        hash=HASH,
        name=NAME,
        category="movies",
        save_path="/downloads/movies",
        recorded="2026-12-03T17:00:00+00:00",
        steps={"moved": "2026-12-03T17:00:01+00:00"},
        content=NAME,
        destination="/library/Movies",
    )
    back = JobRecord.from_dict(HASH, record.as_dict())
    assert back == record
    assert back is not None
    assert back.next_step == "relocated"
    assert JobRecord.from_dict(HASH, {"steps": {}}) is None
    assert JobRecord.from_dict(HASH, "junk") is None
    odd = JobRecord.from_dict(HASH, {"name": NAME, "steps": {"teleported": "x", "moved": "y"}})
    assert odd is not None
    assert odd.steps == {"moved": "y"}
