"""``SyncState``: merging ``sync/maindata`` diffs against the simulator, per flavour.

Each scenario applies the diffs one client receives to a ``SyncState`` and
compares the result with a fresh full snapshot read by a second client (its
own session, rid 0), as qBittorrent's WebUI would show after a reload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.pandora_box.api.qbittorrent import MainDataDiff, QBittorrentClient, Torrent
from custom_components.pandora_box.api.qbittorrent_sync import (
    SyncChanges,
    SyncState,
    TorrentCounts,
    buckets,
)
from simulators.qbittorrent import QBittorrentSimulator

FLAVOURS = {
    "4.5": ("v4.5.2", "2.8.19"),
    "5.0": ("v5.0.4", "2.11.2"),
    "5.2": ("v5.2.3", "2.15.1"),
    "5.3": ("v5.3.0", "2.16.2"),
}
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{HASH}&dn=The.Office.S01.720p.WEB-DL"


@pytest.fixture(params=list(FLAVOURS))
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[QBittorrentSimulator]:
    version, webapi = FLAVOURS[request.param]
    simulator = QBittorrentSimulator(version=version, webapi_version=webapi)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def sim45() -> AsyncIterator[QBittorrentSimulator]:
    simulator = QBittorrentSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


class Pair:
    """A polling client with its ``SyncState``, and a reference client for full snapshots."""

    def __init__(
        self,
        sessions: tuple[aiohttp.ClientSession, aiohttp.ClientSession],
        sim: QBittorrentSimulator,
    ) -> None:
        self.sim = sim
        self.client = QBittorrentClient(
            sessions[0], sim.url, username="admin", password="adminadmin"
        )
        self.reference = QBittorrentClient(
            sessions[1], sim.url, username="admin", password="adminadmin"
        )
        self.state = SyncState()

    async def poll(self) -> SyncChanges:
        """Fetch the next diff and apply it."""
        return self.state.apply(await self.client.async_sync_maindata(self.state.rid))

    async def full(self) -> SyncState:
        """A fresh state from one full answer."""
        fresh = SyncState()
        fresh.apply(await self.reference.async_sync_maindata(0))
        return fresh

    async def assert_matches_full(self) -> None:
        """The merged state equals a fresh full snapshot, raw, typed and counted."""
        fresh = await self.full()
        assert self.state.raw() == fresh.raw()
        assert dict(self.state.torrents()) == dict(fresh.torrents())
        assert self.state.server() == fresh.server()
        assert self.state.counts() == fresh.counts() == brute_counts(fresh)


def brute_counts(state: SyncState) -> TorrentCounts:
    """Count the buckets from scratch."""
    rows = [buckets(state.fields(h)) for h in state.hashes()]
    names = ("downloading", "seeding", "paused", "errored", "active", "busy")
    return TorrentCounts(
        total=len(rows), **{n: sum(r[i] for r in rows) for i, n in enumerate(names)}
    )


@pytest.fixture
async def pair(sim: QBittorrentSimulator) -> AsyncIterator[Pair]:
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as one,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as two,
    ):
        yield Pair((one, two), sim)


@pytest.fixture
async def pair45(sim45: QBittorrentSimulator) -> AsyncIterator[Pair]:
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as one,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as two,
    ):
        yield Pair((one, two), sim45)


def by_name(sim: QBittorrentSimulator, prefix: str) -> str:
    return next(h for h, f in sim.torrents.items() if str(f["name"]).startswith(prefix))


# -- merging against the simulator ----------------------------------------------------


async def test_first_answer_is_everything(pair: Pair) -> None:
    changes = await pair.poll()
    assert changes.full_update
    assert set(changes.added) == set(pair.sim.torrents)
    assert not changes.removed
    assert not changes.changed
    # the two complete default torrents arrive complete
    assert set(changes.completed) == {
        by_name(pair.sim, "The.Matrix"),
        by_name(pair.sim, "Severance"),
    }
    assert changes.server_changed
    assert changes.categories_changed
    assert pair.state.counts() == TorrentCounts(
        total=5, downloading=2, seeding=2, paused=1, errored=0, active=3, busy=2
    )
    await pair.assert_matches_full()


async def test_diffs_merge_to_the_full_state(pair: Pair) -> None:
    sim = pair.sim
    await pair.poll()
    quiet = await pair.poll()
    assert quiet == SyncChanges()
    assert not quiet.torrents_changed

    matrix = by_name(sim, "The.Matrix")
    breaking = by_name(sim, "Breaking.Bad")
    inception = by_name(sim, "Inception")
    await pair.client.async_pause([breaking])
    await pair.client.async_resume([inception])
    await pair.client.async_delete([matrix], delete_files=False)
    await pair.client.async_add([MAGNET], category="shows", tags=["new"])
    await pair.client.async_create_category("music", "/downloads/music")
    await pair.client.async_toggle_alt_speed()
    sim.advance(30)
    changes = await pair.poll()
    assert not changes.full_update
    assert changes.added == (HASH,)
    assert set(changes.removed) == {matrix}
    assert changes.removed[matrix]["name"].startswith("The.Matrix")  # last known fields
    assert {breaking, inception} <= set(changes.changed)
    assert HASH not in changes.changed
    assert matrix not in changes.changed
    assert changes.completed == ()
    assert changes.categories_changed
    assert changes.tags_changed
    assert changes.server_changed
    assert pair.state.server().use_alt_speed_limits is True
    assert set(pair.state.categories) == {"movies", "tv", "shows", "music"}
    assert "new" in pair.state.tags
    torrent = pair.state.torrent(breaking)
    assert torrent is not None
    assert torrent.paused
    assert torrent.state == "pausedDL"
    await pair.assert_matches_full()

    # a rename (one field), tag and category removal, a torrent removed elsewhere
    sim.update_torrent(breaking, name="Renamed")
    sim.remove_torrent(HASH)
    async with pair.client._session.post(
        f"{sim.url}/api/v2/torrents/deleteTags", data={"tags": "new"}
    ) as resp:
        assert resp.status in (200, 204)
    async with pair.client._session.post(
        f"{sim.url}/api/v2/torrents/removeCategories", data={"categories": "music"}
    ) as resp:
        assert resp.status in (200, 204)
    changes = await pair.poll()
    assert changes.changed == (breaking,)
    assert set(changes.removed) == {HASH}
    assert changes.tags_changed
    assert changes.categories_changed
    assert "new" not in pair.state.tags
    assert "music" not in pair.state.categories
    torrent = pair.state.torrent(breaking)
    assert torrent is not None
    assert torrent.name == "Renamed"
    assert pair.state.torrent(HASH) is None
    assert pair.state.fields(HASH) == {}
    await pair.assert_matches_full()


async def test_download_completes_once(pair: Pair) -> None:
    sim = pair.sim
    await pair.poll()
    dune = by_name(sim, "Dune")
    breaking = by_name(sim, "Breaking.Bad")
    sim.advance(10)
    step = await pair.poll()
    assert dune in step.changed
    assert step.completed == ()
    assert not pair.state.is_complete(dune)
    sim.advance(4000)  # both downloads finish
    done = await pair.poll()
    assert set(done.completed) == {dune, breaking}
    assert pair.state.is_complete(dune)
    torrent = pair.state.torrent(dune)
    assert torrent is not None
    assert torrent.complete
    assert torrent.completion_on is not None
    sim.advance(60)  # seeding goes on: fields change, nothing completes again
    later = await pair.poll()
    assert dune in later.changed
    assert later.completed == ()
    await pair.assert_matches_full()


async def test_recheck_holds_the_complete_flag(pair45: Pair) -> None:
    sim = pair45.sim
    await pair45.poll()
    matrix = by_name(sim, "The.Matrix")
    assert pair45.state.is_complete(matrix)
    # qBittorrent restarts: every torrent checks its resume data from progress 0
    sim.update_torrent(matrix, state="checkingResumeData", progress=0)
    assert (await pair45.poll()).completed == ()
    assert pair45.state.is_complete(matrix)
    sim.update_torrent(matrix, state="checkingUP", progress=0.5)
    assert (await pair45.poll()).completed == ()
    sim.update_torrent(matrix, state="stalledUP", progress=1)
    assert (await pair45.poll()).completed == ()  # was complete all along
    # a recheck that finds data missing, then the data downloaded again: completes again
    sim.update_torrent(matrix, state="downloading", progress=0.9)
    assert (await pair45.poll()).completed == ()
    assert not pair45.state.is_complete(matrix)
    sim.update_torrent(matrix, state="uploading", progress=1)
    assert (await pair45.poll()).completed == (matrix,)


async def test_new_torrent_in_checking_completes_after_the_check(pair45: Pair) -> None:
    sim = pair45.sim
    await pair45.poll()
    new = sim.insert_torrent({"name": "Existing.Data", "state": "checkingUP", "progress": 0.3})
    changes = await pair45.poll()
    assert changes.added == (new,)
    assert changes.completed == ()
    sim.update_torrent(new, state="stalledUP", progress=1)
    assert (await pair45.poll()).completed == (new,)


async def test_new_torrent_that_finished_between_polls_completes(pair45: Pair) -> None:
    await pair45.poll()
    new = pair45.sim.insert_torrent({"name": "Tiny.Sample", "state": "stalledUP", "progress": 1})
    changes = await pair45.poll()
    assert changes.added == (new,)
    assert changes.completed == (new,)


async def test_new_session_full_update_reports_only_real_changes(pair: Pair) -> None:
    sim = pair.sim
    await pair.poll()
    dune = by_name(sim, "Dune")
    matrix = by_name(sim, "The.Matrix")
    sim.expire_sessions()  # qBittorrent restarted: our rid means nothing to it
    sim.remove_torrent(matrix)
    sim.update_torrent(dune, progress=1, state="uploading", amount_left=0)
    changes = await pair.poll()
    assert changes.full_update
    assert changes.added == ()
    assert set(changes.removed) == {matrix}
    assert changes.completed == (dune,)
    assert dune in changes.changed
    assert matrix not in changes.changed
    await pair.assert_matches_full()


async def test_seeded_state_reports_what_happened_while_stopped(pair: Pair) -> None:
    sim = pair.sim
    await pair.poll()
    known = pair.state.known_records()
    dune = by_name(sim, "Dune")
    assert known[dune] == {
        "name": sim.torrents[dune]["name"],
        "category": "movies",
        "save_path": "/downloads/movies",
        "size": sim.torrents[dune]["size"],
        "progress": sim.torrents[dune]["progress"],
        "complete": False,
    }
    # while "Home Assistant is stopped": one completes, one goes, one arrives
    matrix = by_name(sim, "The.Matrix")
    sim.advance(4000)
    sim.remove_torrent(matrix)
    await pair.client.async_add([MAGNET])
    restarted = SyncState()
    restarted.seed(known)
    assert restarted.rid == 0
    assert len(restarted) == len(known)
    assert restarted.is_complete(matrix)
    assert restarted.fields(matrix)["name"].startswith("The.Matrix")
    changes = restarted.apply(await pair.client.async_sync_maindata(restarted.rid))
    assert changes.full_update
    assert changes.added == (HASH,)
    assert set(changes.removed) == {matrix}
    assert changes.removed[matrix]["category"] == "movies"
    assert set(changes.completed) == {dune, by_name(sim, "Breaking.Bad")}
    fresh = await pair.full()
    assert restarted.raw() == fresh.raw()
    assert restarted.counts() == fresh.counts()


async def test_only_changed_torrents_are_parsed_again(pair45: Pair) -> None:
    sim = pair45.sim
    sim.torrents.clear()
    sim.add_fleet(1000)
    await pair45.poll()
    before = dict(pair45.state.torrents())
    churned = sim.churn(0.02)
    changes = await pair45.poll()
    assert set(changes.changed) == set(churned)
    assert len(changes.changed) == 20
    after = pair45.state.torrents()
    same = [h for h in before if after[h] is before[h]]
    assert len(same) == 1000 - 20  # untouched ones are the very same objects
    assert all(after[h] is not before[h] for h in churned)
    assert pair45.state.counts() == brute_counts(pair45.state)
    await pair45.assert_matches_full()


async def test_failed_poll_keeps_the_rid(pair45: Pair) -> None:
    """A lost answer: polling again with the same rid still gets a diff, nothing lost."""
    sim = pair45.sim
    await pair45.poll()
    rid = pair45.state.rid
    dune = by_name(sim, "Dune")
    sim.advance(10)
    await pair45.client.async_sync_maindata(rid)  # the answer never reached the state
    changes = await pair45.poll()
    assert not changes.full_update
    assert dune in changes.changed
    await pair45.assert_matches_full()


# -- pure merging rules ---------------------------------------------------------------


def diff(rid: int, *, full: bool = False, **parts: Any) -> MainDataDiff:
    return MainDataDiff(
        rid=rid,
        full_update=full,
        torrents=parts.pop("torrents", {}),
        categories=parts.pop("categories", {}),
        server_state=parts.pop("server_state", {}),
        **parts,
    )


def test_partial_merges_as_the_webui() -> None:
    state = SyncState()
    state.apply(
        diff(
            1,
            full=True,
            torrents={"aa": {"name": "A", "state": "downloading", "progress": 0.5, "dlspeed": 5}},
            categories={"tv": {"name": "tv", "savePath": "/tv"}},
            tags=("x", "y"),
            server_state={"dl_info_speed": 5, "connection_status": "connected"},
        )
    )
    changes = state.apply(
        diff(
            2,
            torrents={"aa": {"dlspeed": 0, "state": "stalledDL"}},
            categories={"tv": {"savePath": "/media/tv"}, "new": {"name": "new", "savePath": ""}},
            tags=("y", "z"),
            tags_removed=("x", "never"),
            categories_removed=("gone",),
            server_state={"dl_info_speed": 0},
            torrents_removed=("unknown",),
        )
    )
    assert state.rid == 2
    assert changes.changed == ("aa",)
    assert changes.removed == {}  # an unknown removed hash is no change
    assert state.fields("aa") == {"name": "A", "state": "stalledDL", "progress": 0.5, "dlspeed": 0}
    assert state.categories == {
        "tv": {"name": "tv", "savePath": "/media/tv"},
        "new": {"name": "new", "savePath": ""},
    }
    assert state.tags == ("y", "z")
    assert state.server_fields == {"dl_info_speed": 0, "connection_status": "connected"}
    assert state.server().connection_status == "connected"
    assert state.counts() == TorrentCounts(total=1, downloading=1, busy=1)
    empty = state.apply(diff(3, torrents={"aa": {}}, tags=("z",), tags_removed=("x",)))
    assert empty == SyncChanges()


def test_full_update_replaces_and_compares() -> None:
    state = SyncState()
    state.apply(
        diff(
            1,
            full=True,
            torrents={
                "aa": {"name": "A", "state": "pausedDL", "progress": 0.1, "extra": 1},
                "bb": {"name": "B", "state": "stoppedUP", "progress": 1},
            },
            tags=("t",),
        )
    )
    assert state.counts() == TorrentCounts(total=2, paused=2)
    same = state.apply(
        diff(
            2,
            full=True,
            torrents={
                "aa": {"name": "A", "state": "pausedDL", "progress": 0.1, "extra": 1},
                "bb": {"name": "B", "state": "stoppedUP", "progress": 1},
            },
            tags=("t",),
        )
    )
    assert same == SyncChanges(full_update=True)
    replaced = state.apply(
        diff(3, full=True, torrents={"aa": {"name": "A2", "state": "error", "progress": 0.1}})
    )
    assert replaced.changed == ("aa",)
    assert set(replaced.removed) == {"bb"}
    assert replaced.tags_changed
    assert state.fields("aa") == {"name": "A2", "state": "error", "progress": 0.1}  # no "extra"
    assert state.counts() == TorrentCounts(total=1, errored=1)
    assert "bb" not in state
    assert "aa" in state
    assert len(state) == 1
    typed = state.torrents()["aa"]
    assert typed == Torrent.from_api("aa", {"name": "A2", "state": "error", "progress": 0.1})
    assert typed.errored


def test_missing_progress_keeps_the_flag() -> None:
    state = SyncState()
    state.apply(diff(1, full=True, torrents={"aa": {"name": "A", "state": "uploading"}}))
    assert not state.is_complete("aa")
    assert state.apply(diff(2, torrents={"aa": {"progress": 1}})).completed == ("aa",)
    assert state.apply(diff(3, torrents={"aa": {"progress": None}})).completed == ()
    assert state.is_complete("aa")
    assert state.known_record("aa") == {"name": "A", "progress": None, "complete": True}
