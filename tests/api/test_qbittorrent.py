"""The qBittorrent client against the qBittorrent simulator, on loopback, per flavour."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, override

import aiohttp
from aiohttp import web
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from custom_components.pandora_box.api.qbittorrent import (
    MainDataDiff,
    NotAddedError,
    QBittorrentClient,
    ServerState,
    Torrent,
)
from custom_components.pandora_box.api.qbittorrent_sync import SyncState
from simulators.qbittorrent import BANNED, MAX_ETA, QBittorrentSimulator

from .test_tmdb import OtherServer

# (app version, Web API version) of real releases: 4.5.2 (Debian bookworm, measured),
# 5.0.4 (stop/start, stopped* states, still "Fails." and SID), 5.2.3 (401 on bad
# login, 204 on login, JSON answer to torrents/add, QBT_SID_<port>), 5.3.0 (Debian
# sid, measured: as 5.2 with a SameSite=Lax cookie).
FLAVOURS = {
    "4.5": ("v4.5.2", "2.8.19"),
    "5.0": ("v5.0.4", "2.11.2"),
    "5.2": ("v5.2.3", "2.15.1"),
    "5.3": ("v5.3.0", "2.16.2"),
}
MAGNET = "magnet:?xt=urn:btih:{}&dn=The.Office.S01.720p.WEB-DL&tr=udp%3A%2F%2Ft.example%3A1337"
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


def flavour(name: str, **kwargs: Any) -> QBittorrentSimulator:
    version, webapi = FLAVOURS[name]
    return QBittorrentSimulator(version=version, webapi_version=webapi, **kwargs)


@pytest.fixture
async def jar_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session with its own unsafe cookie jar, as ``clients.py`` builds it."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        yield s


@pytest.fixture(params=list(FLAVOURS))
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[QBittorrentSimulator]:
    simulator = flavour(request.param)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def sim45() -> AsyncIterator[QBittorrentSimulator]:
    simulator = flavour("4.5")
    await simulator.start()
    yield simulator
    await simulator.stop()


def client(
    session: aiohttp.ClientSession, sim: QBittorrentSimulator, **kwargs: Any
) -> QBittorrentClient:
    kwargs.setdefault("username", sim.username)
    kwargs.setdefault("password", sim.password)
    return QBittorrentClient(session, sim.url, **kwargs)


def merge(state: dict[str, Any] | None, diff: MainDataDiff) -> dict[str, Any]:
    """Apply one diff the way a coordinator must."""
    if state is None or diff.full_update:
        state = {"torrents": {}, "categories": {}, "tags": set(), "server_state": {}}
    for torrent_hash, fields in diff.torrents.items():
        state["torrents"].setdefault(torrent_hash, {}).update(fields)
    for torrent_hash in diff.torrents_removed:
        state["torrents"].pop(torrent_hash, None)
    for name, fields in diff.categories.items():
        state["categories"].setdefault(name, {}).update(fields)
    for name in diff.categories_removed:
        state["categories"].pop(name, None)
    state["tags"] |= set(diff.tags)
    state["tags"] -= set(diff.tags_removed)
    state["server_state"].update(diff.server_state)
    return state


# -- login and info ---------------------------------------------------------------------


async def test_get_info(jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator) -> None:
    c = client(jar_session, sim)
    info = await c.async_get_info()
    version = sim.version.removeprefix("v")
    assert info.name == f"qBittorrent {version}"
    assert info.version == version
    assert info.unique_id == str(c.base_url) == f"{sim.url}/"
    assert c.api_version == tuple(int(p) for p in sim.webapi_version.split("."))
    assert sim.count("/api/v2/auth/login") == 1
    assert sim.session_count == 1


async def test_unique_id_is_the_normalised_url(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = QBittorrentClient(
        jar_session, f" http://127.0.0.1:{sim45.port}// ", username="admin", password="adminadmin"
    )
    assert (await c.async_get_info()).unique_id == f"http://127.0.0.1:{sim45.port}/"
    upper = QBittorrentClient(jar_session, "http://QBT.LAN:8080/qbt/", username="a", password="b")
    assert str(upper.base_url) == "http://qbt.lan:8080/qbt"


async def test_bad_password(jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator) -> None:
    c = client(jar_session, sim, password="wrong-s3cret")
    with pytest.raises(InvalidAuthError, match="rejected the user name or password") as err:
        await c.async_get_info()  # 200 "Fails." below Web API 2.14, 401 from it
    assert "wrong-s3cret" not in str(err.value)
    assert sim.session_count == 0
    # a 401 (5.2+) may be the Host header check: one probe without a session tells
    probes = 1 if sim.api >= (2, 14) else 0
    assert sim.count("/api/v2/app") == sim.count("/api/v2/app/webapiVersion") == probes


async def test_ban_after_five_failures(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    bad = client(jar_session, sim, password="nope")
    for _ in range(5):
        with pytest.raises(InvalidAuthError, match="rejected"):
            await bad.async_get_info()
    good = client(jar_session, sim)
    with pytest.raises(InvalidAuthError, match="banned"):
        await good.async_get_info()
    sim.advance(3601)  # the ban ends after an hour
    assert (await good.async_get_info()).version == sim.version.removeprefix("v")


async def test_relogin_once_on_expired_session(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim)
    await c.async_get_info()
    sim.expire_sessions()
    torrents = await c.async_torrents()
    assert len(torrents) == len(sim.torrents)
    assert sim.count("/api/v2/auth/login") == 2
    assert sim.count("/api/v2/torrents/info") == 2  # the 403 and the retry
    await c.async_torrents()
    assert sim.count("/api/v2/auth/login") == 2  # the new session is kept


async def test_concurrent_calls_share_one_relogin(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45)
    await c.async_get_info()
    sim45.expire_sessions()
    results = await asyncio.gather(*(c.async_get_alt_speed_mode() for _ in range(5)))
    assert results == [False] * 5
    assert sim45.count("/api/v2/auth/login") == 2


async def test_second_403_is_invalid_auth(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45)
    await c.async_get_info()
    sim45.set_fault("status", status=403, path="/api/v2/torrents/info")
    with pytest.raises(InvalidAuthError, match="even after a new login"):
        await c.async_torrents()
    assert sim45.count("/api/v2/auth/login") == 2  # exactly one new login


async def test_password_changed_upstream(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim)
    await c.async_get_info()
    sim.rotate_credentials(password="rotated-pw-7f3a")
    await c.async_torrents()  # the session still works
    sim.expire_sessions()
    with pytest.raises(InvalidAuthError):
        await c.async_torrents()


async def test_default_jar_drops_the_cookie(
    session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    """Why the client needs an unsafe jar: a default jar ignores cookies of IP hosts."""
    with pytest.raises(InvalidAuthError, match="session cookie"):
        await client(session, sim45).async_get_info()


# -- sync/maindata ----------------------------------------------------------------------


async def test_maindata_diffs_merge_to_the_full_state(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim)
    first = await c.async_sync_maindata(0)
    assert first.full_update
    assert first.rid == 1
    assert set(first.torrents) == set(sim.torrents)
    assert first.categories["movies"] == {"name": "movies", "savePath": "/downloads/movies"}
    state = merge(None, first)

    quiet = await c.async_sync_maindata(first.rid)
    assert not quiet.full_update
    assert quiet.torrents == {}
    assert quiet.server_state == {}
    state = merge(state, quiet)

    matrix, breaking, *_ = sim.torrents
    await c.async_pause([breaking])
    await c.async_delete([matrix], delete_files=False)
    await c.async_add([MAGNET.format(HASH)], category="shows", tags=["new"])
    await c.async_create_category("music", "/downloads/music")
    sim.advance(60)
    diff = await c.async_sync_maindata(quiet.rid)
    assert not diff.full_update
    assert diff.torrents_removed == (matrix,)
    assert HASH in diff.torrents
    assert diff.torrents[HASH]["name"] == "The.Office.S01.720p.WEB-DL"
    paused = diff.torrents[breaking]
    assert "name" not in paused  # only what changed
    assert paused["state"] == ("stoppedDL" if sim.stop_start else "pausedDL")
    assert set(diff.categories) == {"shows", "music"}
    assert diff.tags == ("new",)
    assert "dl_info_speed" in diff.server_state
    state = merge(state, diff)

    sim.remove_torrent(HASH)
    sim.update_torrent(breaking, name="Renamed")
    async with jar_session.post(
        f"{sim.url}/api/v2/torrents/deleteTags", data={"tags": "new"}
    ) as resp:
        assert resp.status in (200, 204)
    last = await c.async_sync_maindata(diff.rid)
    assert last.torrents == {breaking: {"name": "Renamed"}}
    assert last.torrents_removed == (HASH,)
    assert last.tags_removed == ("new",)
    state = merge(state, last)

    full = merge(None, await c.async_sync_maindata(0))
    assert state == full
    assert {h: Torrent.from_api(h, f) for h, f in state["torrents"].items()}[
        breaking
    ].name == "Renamed"


async def test_maindata_rid_rules(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45)
    r1 = (await c.async_sync_maindata(0)).rid
    r2 = (await c.async_sync_maindata(r1)).rid
    r3 = await c.async_sync_maindata(r2)
    assert not r3.full_update
    # retrying the last accepted rid (a lost answer) still gets a diff
    again = await c.async_sync_maindata(r2)
    assert not again.full_update
    assert again.rid == r3.rid + 1
    # an older rid, or one never sent, means "start over"
    assert (await c.async_sync_maindata(r1)).full_update
    assert (await c.async_sync_maindata(987654)).full_update


async def test_new_session_gets_a_full_update(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45)
    rid = (await c.async_sync_maindata(0)).rid
    sim45.expire_sessions()  # e.g. qBittorrent restarted
    after = await c.async_sync_maindata(rid)
    assert after.full_update
    assert set(after.torrents) == set(sim45.torrents)


async def test_downloads_progress_and_complete(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45)
    first = await c.async_sync_maindata(0)
    dune = next(h for h, f in first.torrents.items() if f["name"].startswith("Dune"))
    before = Torrent.from_api(dune, first.torrents[dune])
    assert before.state == "downloading"
    assert before.eta is not None
    assert before.completion_on is None
    sim45.advance(10)
    step = await c.async_sync_maindata(first.rid)
    assert step.torrents[dune]["progress"] > first.torrents[dune]["progress"]
    assert step.server_state["dl_info_data"] > 0
    sim45.advance(4000)
    done = await c.async_sync_maindata(step.rid)
    state = merge(merge(merge(None, first), step), done)
    after = Torrent.from_api(dune, state["torrents"][dune])
    assert after.complete
    assert after.state == "uploading"
    assert after.amount_left == 0
    assert after.eta is None
    assert after.completion_on is not None
    assert before.added_on is not None
    assert after.completion_on > before.added_on


async def test_fleet_and_churn(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    sim45.torrents.clear()
    hashes = sim45.add_fleet(2000, downloading_share=0.1)
    assert len(hashes) == len(set(hashes)) == 2000
    assert sum(f["state"] == "downloading" for f in sim45.torrents.values()) == 200
    c = client(jar_session, sim45)
    first = await c.async_sync_maindata(0)
    assert len(first.torrents) == 2000
    churned = sim45.churn(0.05)
    assert len(churned) == 100
    diff = await c.async_sync_maindata(first.rid)
    assert set(diff.torrents) == set(churned)
    assert all(
        set(f) <= {"num_leechs", "num_incomplete", "uploaded", "ratio", "last_activity"}
        for f in diff.torrents.values()
    )
    assert set(sim45.churn(0.05)).isdisjoint(churned)  # the next share is another one


async def test_realtime_moves_by_wall_time(jar_session: aiohttp.ClientSession) -> None:
    sim = QBittorrentSimulator(realtime=True)
    await sim.start()
    try:
        c = client(jar_session, sim)
        first = await c.async_sync_maindata(0)
        await asyncio.sleep(0.05)
        diff = await c.async_sync_maindata(first.rid)
        assert any("completed" in fields for fields in diff.torrents.values())
    finally:
        await sim.stop()


def test_for_demo(tmp_path: Path) -> None:
    sim = QBittorrentSimulator.for_demo(root=tmp_path, secret="demo-secret")
    assert sim.realtime
    assert sim.credentials() == {"username": "admin", "password": "demo-secret"}


# -- parsers ----------------------------------------------------------------------------


def test_torrent_from_api() -> None:
    t = Torrent.from_api(
        "ABCDEF",
        {
            "name": "X",
            "state": "stoppedUP",
            "progress": 1.0000001,
            "eta": MAX_ETA,
            "completion_on": -3600,
            "added_on": 1700000000,
            "tags": "b, a,, c",
            "category": "",
            "dlspeed": 5,
            "ratio": 1.5,
        },
    )
    assert t.hash == "abcdef"
    assert (t.state, t.raw_state, t.paused) == ("pausedUP", "stoppedUP", True)
    assert t.progress == 1.0
    assert t.complete
    assert t.eta is None
    assert t.completion_on is None
    assert t.added_on == 1700000000
    assert t.tags == ("b", "a", "c")
    assert t.category is None
    assert t.size is None
    assert t.upspeed == 0
    bare = Torrent.from_api("h", {})
    assert (bare.name, bare.state, bare.paused, bare.progress) == ("h", "unknown", False, 0.0)
    assert Torrent.from_api("h", {"state": "missingFiles"}).errored
    assert Torrent.from_api("h", {"eta": 120}).eta == 120


def test_server_state_from_api() -> None:
    s = ServerState.from_api(
        {"dl_info_speed": 10, "use_alt_speed_limits": True, "global_ratio": "-", "x": 1}
    )
    assert s.dl_info_speed == 10
    assert s.use_alt_speed_limits is True
    assert s.global_ratio is None
    assert s.free_space_on_disk is None
    assert ServerState.from_api({"global_ratio": "1.25"}).global_ratio == 1.25


# -- actions ----------------------------------------------------------------------------


async def test_add(jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator) -> None:
    c = client(jar_session, sim)
    added = await c.async_add(
        [MAGNET.format(HASH.upper())],
        category="shows",
        save_path="/media/incoming",
        tags=["tv", " new "],
        paused=True,
    )
    assert added == [HASH]
    fields = sim.torrents[HASH]
    assert fields["state"] == ("stoppedDL" if sim.stop_start else "pausedDL")
    assert fields["category"] == "shows"
    assert fields["save_path"] == "/media/incoming"
    assert fields["tags"] == "new, tv"
    assert "shows" in sim.categories  # qBittorrent creates unknown categories
    with pytest.raises(ResponseError, match="added none"):
        await c.async_add([MAGNET.format(HASH)])
    base32 = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
    assert await c.async_add([f"magnet:?xt=urn:btih:{base32}"]) == [
        "6162636465666768696a6b6c6d6e6f7071727374"
    ]
    assert sim.torrents["6162636465666768696a6b6c6d6e6f7071727374"]["state"] == "metaDL"
    assert await c.async_add(["https://example.org/files/Some.Release.torrent"]) == []
    assert any(f["name"] == "Some.Release" for f in sim.torrents.values())
    assert await c.async_add([]) == []


async def test_add_not_paused_leaves_default(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    await client(jar_session, sim45).async_add([MAGNET.format(HASH)])
    assert sim45.torrents[HASH]["state"] == "metaDL"
    sim45.advance(5)
    assert sim45.torrents[HASH]["state"] == "downloading"
    assert sim45.torrents[HASH]["size"] > 0


async def test_pause_resume_delete(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim)
    pause, resume = ("stop", "start") if sim.stop_start else ("pause", "resume")
    hashes = list(sim.torrents)
    await c.async_pause(hashes[1:2])
    assert sim.count(f"/api/v2/torrents/{pause}") == 1
    paused = await c.async_torrents(filter_="paused")
    assert {t.hash for t in paused} == {hashes[1], hashes[2]}  # Inception was paused already
    assert all(t.paused and t.state == "pausedDL" for t in paused)
    await c.async_resume("all")
    assert sim.count(f"/api/v2/torrents/{resume}") == 1
    assert await c.async_torrents(filter_="paused") == []
    await c.async_pause("all")
    assert all(t.paused for t in await c.async_torrents())
    await c.async_pause([])  # nothing to do, nothing sent
    assert sim.count(f"/api/v2/torrents/{pause}") == 2
    await c.async_delete(hashes[:2], delete_files=True)
    await c.async_delete(hashes[2:3], delete_files=False)
    assert len(sim.deleted_files) == 2
    assert sim.deleted_files[0].startswith("/downloads/movies/The.Matrix")
    assert set(sim.torrents) == set(hashes[3:])
    await c.async_delete("all", delete_files=False)
    assert sim.torrents == {}


async def test_set_location_and_recheck(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    """Running: moving, then seeding on at the new folder; paused: pausedDL 0 until checked."""
    c = client(jar_session, sim)
    matrix, *_, severance = list(sim.torrents)
    sim.move_seconds = 60
    await c.async_pause([severance])
    await c.async_set_location([matrix, severance], "/library/Movies/")
    assert sim.count("/api/v2/torrents/setLocation", "POST") == 1
    moving = {t.hash: t for t in await c.async_torrents(hashes=[matrix, severance])}
    assert {t.state for t in moving.values()} == {"moving"}
    assert moving[matrix].save_path == "/library/Movies"
    assert moving[matrix].content_path == f"/library/Movies/{moving[matrix].name}"
    assert sim.torrents[matrix]["auto_tmm"] is False
    sim.settle(everything=True)  # the moves end
    moved = {t.hash: t for t in await c.async_torrents(hashes=[matrix, severance])}
    assert (moved[matrix].state, moved[matrix].progress) == ("stalledUP", 1.0)
    assert (moved[severance].state, moved[severance].progress) == ("pausedDL", 0.0)
    assert moved[severance].raw_state == ("stoppedDL" if sim.stop_start else "pausedDL")
    sim.check_seconds = 60
    await c.async_recheck([severance])
    checking = (await c.async_torrents(hashes=[severance]))[0]
    assert (checking.state, checking.progress) == ("checkingUP", 0.0)
    sim.settle(everything=True)  # the check ends
    checked = (await c.async_torrents(hashes=[severance]))[0]
    assert (checked.state, checked.paused, checked.progress) == ("pausedUP", True, 1.0)
    assert checked.save_path == "/library/Movies"
    assert sim.rechecks == [severance]
    # the same folder again changes nothing; nothing is sent for no hashes
    await c.async_set_location([matrix], "/library/Movies")
    await c.async_set_location([], "/x")
    await c.async_recheck([])
    assert sim.locations == [(matrix, "/library/Movies"), (severance, "/library/Movies")]
    assert sim.count("/api/v2/torrents/setLocation", "POST") == 2
    assert sim.count("/api/v2/torrents/recheck", "POST") == 1


async def test_recheck_while_moving_never_finishes(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    """As measured on 4.5.2: a recheck sent during the move hangs in checkingUP at 0."""
    c = client(jar_session, sim45)
    matrix = next(iter(sim45.torrents))
    sim45.move_seconds = 60
    await c.async_set_location([matrix], "/library")
    await c.async_recheck([matrix])
    sim45.settle(everything=True)
    hung = (await c.async_torrents(hashes=[matrix]))[0]
    assert (hung.state, hung.progress, hung.save_path) == ("checkingUP", 0.0, "/library")


async def test_set_location_refusals(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    """400 blank, 403 not writable, 409 not creatable: ResponseError, no new login."""
    c = client(jar_session, sim)
    matrix = next(iter(sim.torrents))
    sim.unwritable_paths.add("/readonly")
    sim.uncreatable_paths.add("/proc")
    for location, status, text in (
        ("  ", 400, "the folder is empty"),
        ("/readonly/Movies", 403, "cannot write to the folder"),
        ("/proc/self/x", 409, "cannot create the folder"),
    ):
        with pytest.raises(ResponseError, match=text) as err:
            await c.async_set_location([matrix], location)
        assert err.value.status == status
    assert sim.count("/api/v2/auth/login") == 1  # a 403 with a reason is no lost session
    assert sim.torrents[matrix]["save_path"] == "/downloads/movies"
    assert sim.locations == []
    await c.async_set_location(["0" * 40], "/library")  # unknown hash: 200, nothing moves
    assert sim.locations == []
    api = f"{sim.url}/api/v2/torrents"
    async with jar_session.get(f"{api}/setLocation", params={"hashes": matrix}) as resp:
        assert resp.status == 405  # POST only (measured)
    for form, missing in (({"hashes": matrix}, "location"), ({"location": "/x"}, "hashes")):
        async with jar_session.post(f"{api}/setLocation", data=form) as resp:
            assert (resp.status, await resp.text()) == (
                400,
                f"Missing required parameters: {missing}" if sim.api >= (2, 14) else "Bad Request",
            )
    async with jar_session.post(f"{api}/recheck", data={}) as resp:
        assert resp.status == 400


async def test_expired_session_on_set_location_logs_in_again(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    """The plain 403 "Forbidden" of a lost session still means: log in again."""
    c = client(jar_session, sim45)
    matrix = next(iter(sim45.torrents))
    await c.async_get_info()
    sim45.expire_sessions()
    await c.async_set_location([matrix], "/library")
    assert sim45.count("/api/v2/auth/login") == 2
    assert sim45.torrents[matrix]["save_path"] == "/library"


async def test_alt_speed_and_categories(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim)
    assert await c.async_get_alt_speed_mode() is False
    await c.async_toggle_alt_speed()
    assert await c.async_get_alt_speed_mode() is True
    diff = await c.async_sync_maindata(0)
    assert ServerState.from_api(diff.server_state).use_alt_speed_limits is True
    assert all(f["dlspeed"] <= 1_048_576 for f in diff.torrents.values())
    await c.async_create_category("music", "/downloads/music")
    categories = await c.async_categories()
    assert categories["music"].save_path == "/downloads/music"
    assert categories["movies"].name == "movies"
    with pytest.raises(ResponseError) as err:
        await c.async_create_category("music", "")
    assert err.value.status == 409
    with pytest.raises(ResponseError) as err:
        await c.async_create_category("", "")
    assert err.value.status == 400


# -- faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kwargs", "error", "match"),
    [
        ("down", {}, CannotConnectError, "broke off"),
        ("hang", {"delay": 5}, CannotConnectError, "did not answer"),
        ("status", {"status": 500}, CannotConnectError, "HTTP 500"),
        ("status", {"status": 502}, CannotConnectError, "HTTP 502"),
        ("status", {"status": 401}, InvalidAuthError, "HTTP 401"),
        ("status", {"status": 404}, ResponseError, "no qBittorrent WebUI API"),
        ("malformed", {}, ResponseError, "not qBittorrent's"),
        ("oversized", {"size": 256 * 1024}, ResponseError, "not qBittorrent's|larger"),
    ],
)
async def test_faults_at_login(
    jar_session: aiohttp.ClientSession,
    sim45: QBittorrentSimulator,
    mode: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    sim45.set_fault(mode, **kwargs)
    c = client(jar_session, sim45, timeout=0.5)
    with pytest.raises(error, match=match):
        await c.async_get_info()
    sim45.clear_fault()
    assert (await c.async_get_info()).version == "4.5.2"


async def test_faults_mid_session(
    jar_session: aiohttp.ClientSession, sim45: QBittorrentSimulator
) -> None:
    c = client(jar_session, sim45, timeout=0.5)
    await c.async_get_info()
    sim45.set_fault("malformed", path="/api/v2/sync")
    with pytest.raises(ResponseError, match="not valid JSON"):
        await c.async_sync_maindata(0)
    sim45.set_fault("status", status=503, path="/api/v2/torrents")
    with pytest.raises(CannotConnectError):
        await c.async_add([MAGNET.format(HASH)])
    sim45.set_fault("status", status=200, path="/api/v2/transfer")
    with pytest.raises(ResponseError, match="neither 0 nor 1"):
        await c.async_get_alt_speed_mode()
    sim45.clear_fault()
    await sim45.stop()
    with pytest.raises(CannotConnectError, match="is it running"):
        await c.async_torrents()
    await sim45.start()
    assert len(await c.async_torrents()) == 5


# -- the simulator itself ---------------------------------------------------------------


async def test_simulator_auth_rules(jar_session: aiohttp.ClientSession) -> None:
    for name in FLAVOURS:
        sim = flavour(name)
        await sim.start()
        try:
            base = f"{sim.url}/api/v2"
            jar_session.cookie_jar.clear()
            async with jar_session.get(f"{base}/app/version") as resp:
                assert (resp.status, await resp.text()) == (403, "Forbidden")
            async with jar_session.get(f"{base}/nope/nothing") as resp:
                assert resp.status == 403  # the session check comes first
            async with jar_session.get(f"{base}/auth/login") as resp:
                assert resp.status == 405
            new = sim.api >= (2, 14)
            bad = {"username": "admin", "password": "x"}
            async with jar_session.post(f"{base}/auth/login", data=bad) as resp:
                assert (resp.status, await resp.text()) == (
                    (401, "Unauthorized") if new else (200, "Fails.")
                )
            good = {"username": "admin", "password": "adminadmin"}
            async with jar_session.post(f"{base}/auth/login", data=good) as resp:
                assert resp.status == (204 if new else 200)
                cookie_name = f"QBT_SID_{sim.port}" if new else "SID"
                assert list(resp.cookies) == [cookie_name]
                cookie = resp.cookies[cookie_name]
                assert cookie["httponly"] is True
                assert cookie["path"] == "/"
                assert cookie["samesite"] == ("Lax" if sim.api >= (2, 16) else "Strict")
                assert bool(cookie["expires"]) is new
            async with jar_session.get(f"{base}/app/webapiVersion") as resp:
                assert resp.content_type == "text/plain"
                assert await resp.text() == sim.webapi_version
            async with jar_session.get(f"{base}/nope/nothing") as resp:
                assert (resp.status, await resp.text()) == (404, "Not Found")
            async with jar_session.get(f"{base}/torrents/nothing") as resp:
                assert (resp.status, await resp.text()) == (
                    404,
                    "Endpoint does not exist" if new else "Not Found",
                )
            old_verb, new_verb = "pause", "stop"
            async with jar_session.post(
                f"{base}/torrents/{old_verb if sim.stop_start else new_verb}",
                data={"hashes": "all"},
            ) as resp:
                assert resp.status == 404
            async with jar_session.post(f"{base}/torrents/delete", data={"hashes": "all"}) as resp:
                assert resp.status == 400  # deleteFiles is required
            headers = {"Origin": "http://evil.example"}
            async with jar_session.get(f"{base}/app/version", headers=headers) as resp:
                assert resp.status == 401  # qBittorrent's CSRF check
            async with jar_session.get(f"{base}/sync/maindata") as resp:
                assert resp.content_type == "application/json"
                assert (await resp.json())["full_update"] is True
        finally:
            await sim.stop()


async def test_simulator_ban_message(jar_session: aiohttp.ClientSession) -> None:
    sim = flavour("5.2", max_auth_fail=2)
    await sim.start()
    try:
        for _ in range(2):
            async with jar_session.post(
                f"{sim.url}/api/v2/auth/login", data={"username": "a", "password": "b"}
            ) as resp:
                assert resp.status == 401
        async with jar_session.post(
            f"{sim.url}/api/v2/auth/login", data={"username": "admin", "password": "adminadmin"}
        ) as resp:
            assert (resp.status, await resp.text()) == (403, BANNED)
        sim.unban()
        c = client(jar_session, sim)
        await c.async_get_info()
        # torrents/add on Web API 2.14+ answers JSON
        async with jar_session.post(
            f"{sim.url}/api/v2/torrents/add", data={"urls": MAGNET.format(HASH)}
        ) as resp:
            assert (await resp.json())["added_torrent_ids"] == [HASH]
        async with jar_session.post(
            f"{sim.url}/api/v2/torrents/add", data={"urls": MAGNET.format(HASH)}
        ) as resp:
            assert resp.status == 409
    finally:
        await sim.stop()


class PortMapping(OtherServer):
    """A forwarder on another port that passes the ``Host`` header on, as a port mapping does.

    ``rewrite_host`` makes it a proxy that sets ``Host`` to the upstream's own.
    """

    def __init__(self, target: QBittorrentSimulator, *, rewrite_host: bool) -> None:
        super().__init__(502, None)
        self.target, self.rewrite_host = target, rewrite_host

    @override
    async def _answer(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length",)}
        if self.rewrite_host:
            headers["Host"] = f"127.0.0.1:{self.target.port}"
        async with (
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as upstream,
            upstream.request(
                request.method,
                f"{self.target.url}{request.rel_url}",
                headers=headers,
                data=await request.read(),
                allow_redirects=False,
            ) as resp,
        ):
            body = await resp.read()
            out = web.Response(status=resp.status, body=body)
            for name in ("Content-Type", "Set-Cookie"):
                for value in resp.headers.getall(name, []):
                    out.headers.add(name, value)
            return out


@pytest.mark.parametrize("name", list(FLAVOURS))
async def test_client_behind_a_port_mapping(jar_session: aiohttp.ClientSession, name: str) -> None:
    """A Host port qBittorrent does not listen on: invalid auth naming the Host header."""
    sim = flavour(name)
    await sim.start()
    try:
        async with PortMapping(sim, rewrite_host=False) as mapping:
            c = QBittorrentClient(
                jar_session, mapping.url, username=sim.username, password=sim.password
            )
            with pytest.raises(InvalidAuthError, match="Host header") as err:
                await c.async_get_info()
            assert sim.password not in str(err.value)
        assert not sim.requests or all(r.path != "/api/v2/app/version" for r in sim.requests)
        jar_session.cookie_jar.clear()
        async with PortMapping(sim, rewrite_host=True) as proxy:
            c = QBittorrentClient(
                jar_session, proxy.url, username=sim.username, password=sim.password
            )
            info = await c.async_get_info()
            assert info.version
    finally:
        await sim.stop()


@pytest.mark.parametrize("name", list(FLAVOURS))
async def test_simulator_host_and_origin_checks(name: str) -> None:
    """401 for a foreign Origin/Referer or a Host port not the WebUI's, before the session check."""
    sim = flavour(name)
    await sim.start()
    try:
        base = f"{sim.url}/api/v2"
        own = f"127.0.0.1:{sim.port}"
        async with aiohttp.ClientSession() as bare:
            form = {"username": "admin", "password": "adminadmin"}
            async with bare.post(f"{base}/auth/login", data=form) as resp:
                sid = resp.cookies[sim.cookie_name].value
            session = {"Cookie": f"{sim.cookie_name}={sid}"}
            cases: list[tuple[dict[str, str], int]] = [
                ({}, 200),
                ({"Host": own}, 200),
                ({"Host": "127.0.0.1"}, 200),  # no port: nothing to compare
                ({"Host": "media.example"}, 200),  # any name (ServerDomains "*")
                ({"Host": "127.0.0.1:1"}, 401),
                ({"Host": f"media.example:{sim.port + 1}"}, 401),
                ({"Host": "127.0.0.1:1", "X-Forwarded-Host": own}, 401),
                ({"Origin": f"http://{own}"}, 200),
                ({"Referer": f"http://{own}/"}, 200),
                ({"Origin": "http://evil.example"}, 401),
                ({"Referer": "http://evil.example/page"}, 401),
                ({"Origin": f"http://127.0.0.1:{sim.port + 1}"}, 401),
                ({"Host": "media.example:80", "Origin": "http://media.example"}, 401),
            ]
            for headers, status in cases:
                async with bare.get(f"{base}/app/version", headers={**session, **headers}) as resp:
                    assert resp.status == status, headers
                    if status == 401:
                        assert await resp.text() == "Unauthorized"
            # checked before the session: no cookie and a bad Host is 401, not 403
            async with bare.get(f"{base}/app/version", headers={"Host": "127.0.0.1:1"}) as resp:
                assert resp.status == 401
            async with bare.post(
                f"{base}/auth/login", data=form, headers={"Origin": "http://evil.example"}
            ) as resp:
                assert resp.status == 401
    finally:
        await sim.stop()


