"""The Jellyfin client against the Jellyfin simulator, on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from custom_components.pandora_box.api.jellyfin import (
    CLIENT_NAME,
    CLIENT_VERSION,
    DEVICE_NAME,
    JellyfinClient,
    authorization_header,
    parse_date,
    ticks_to_seconds,
)
from simulators.jellyfin import JellyfinSimulator, SimSession, guid, parse_authorization

WRONG_KEY = "0" * 32


@pytest.fixture
async def sim() -> AsyncIterator[JellyfinSimulator]:
    simulator = JellyfinSimulator(scan_seconds=30.0)
    await simulator.start()
    yield simulator
    await simulator.stop()


def make_client(
    session: aiohttp.ClientSession, url: str, api_key: str, **kwargs: Any
) -> JellyfinClient:
    return JellyfinClient(session, url, api_key=api_key, **kwargs)


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: JellyfinSimulator) -> JellyfinClient:
    return make_client(session, sim.url, sim.api_key)


# -- identity and auth -------------------------------------------------------------------


async def test_get_info(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    info = await client.async_get_info()
    assert info.unique_id == sim.server_id
    assert info.name == "Pandora Jellyfin"
    assert info.version == "10.10.7"
    assert [r.path for r in sim.requests] == ["/System/Info/Public", "/System/Info"]


async def test_get_info_reports_server_name_and_version(session: aiohttp.ClientSession) -> None:
    sim = JellyfinSimulator(server_name="Attic", version="10.11.3", server_id="a" * 32)
    await sim.start()
    try:
        info = await make_client(session, sim.url + "/", sim.api_key).async_get_info()
    finally:
        await sim.stop()
    assert (info.unique_id, info.name, info.version) == ("a" * 32, "Attic", "10.11.3")


async def test_authorization_header_is_the_recommended_form(
    client: JellyfinClient, sim: JellyfinSimulator
) -> None:
    await client.async_item_counts()
    assert len(sim.authorizations) == 1
    parts = sim.authorizations[0]
    assert parts["Client"] == CLIENT_NAME == "Pandora Box"
    assert parts["Device"] == DEVICE_NAME
    assert parts["Version"] == CLIENT_VERSION
    assert len(parts["DeviceId"]) == 32
    assert parts["Token"] == "***"  # the simulator masks it; it matched, or we'd have a 401


async def test_key_never_in_a_url(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    await client.async_get_info()
    await client.async_latest_items()
    await client.async_sessions()
    for req in sim.requests:
        assert sim.api_key not in req.path
        assert all(sim.api_key not in v for v in req.query.values())
        assert not {"api_key", "ApiKey"} & set(req.query)


def test_authorization_header_encodes_values() -> None:
    header = authorization_header('a"b,c', device_id="dev")
    assert header.startswith("MediaBrowser ")
    assert 'Client="Pandora%20Box"' in header
    assert parse_authorization(header, allow_emby=False) == {
        "Client": "Pandora Box",
        "Device": "Home Assistant",
        "DeviceId": "dev",
        "Version": CLIENT_VERSION,
        "Token": 'a"b,c',
    }


def test_device_id_is_stable_per_url(session: aiohttp.ClientSession) -> None:
    first = make_client(session, "http://jf.local:8096", "k")
    again = make_client(session, "http://jf.local:8096/", "other")
    other = make_client(session, "http://jf2.local:8096", "k")

    def dev(client: JellyfinClient) -> str:
        parsed = parse_authorization(client._headers["Authorization"], allow_emby=False)
        assert parsed is not None
        return parsed["DeviceId"]

    assert dev(first) == dev(again) != dev(other)


async def test_wrong_key_is_invalid_auth(
    session: aiohttp.ClientSession, sim: JellyfinSimulator
) -> None:
    client = make_client(session, sim.url, WRONG_KEY)
    with pytest.raises(InvalidAuthError) as err:
        await client.async_get_info()
    assert WRONG_KEY not in str(err.value)
    assert sim.api_key not in str(err.value)


async def test_rotated_key_is_invalid_auth(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    await client.async_sessions()
    sim.rotate_credentials(api_key="b" * 32)
    with pytest.raises(InvalidAuthError):
        await client.async_sessions()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"product_name": "Emby Server"},
        {"server_id": "not-an-id"},
        {"version": ""},
    ],
)
async def test_not_jellyfin_is_response_error(
    session: aiohttp.ClientSession, kwargs: dict[str, Any]
) -> None:
    sim = JellyfinSimulator(**kwargs)
    await sim.start()
    try:
        with pytest.raises(ResponseError, match="not a Jellyfin server"):
            await make_client(session, sim.url, sim.api_key).async_get_info()
    finally:
        await sim.stop()
    assert sim.count("/System/Info/Public") == 1
    assert len(sim.requests) == 1  # the key was never sent to it


async def test_unfinished_setup_wizard_is_response_error(session: aiohttp.ClientSession) -> None:
    sim = JellyfinSimulator(startup_wizard_completed=False)
    await sim.start()
    try:
        with pytest.raises(ResponseError, match="setup wizard"):
            await make_client(session, sim.url, WRONG_KEY).async_get_info()
    finally:
        await sim.stop()


# -- answers of the wrong shape from something else on the port ---------------------------

ShapeServer = Callable[[dict[str, Any]], Awaitable[str]]


@pytest.fixture
async def shape_server() -> AsyncIterator[ShapeServer]:
    """Start a server answering fixed bodies per path; return its URL."""
    servers: list[TestServer] = []

    async def start(bodies: dict[str, Any]) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            body = bodies.get(request.path)
            if body is None:
                return web.Response(status=404)
            if isinstance(body, str):
                return web.Response(text=body, content_type="text/html")
            return web.json_response(body)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    yield start
    for server in servers:
        await server.close()


PUBLIC = {
    "ServerName": "X",
    "Version": "10.9.11",
    "ProductName": "Jellyfin Server",
    "Id": "c" * 32,
    "StartupWizardCompleted": True,
}


@pytest.mark.parametrize(
    "public",
    [
        "<html>router login</html>",
        ["not", "an", "object"],
        {"status": "ok"},
        {**PUBLIC, "Id": 42},
        {**PUBLIC, "ProductName": None},
    ],
)
async def test_public_info_wrong_shape(
    session: aiohttp.ClientSession, shape_server: ShapeServer, public: Any
) -> None:
    url = await shape_server({"/System/Info/Public": public})
    with pytest.raises(ResponseError):
        await make_client(session, url, "k").async_get_info()


async def test_info_falls_back_to_public_fields(
    session: aiohttp.ClientSession, shape_server: ShapeServer
) -> None:
    url = await shape_server({"/System/Info/Public": PUBLIC, "/System/Info": {}})
    info = await make_client(session, url, "k").async_get_info()
    assert (info.unique_id, info.name, info.version) == ("c" * 32, "X", "10.9.11")


async def test_dashed_server_id_is_normalised(
    session: aiohttp.ClientSession, shape_server: ShapeServer
) -> None:
    dashed = "C" * 8 + "-" + "C" * 4 + "-" + "C" * 4 + "-" + "C" * 4 + "-" + "C" * 12
    url = await shape_server({"/System/Info/Public": {**PUBLIC, "Id": dashed}, "/System/Info": {}})
    assert (await make_client(session, url, "k").async_get_info()).unique_id == "c" * 32


@pytest.mark.parametrize(
    ("path", "body", "call"),
    [
        ("/Items/Counts", {"Foo": 1}, "async_item_counts"),
        ("/Items/Counts", [], "async_item_counts"),
        ("/Items", {"Items": "nope"}, "async_latest_items"),
        ("/Items", {"Items": [{"Name": "no id"}]}, "async_latest_items"),
        ("/Items", {"Items": [3]}, "async_latest_items"),
        ("/Sessions", {"Id": "x"}, "async_sessions"),
        ("/Sessions", [{"UserName": "no id"}], "async_sessions"),
        ("/ScheduledTasks", [{"Name": "no key"}], "async_scheduled_tasks"),
        ("/ScheduledTasks", {}, "async_library_scan_task"),
        ("/Library/VirtualFolders", [{"Locations": []}], "async_virtual_folders"),
        ("/Library/VirtualFolders", None, "async_virtual_folders"),
    ],
)
async def test_wrong_shapes_are_response_errors(
    session: aiohttp.ClientSession, shape_server: ShapeServer, path: str, body: Any, call: str
) -> None:
    url = await shape_server({path: body} if body is not None else {path: "null"})
    with pytest.raises(ResponseError):
        await getattr(make_client(session, url, "k"), call)()


async def test_lenient_parsing(session: aiohttp.ClientSession, shape_server: ShapeServer) -> None:
    """Unknown fields are ignored, missing optional ones become None."""
    url = await shape_server(
        {
            "/Sessions": [
                {"Id": "s", "NowPlayingItem": {"Name": "N", "Extra": 1}, "PlayState": "odd"}
            ],
            "/Items": {"Items": [{"Id": "i", "Name": "N", "ImageTags": {}, "DateCreated": "x"}]},
            "/Library/VirtualFolders": [{"Name": "L", "Locations": "odd"}],
            "/ScheduledTasks": [{"Key": "K", "State": "Idle", "LastExecutionResult": None}],
        }
    )
    client = make_client(session, url, "k")
    [sess] = await client.async_sessions()
    assert sess.user_name is None
    assert sess.last_activity is None
    assert sess.now_playing is not None
    assert sess.now_playing.position_s is None
    assert sess.now_playing.paused is False
    assert sess.now_playing.progress is None
    [item] = await client.async_latest_items()
    assert item.image_url is None
    assert item.date_created is None
    assert item.year is None
    [folder] = await client.async_virtual_folders()
    assert folder.locations == ()
    assert folder.collection_type is None
    [task] = await client.async_scheduled_tasks()
    assert task.name == "K"
    assert task.last_result_status is None
    assert task.progress is None
    assert await client.async_library_scan_task() is None


# -- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "kwargs", "error"),
    [
        ("down", {}, CannotConnectError),
        ("status", {"status": 500}, CannotConnectError),
        ("status", {"status": 503}, CannotConnectError),
        ("status", {"status": 401}, InvalidAuthError),
        ("status", {"status": 403}, ResponseError),  # not allowed: never invalid auth
        ("status", {"status": 404}, ResponseError),
        ("malformed", {}, ResponseError),
        ("hang", {}, CannotConnectError),
        ("oversized", {"size": 20 * 1024 * 1024}, ResponseError),
    ],
)
@pytest.mark.parametrize(
    "call",
    ["async_get_info", "async_item_counts", "async_sessions", "async_latest_items"],
)
async def test_faults(
    session: aiohttp.ClientSession,
    sim: JellyfinSimulator,
    fault: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    call: str,
) -> None:
    # streaming 20 MiB takes a moment on a loaded machine: only "hang" needs the short timeout
    timeout = 0.5 if fault == "hang" else 10
    client = make_client(session, sim.url, sim.api_key, timeout=timeout)
    sim.set_fault(fault, **kwargs)
    with pytest.raises(error) as err:
        await getattr(client, call)()
    assert sim.api_key not in str(err.value)


@pytest.mark.parametrize("path", ["/System/Info/Public", "/System/Info"])
async def test_fault_on_either_info_route(
    client: JellyfinClient, sim: JellyfinSimulator, path: str
) -> None:
    sim.set_fault("status", status=500, path=path)
    with pytest.raises(CannotConnectError):
        await client.async_get_info()


async def test_stopped_server_is_cannot_connect(
    client: JellyfinClient, sim: JellyfinSimulator
) -> None:
    await sim.stop()
    with pytest.raises(CannotConnectError):
        await client.async_get_info()
    await sim.start()
    assert (await client.async_get_info()).unique_id == sim.server_id


async def test_refresh_faults(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.set_fault("status", status=500, path="/Library/Refresh")
    with pytest.raises(CannotConnectError):
        await client.async_refresh_library()
    assert not sim.scanning


# -- library --------------------------------------------------------------------------------


async def test_item_counts_follow_the_library(
    client: JellyfinClient, sim: JellyfinSimulator
) -> None:
    counts = await client.async_item_counts()
    expected = sim.counts()
    assert counts.movies == expected["MovieCount"] == 5
    assert counts.series == expected["SeriesCount"] == 3
    assert counts.episodes == expected["EpisodeCount"] == 9
    assert counts.songs == 6
    assert counts.albums == 1
    assert counts.books == 2
    assert counts.box_sets == counts.music_videos == counts.items == 0
    sim.add_item("Arrival", "Movie", year=2016)
    sim.add_item("Pilot", "Episode", series_name="Andor", season=1)
    after = await client.async_item_counts()
    assert (after.movies, after.series, after.episodes) == (6, 4, 10)


async def test_latest_items(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    items = await client.async_latest_items(limit=3)
    assert [i.name for i in items] == ["Oppenheimer", "Episode 3", "Episode 2"]
    query = sim.requests[-1].query
    assert query["SortBy"] == "DateCreated"
    assert query["SortOrder"] == "Descending"
    assert query["IncludeItemTypes"] == "Movie,Episode"
    assert query["Recursive"] == "true"
    assert query["Limit"] == "3"
    assert "userId" not in query  # an API key needs none
    movie, episode = items[0], items[1]
    assert movie.type == "Movie"
    assert movie.year == 2023
    assert movie.series_name is None
    assert episode.type == "Episode"
    assert episode.series_name == "Severance"
    assert (episode.season, episode.episode) == (1, 3)
    assert movie.date_created is not None
    assert episode.date_created is not None
    assert movie.date_created > episode.date_created
    assert movie.image_url == (
        f"{sim.url}/Items/{movie.id}/Images/Primary?tag={sim.find('Oppenheimer').image_tag}"
    )
    series = sim.find("Severance")
    assert episode.image_url == f"{sim.url}/Items/{series.id}/Images/Primary?tag={series.image_tag}"


async def test_image_urls_work_without_the_key(
    client: JellyfinClient, session: aiohttp.ClientSession
) -> None:
    for item in await client.async_latest_items(limit=2):
        assert item.image_url is not None
        async with session.get(item.image_url) as resp:
            assert resp.status == 200
            assert resp.content_type == "image/png"
            assert (await resp.read()).startswith(b"\x89PNG")


async def test_new_item_is_latest(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.advance(60)
    item_id = sim.add_item("Inception")
    [latest] = await client.async_latest_items(limit=1)
    assert latest.id == item_id
    assert latest.year == 2010
    assert latest.date_created == sim.now()


async def test_virtual_folders(client: JellyfinClient) -> None:
    folders = await client.async_virtual_folders()
    assert [(f.name, f.collection_type, f.locations) for f in folders] == [
        ("Movies", "movies", ("/media/movies",)),
        ("Shows", "tvshows", ("/media/shows",)),
        ("Music", "music", ("/media/music",)),
        ("Books", "books", ("/media/books",)),
    ]
    assert all(f.item_id for f in folders)


# -- sessions -------------------------------------------------------------------------------


async def test_sessions(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sessions = await client.async_sessions()
    assert sim.requests[-1].query == {"activeWithinSeconds": "960"}
    assert [s.user_name for s in sessions] == ["alice", "bob"]  # carol is 2 h idle
    alice, bob = sessions
    assert alice.client == "Jellyfin Web"
    assert alice.device_name == "Firefox"
    assert alice.id == guid("session:alice")
    playing = alice.now_playing
    assert playing is not None
    assert playing.name == "The Matrix"
    assert playing.type == "Movie"
    assert playing.runtime_s == 136 * 60
    assert playing.position_s == 1200
    assert playing.paused is False
    assert playing.progress == pytest.approx(1200 / (136 * 60) * 100)
    assert bob.now_playing is None
    assert bob.last_activity == sim.now() - timedelta(seconds=60)


async def test_session_window(client: JellyfinClient) -> None:
    everyone = await client.async_sessions(active_within_seconds=86400)
    assert [s.user_name for s in everyone] == ["alice", "bob", "carol"]
    assert [s.user_name for s in await client.async_sessions(active_within_seconds=30)] == ["alice"]


async def test_playback_advances_and_pauses(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.advance(30)
    [alice, _] = await client.async_sessions()
    assert alice.now_playing is not None
    assert alice.now_playing.position_s == 1230
    sim.pause("alice")
    sim.advance(30)
    [alice, _] = await client.async_sessions()
    assert alice.now_playing is not None
    assert alice.now_playing.paused is True
    assert alice.now_playing.position_s == 1230
    sim.play("bob", "Episode 2", position_s=10)
    sim.advance(5)
    sim.stop_playback("alice")
    alice, bob = await client.async_sessions()
    assert alice.now_playing is None
    assert bob.now_playing is not None
    assert bob.now_playing.series_name in ("Breaking Bad", "The Office", "Severance")
    assert bob.now_playing.type == "Episode"
    assert bob.now_playing.position_s == 15


async def test_position_stops_at_the_end(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.advance(10 * 3600)
    [alice] = await client.async_sessions(active_within_seconds=60)
    assert alice.now_playing is not None
    assert alice.now_playing.position_s == alice.now_playing.runtime_s
    assert alice.now_playing.progress == 100


async def test_set_sessions(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.set_sessions([])
    assert await client.async_sessions() == []
    sim.set_sessions(
        [SimSession(id="d" * 32, user_name=None, client="DLNA", device_name="TV", device_id="tv")]
    )
    [only] = await client.async_sessions()
    assert (only.id, only.user_name, only.client) == ("d" * 32, None, "DLNA")


# -- scheduled tasks and the library scan -----------------------------------------------------


async def test_scheduled_tasks(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    tasks = await client.async_scheduled_tasks()
    names = [t.name for t in tasks]
    assert names == sorted(names)
    by_key = {t.key: t for t in tasks}
    scan = by_key["RefreshLibrary"]
    assert scan.name == "Scan Media Library"
    assert scan.category == "Library"
    assert scan.state == "Idle"
    assert not scan.running
    assert scan.progress is None
    assert scan.last_result_status == "Completed"
    assert scan.last_end is not None
    assert scan.last_end < sim.now()
    assert by_key["PluginUpdates"].last_result_status is None


async def test_scan_lifecycle(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    before = await client.async_item_counts()
    await client.async_refresh_library()
    assert sim.count("/Library/Refresh", method="POST") == 1
    task = await client.async_library_scan_task()
    assert task is not None
    assert task.state == "Running"
    assert task.running
    assert task.progress == 0
    new_id = sim.add_item("Arrival", "Movie", year=2016)
    assert (await client.async_item_counts()).movies == before.movies  # not scanned yet
    sim.advance(15)
    task = await client.async_library_scan_task()
    assert task is not None
    assert task.progress == pytest.approx(50)
    folders = await client.async_virtual_folders()
    assert folders  # shown as refreshing by the simulator; client ignores that
    sim.advance(15)
    task = await client.async_library_scan_task()
    assert task is not None
    assert task.state == "Idle"
    assert task.progress is None
    assert task.last_result_status == "Completed"
    assert task.last_end == sim.now()
    assert (await client.async_item_counts()).movies == before.movies + 1
    [latest] = await client.async_latest_items(limit=1)
    assert latest.id == new_id
    assert latest.date_created == sim.now()


async def test_refresh_during_scan_restarts_it(
    client: JellyfinClient, sim: JellyfinSimulator
) -> None:
    await client.async_refresh_library()
    sim.advance(20)
    await client.async_refresh_library()
    task = await client.async_library_scan_task()
    assert task is not None
    assert task.running
    assert task.progress == 0
    assert task.last_result_status == "Cancelled"
    sim.advance(30)
    task = await client.async_library_scan_task()
    assert task is not None
    assert task.last_result_status == "Completed"


async def test_items_can_wait_for_a_scan(client: JellyfinClient, sim: JellyfinSimulator) -> None:
    sim.add_item("Pilot", "Episode", series_name="Andor", wait_for_scan=True)
    assert (await client.async_item_counts()).series == 3
    sim.start_scan()
    sim.advance(sim.scan_seconds)
    counts = await client.async_item_counts()
    assert (counts.series, counts.episodes) == (4, 10)


async def test_demo_clock_follows_wall_time(tmp_path: Any) -> None:
    sim = JellyfinSimulator.for_demo(root=tmp_path, secret="s" * 32)
    assert sim.api_key == "s" * 32
    assert sim.realtime
    first = sim.elapsed()
    later = sim.elapsed()
    assert later >= first
    sim.scan_seconds = 0.0
    sim.start_scan()
    assert not sim.scanning


# -- the simulator's own auth and routes ------------------------------------------------------


async def _status(
    session: aiohttp.ClientSession,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    async with session.get(url, headers=headers, params=params) as resp:
        return resp.status, await resp.read()


async def test_simulator_auth_methods(
    session: aiohttp.ClientSession, sim: JellyfinSimulator
) -> None:
    url = f"{sim.url}/Items/Counts"
    key = sim.api_key
    assert await _status(session, url) == (401, b"")
    assert (await _status(session, url, headers={"Authorization": f'MediaBrowser Token="{key}"'}))[
        0
    ] == 200
    assert (await _status(session, url, headers={"Authorization": f'Emby Token="{key}"'}))[0] == 200
    assert (await _status(session, url, headers={"Authorization": f'Bearer "{key}"'}))[0] == 401
    assert (await _status(session, url, headers={"X-Emby-Token": key}))[0] == 200
    assert (await _status(session, url, headers={"X-MediaBrowser-Token": key}))[0] == 200
    assert (
        await _status(session, url, headers={"X-Emby-Authorization": f'MediaBrowser Token="{key}"'})
    )[0] == 200
    assert (await _status(session, url, params={"api_key": key}))[0] == 200
    assert (await _status(session, url, params={"ApiKey": key}))[0] == 200
    assert (await _status(session, url, headers={"X-Emby-Token": WRONG_KEY}))[0] == 401
    public = await _status(session, f"{sim.url}/System/Info/Public", headers={"X-Emby-Token": "x"})
    assert public[0] == 200


def test_simulator_legacy_auth_default_follows_version() -> None:
    assert JellyfinSimulator(version="10.9.11").legacy_authorization
    assert JellyfinSimulator(version="10.11.3").legacy_authorization
    assert not JellyfinSimulator(version="12.0.0").legacy_authorization


async def test_simulator_without_legacy_auth(session: aiohttp.ClientSession) -> None:
    sim = JellyfinSimulator(version="10.11.3", legacy_authorization=False)
    await sim.start()
    try:
        url, key = f"{sim.url}/Items/Counts", sim.api_key
        assert (await _status(session, url, headers={"X-Emby-Token": key}))[0] == 401
        assert (await _status(session, url, params={"api_key": key}))[0] == 401
        assert (await _status(session, url, headers={"Authorization": f'Emby Token="{key}"'}))[
            0
        ] == 401
        assert (await _status(session, url, params={"ApiKey": key}))[0] == 200
        info = await make_client(session, sim.url, key).async_get_info()
        assert info.version == "10.11.3"
    finally:
        await sim.stop()


async def test_simulator_items_route(
    session: aiohttp.ClientSession, sim: JellyfinSimulator
) -> None:
    headers = {"Authorization": f'MediaBrowser Token="{sim.api_key}"'}
    async with session.get(
        f"{sim.url}/Items", headers=headers, params={"IncludeItemTypes": "Film"}
    ) as resp:
        assert resp.status == 400
        assert resp.content_type == "application/problem+json"
    async with session.get(f"{sim.url}/Items", headers=headers) as resp:
        views = await resp.json()
    assert [v["CollectionType"] for v in views["Items"]] == ["movies", "tvshows", "music", "books"]
    movies_id = views["Items"][0]["Id"]
    async with session.get(
        f"{sim.url}/Items",
        headers=headers,
        params={"parentId": movies_id, "sortBy": "ProductionYear", "fields": "ProviderIds"},
    ) as resp:
        body = await resp.json()
    assert [i["ProductionYear"] for i in body["Items"]] == [1999, 2010, 2014, 2023, 2024]
    assert body["Items"][0]["ProviderIds"] == {"Tmdb": "603", "Imdb": "tt0133093"}
    assert "DateCreated" not in body["Items"][0]  # only with Fields=DateCreated
    assert body["TotalRecordCount"] == 5
    async with session.get(f"{sim.url}/Items/{'e' * 32}/Images/Primary") as resp:
        assert resp.status == 404


async def test_simulator_refresh_needs_the_key(
    session: aiohttp.ClientSession, sim: JellyfinSimulator
) -> None:
    async with session.post(f"{sim.url}/Library/Refresh") as resp:
        assert resp.status == 401
    assert not sim.scanning
    async with session.post(
        f"{sim.url}/Library/Refresh", headers={"X-Emby-Token": sim.api_key}
    ) as resp:
        assert resp.status == 204
    assert sim.scanning


def test_parse_authorization_like_jellyfin() -> None:
    parsed = parse_authorization(
        'MediaBrowser Client="Jellyfin%20Web", Device="Fire,fox", Token="abc"', allow_emby=False
    )
    assert parsed == {"Client": "Jellyfin Web", "Device": "Fire,fox", "Token": "abc"}
    assert parse_authorization("MediaBrowser", allow_emby=True) is None
    assert parse_authorization('Emby Token="x"', allow_emby=False) is None


def test_helpers() -> None:
    assert ticks_to_seconds(15_000_000) == 1.5
    assert ticks_to_seconds(None) is None
    assert ticks_to_seconds("x") is None
    assert parse_date("2025-03-01T12:00:00.1234567Z") == datetime(
        2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_date("2025-03-01T12:00:00") == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert parse_date("0001-01-01T00:00:00.0000000Z") is None
    assert parse_date("") is None
    assert parse_date("soon") is None