@pytest.mark.parametrize("name", list(FLAVOURS))
async def test_simulator_session_cookie(name: str) -> None:
    """``SID`` below Web API 2.14, ``QBT_SID_<port>`` from it; the other name is no session."""
    sim = flavour(name)
    await sim.start()
    try:
        base = f"{sim.url}/api/v2"
        new = sim.api >= (2, 14)
        assert sim.cookie_name == (f"QBT_SID_{sim.port}" if new else "SID")
        other = "SID" if new else f"QBT_SID_{sim.port}"
        async with aiohttp.ClientSession() as bare:
            form = {"username": "admin", "password": "adminadmin"}
            async with bare.post(f"{base}/auth/login", data=form) as resp:
                sid = resp.cookies[sim.cookie_name].value
            for cookie, status in ((sim.cookie_name, 200), (other, 403)):
                headers = {"Cookie": f"{cookie}={sid}"}
                async with bare.get(f"{base}/app/version", headers=headers) as resp:
                    assert resp.status == status, cookie
            headers = {"Cookie": f"{sim.cookie_name}={sid}"}
            wrong = {**form, "password": "wrong"}  # a valid session: no password check
            async with bare.post(f"{base}/auth/login", data=wrong, headers=headers) as resp:
                assert resp.status == (204 if new else 200)
                assert not resp.cookies
            async with bare.post(f"{base}/auth/logout", headers=headers) as resp:
                assert (resp.status, await resp.text()) == (200, "")
                assert resp.cookies[sim.cookie_name].value == ""
            async with bare.get(f"{base}/app/version", headers=headers) as resp:
                assert resp.status == 403
    finally:
        await sim.stop()


async def test_simulator_add_answers(
    jar_session: aiohttp.ClientSession, sim: QBittorrentSimulator
) -> None:
    """``torrents/add`` as measured on 4.5.2 ("Ok."/"Fails.") and 5.3.0 (JSON/409)."""
    c = client(jar_session, sim)
    await c.async_get_info()
    json_add = sim.api >= (2, 14)

    async def add(*links: str, **fields: str) -> tuple[int, str, Any]:
        form = aiohttp.FormData()
        form.add_field("urls", "\n".join(links))
        for key, value in fields.items():
            form.add_field(key, value)
        async with jar_session.post(f"{sim.url}/api/v2/torrents/add", data=form) as resp:
            return resp.status, resp.content_type, await resp.text()

    def ok(*added: str, failed: int = 0) -> tuple[int, str, Any]:
        if not json_add:
            return 200, "text/plain", "Ok."
        ids = ",".join(f'"{h}"' for h in added)
        body = f'{{"added_torrent_ids":[{ids}],"failure_count":{failed},"pending_count":0,'
        return 200, "application/json", f'{body}"success_count":{len(added)}}}'

    refused = (409, "text/plain", "Conflict") if json_add else (200, "text/plain", "Fails.")
    first, second, kept, ignored = "1" * 40, "2" * 40, "3" * 40, "4" * 40
    assert await add(MAGNET.format(first)) == ok(first)
    assert await add(MAGNET.format(first)) == refused
    assert await add("not a link") == refused
    assert await add(MAGNET.format(first), MAGNET.format(second)) == ok(second, failed=1)
    field, other_field = ("stopped", "paused") if sim.stop_start else ("paused", "stopped")
    assert await add(MAGNET.format(kept), **{field: "true"}) == ok(kept)
    assert await add(MAGNET.format(ignored), **{other_field: "true"}) == ok(ignored)
    assert sim.torrents[kept]["state"] == ("stoppedDL" if sim.stop_start else "pausedDL")
    assert sim.torrents[ignored]["state"] == "metaDL"  # the other generation's field
    with pytest.raises(NotAddedError) as err:
        await c.async_add([MAGNET.format(first)])
    assert err.value.status == refused[0]


async def test_simulator_maindata_generations(jar_session: aiohttp.ClientSession) -> None:
    """rid and full-update shape per generation, as measured on 4.5.2 and 5.3.0.

    4.x: a second ``rid=0`` read answers rid 1 again and a full update carries
    empty sections; 5.x counts on (rid 2), leaves them out, and the diff that
    brings a new torrent leaves its null fields out (``private`` until the
    metadata), so merged diffs equal a full snapshot only with nulls dropped.
    """
    for name in FLAVOURS:
        sim = flavour(name, torrents=[], categories={})
        await sim.start()
        try:
            jar_session.cookie_jar.clear()
            c = client(jar_session, sim)
            api = f"{sim.url}/api/v2"
            await c.async_get_info()
            async with jar_session.get(f"{api}/sync/maindata") as resp:
                raw = await resp.json()
            sections = {"torrents", "categories", "tags", "trackers"}
            assert sections & raw.keys() == (set() if sim.stop_start else sections), name
            state = SyncState()
            state.apply(await c.async_sync_maindata(0))
            assert state.rid == (2 if sim.stop_start else 1), name
            await c.async_add([MAGNET.format(HASH)])
            diff = await c.async_sync_maindata(state.rid)
            state.apply(diff)
            assert ("private" in diff.torrents[HASH]) is False, name
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
                full = await client(other, sim).async_sync_maindata(0)
            fields = full.torrents[HASH]
            assert fields.get("private", "absent") == (None if sim.stop_start else "absent")
            assert state.fields(HASH) == {k: v for k, v in fields.items() if v is not None}
            sim.advance(5)  # the metadata arrives: private becomes false, in the diff
            diff = await c.async_sync_maindata(state.rid)
            assert diff.torrents[HASH].get("private", "absent") == (
                False if sim.stop_start else "absent"
            )
        finally:
            await sim.stop()
