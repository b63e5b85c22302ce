"""The TMDB client against the TMDB simulator, on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
import hashlib
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from custom_components.pandora_box.api.tmdb import (
    MediaDetails,
    MediaPage,
    TMDBClient,
    TMDBRateLimitError,
    is_read_access_token,
)
from simulators.catalogue import MOVIE_GENRES, TITLES, TV_GENRES, by_tmdb
from simulators.tmdb import TMDBSimulator


@pytest.fixture
async def sim() -> AsyncIterator[TMDBSimulator]:
    simulator = TMDBSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


def make(
    session: aiohttp.ClientSession,
    sim: TMDBSimulator,
    *,
    token: bool = False,
    key: str | None = None,
    **kwargs: Any,
) -> TMDBClient:
    credential = key if key is not None else (sim.read_access_token if token else sim.api_key)
    options: dict[str, Any] = {"language": "en-US", "region": "US", **kwargs}
    return TMDBClient(session, f"{sim.url}/3", api_key=credential, **options)


def last(sim: TMDBSimulator, path: str) -> dict[str, str]:
    """The query of the last request for ``path``."""
    return next(r.query for r in reversed(sim.requests) if r.path == path)


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: TMDBSimulator) -> TMDBClient:
    return make(session, sim)


class OtherServer:
    """A stand-in upstream: one fixed answer for every path, or per path (``routes``)."""

    def __init__(
        self, status: int, body: Any, routes: dict[str, tuple[int, Any]] | None = None
    ) -> None:
        self.status, self.body, self.routes = status, body, routes or {}
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> OtherServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        status, body = self.routes.get(request.path, (self.status, self.body))
        return web.json_response(body, status=status)


# -- credentials -------------------------------------------------------------------------


async def test_get_info_with_v3_key(client: TMDBClient, sim: TMDBSimulator) -> None:
    info = await client.async_get_info()
    digest = hashlib.sha256(sim.api_key.encode()).hexdigest()[:16]
    assert info.unique_id == f"tmdb-{digest}"
    assert info.name == "TMDB"
    assert not client.uses_read_access_token
    request = sim.requests[-1]
    assert request.path == "/3/authentication"
    assert request.query["api_key"] == "***"
    assert request.query["language"] == "en-US"


async def test_get_info_with_read_access_token(
    session: aiohttp.ClientSession, sim: TMDBSimulator
) -> None:
    assert is_read_access_token(sim.read_access_token)
    assert not is_read_access_token(sim.api_key)
    client = make(session, sim, token=True)
    assert client.uses_read_access_token
    info = await client.async_get_info()
    digest = hashlib.sha256(sim.read_access_token.encode()).hexdigest()[:16]
    assert info.unique_id == f"tmdb-{digest}"
    assert "api_key" not in sim.requests[-1].query  # the token went in the header


async def test_served_at_root_and_under_3(
    session: aiohttp.ClientSession, sim: TMDBSimulator
) -> None:
    root = TMDBClient(session, sim.url, api_key=sim.api_key, language="en-US", region="US")
    await root.async_get_info()
    assert sim.requests[-1].path == "/authentication"


@pytest.mark.parametrize("token", [False, True])
async def test_bad_credentials(
    session: aiohttp.ClientSession, sim: TMDBSimulator, token: bool
) -> None:
    bad = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln" if token else "0" * 32
    client = make(session, sim, key=bad)
    with pytest.raises(InvalidAuthError, match="status 7") as err:
        await client.async_get_info()
    assert bad not in str(err.value)
    assert err.value.__cause__ is None
    assert ("read-access token" in str(err.value)) is token


async def test_demo_simulator_token_follows_key(session: aiohttp.ClientSession) -> None:
    sim = TMDBSimulator.for_demo(root=Path("/nonexistent"), secret="ab" * 16)
    assert sim.api_key == "ab" * 16
    await sim.start()
    try:
        assert await make(session, sim, token=True).async_get_info()
    finally:
        await sim.stop()
    fixed = TMDBSimulator(read_access_token="eyJa.eyJb.c")
    assert fixed.read_access_token == "eyJa.eyJb.c"


async def test_rotated_key_revokes_key_and_token(
    session: aiohttp.ClientSession, sim: TMDBSimulator
) -> None:
    by_key, by_token = make(session, sim), make(session, sim, token=True)
    await by_key.async_get_info()
    await by_token.async_get_info()
    sim.rotate_credentials(api_key="f" * 32)
    with pytest.raises(InvalidAuthError):
        await by_key.async_get_info()
    with pytest.raises(InvalidAuthError):
        await by_token.async_get_info()
    assert await make(session, sim).async_get_info()
    assert await make(session, sim, token=True).async_get_info()


async def test_simulator_error_bodies(session: aiohttp.ClientSession, sim: TMDBSimulator) -> None:
    async with session.get(f"{sim.url}/3/authentication", params={"api_key": "nope"}) as resp:
        assert resp.status == 401
        assert await resp.json() == {
            "status_code": 7,
            "status_message": "Invalid API key: You must be granted a valid key.",
            "success": False,
        }
    params = {"api_key": sim.api_key}
    async with session.get(f"{sim.url}/3/movie/1", params=params) as resp:
        assert resp.status == 404
        assert (await resp.json())["status_code"] == 34
    async with session.get(f"{sim.url}/3/movie/popular", params={**params, "page": "501"}) as resp:
        assert resp.status == 400
        assert (await resp.json())["status_code"] == 22


async def test_not_tmdb_answers(session: aiohttp.ClientSession) -> None:
    async with OtherServer(200, {"hello": "world"}) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        with pytest.raises(ResponseError, match="not TMDB's"):
            await client.async_get_info()
    async with OtherServer(404, {"error": "nope"}) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        with pytest.raises(ResponseError, match="TMDB API URL") as err:
            await client.async_get_info()
        assert err.value.status == 404


async def test_tolerant_parsing(session: aiohttp.ClientSession) -> None:
    """Unknown fields are ignored, missing optional ones become None, broken items dropped."""
    page = {
        "page": 1,
        "total_pages": 1,
        "total_results": 4,
        "results": [
            {"id": 1, "title": "Bare", "genre_ids": [28, 99999], "new_field": {"x": 1}},
            {"id": 2},  # no title: dropped
            {"title": "No id"},  # dropped
            {"id": 3, "title": "Odd", "release_date": "", "poster_path": "", "genre_ids": "x"},
        ],
    }
    genres = {"genres": [{"id": 28, "name": "Action"}, {"id": "bad"}, {"name": "No id"}]}
    routes = {"/movie/popular": (200, page), "/genre/movie/list": (200, genres)}
    async with OtherServer(404, {}, routes) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        result = await client.async_popular("movie")
        bare, odd = result.results
        assert bare.genres == ("Action",)
        assert bare.year is None
        assert bare.overview is None
        assert bare.rating is None
        assert bare.poster_url is None
        assert odd.genres == ()
        assert odd.release_date is None
        assert await client.async_genres("movie") == {28: "Action"}
    broken = {"page": 1, "results": {}}
    async with OtherServer(200, broken) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        with pytest.raises(ResponseError, match="results list"):
            await client.async_popular("tv")
    async with OtherServer(200, {"page": 1, "results": []}) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        with pytest.raises(ResponseError, match="page numbers"):
            await client.async_upcoming()
    async with OtherServer(200, {"id": 5}) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en", region="US")
        with pytest.raises(ResponseError, match="without an id or a title"):
            await client.async_details("movie", 5)


async def test_rate_limit_with_retry_after(client: TMDBClient, sim: TMDBSimulator) -> None:
    sim.set_rate_limit(7)
    with pytest.raises(TMDBRateLimitError, match="retry after 7 s") as err:
        await client.async_popular("movie")
    assert err.value.retry_after == 7
    assert err.value.status == 429
    assert isinstance(err.value, ResponseError)
    sim.set_rate_limit(None)
    assert (await client.async_popular("movie")).results


# -- lists -------------------------------------------------------------------------------


async def test_trending_drops_people(client: TMDBClient, sim: TMDBSimulator) -> None:
    page = await client.async_trending("all", "day")
    assert isinstance(page, MediaPage)
    assert page.page == 1
    assert {item.media_type for item in page.results} == {"movie", "tv"}
    live = [t for t in TITLES if not t.upcoming]
    assert len(page.results) == len(live)
    # TMDB's count includes the person; one page: the count is what is returned
    assert page.total_pages == 1
    assert page.total_results == len(live)
    assert sim.count("/3/trending/all/day") == 1


async def test_trending_windows_and_types(client: TMDBClient) -> None:
    day = await client.async_trending("movie", "day")
    week = await client.async_trending("movie", "week")
    assert {i.media_type for i in day.results} == {"movie"}
    assert [i.tmdb_id for i in day.results] != [i.tmdb_id for i in week.results]
    assert sorted(i.tmdb_id for i in day.results) == sorted(i.tmdb_id for i in week.results)
    popularity = [i.popularity or 0 for i in week.results]
    assert popularity == sorted(popularity, reverse=True)
    shows = await client.async_trending("tv", "week")
    assert {i.media_type for i in shows.results} == {"tv"}


async def test_popular_items_are_complete(client: TMDBClient, sim: TMDBSimulator) -> None:
    page = await client.async_popular("movie")
    matrix = next(i for i in page.results if i.tmdb_id == 603)
    assert matrix.title == "The Matrix"
    assert matrix.year == 1999
    assert matrix.release_date == "1999-03-31"
    assert matrix.rating == 8.2
    assert matrix.genres == ("Action", "Science Fiction")
    title = by_tmdb("movie", 603)
    assert title is not None
    assert matrix.poster_url == f"https://image.tmdb.org/t/p/w500{title.poster_path}"
    assert matrix.backdrop_url == f"https://image.tmdb.org/t/p/w1280{title.backdrop_path}"
    assert matrix.overview
    query = last(sim, "/3/movie/popular")
    assert query["region"] == "US"
    assert query["language"] == "en-US"
    assert query["page"] == "1"
    shows = await client.async_popular("tv")
    assert shows.results[0].media_type == "tv"
    assert shows.results[0].title == "Severance"  # the most popular show


async def test_popularity_change_reorders(client: TMDBClient, sim: TMDBSimulator) -> None:
    before = await client.async_popular("tv")
    assert before.results[0].tmdb_id == 95396
    sim.set_popularity("tv", 2316, 999.0)
    after = await client.async_popular("tv")
    assert after.results[0].tmdb_id == 2316
    assert after.results[0].popularity == 999.0
    with pytest.raises(ValueError, match="no tv 1"):
        sim.set_popularity("tv", 1, 1.0)


async def test_upcoming_and_on_the_air(client: TMDBClient, sim: TMDBSimulator) -> None:
    upcoming = await client.async_upcoming()
    assert [i.tmdb_id for i in upcoming.results] == [1084736]
    assert sim.count("/3/movie/upcoming") == 1
    on_air = await client.async_on_the_air()
    assert [i.title for i in on_air.results] == ["Severance"]
    assert on_air.results[0].genres == ("Drama", "Mystery", "Sci-Fi & Fantasy")


async def test_paging(session: aiohttp.ClientSession) -> None:
    sim = TMDBSimulator(extra_titles=50)
    await sim.start()
    try:
        client = make(session, sim)
        first = await client.async_popular("movie")
        movies = [t for t in sim.titles if t.media_type == "movie" and not t.upcoming]
        assert first.total_results == len(movies)
        assert first.total_pages == (len(movies) + 19) // 20
        assert len(first.results) == 20
        second = await client.async_popular("movie", page=2)
        assert second.page == 2
        assert len(second.results) == len(movies) - 20
        assert not {i.tmdb_id for i in first.results} & {i.tmdb_id for i in second.results}
        beyond = await client.async_popular("movie", page=3)
        assert beyond.results == ()
    finally:
        await sim.stop()


async def test_bad_arguments_never_reach_tmdb(client: TMDBClient, sim: TMDBSimulator) -> None:
    with pytest.raises(ValueError, match="page"):
        await client.async_popular("movie", page=0)
    with pytest.raises(ValueError, match="page"):
        await client.async_trending(page=501)
    with pytest.raises(ValueError, match="media_type"):
        await client.async_popular("person")  # type: ignore[arg-type]  # deliberately wrong
    with pytest.raises(ValueError, match="time_window"):
        await client.async_trending("all", "month")  # type: ignore[arg-type]  # deliberately wrong
    with pytest.raises(ValueError, match="query"):
        await client.async_search("  ")
    assert sim.requests == []


# -- search ------------------------------------------------------------------------------


async def test_search_movie_with_year(client: TMDBClient, sim: TMDBSimulator) -> None:
    page = await client.async_search("matrix", media_type="movie", year=1999)
    assert [i.tmdb_id for i in page.results] == [603]
    query = last(sim, "/3/search/movie")
    assert query["primary_release_year"] == "1999"
    assert query["query"] == "matrix"
    assert query["region"] == "US"
    none = await client.async_search("matrix", media_type="movie", year=2000)
    assert none.results == ()
    assert none.total_results == 0


async def test_search_tv_with_year(client: TMDBClient, sim: TMDBSimulator) -> None:
    page = await client.async_search("breaking", media_type="tv", year=2008)
    assert [(i.tmdb_id, i.media_type) for i in page.results] == [(1396, "tv")]
    assert last(sim, "/3/search/tv")["first_air_date_year"] == "2008"
    assert "primary_release_year" not in last(sim, "/3/search/tv")


async def test_search_multi_drops_people_and_filters_year(
    client: TMDBClient, sim: TMDBSimulator
) -> None:
    page = await client.async_search("the", media_type="multi")
    kinds = {i.media_type for i in page.results}
    assert kinds == {"movie", "tv"}
    # a person was in TMDB's answer; the count is of what is returned
    assert page.total_pages == 1
    assert page.total_results == len(page.results)
    people = await client.async_search("keanu")
    assert people.results == ()
    assert people.total_results == 0
    dated = await client.async_search("the", year=2005)
    assert [i.title for i in dated.results] == ["The Office"]
    assert dated.total_results == 1
    assert "year" not in last(sim, "/3/search/multi")  # multi search has no year filter


# -- details and genres ------------------------------------------------------------------


async def test_movie_details(client: TMDBClient, sim: TMDBSimulator) -> None:
    details = await client.async_details("movie", 27205)
    assert isinstance(details, MediaDetails)
    assert details.title == "Inception"
    assert details.imdb_id == "tt1375666"
    assert details.runtime == 148
    assert details.status == "Released"
    assert details.number_of_seasons is None
    assert details.genres == ("Action", "Science Fiction", "Adventure")
    assert last(sim, "/3/movie/27205")["append_to_response"] == "external_ids"


async def test_tv_details(client: TMDBClient) -> None:
    details = await client.async_details("tv", 1396)
    assert details.media_type == "tv"
    assert details.imdb_id == "tt0903747"  # from external_ids: shows have no imdb_id
    assert details.runtime == 47
    assert details.status == "Ended"
    assert details.number_of_seasons == 5
    assert details.year == 2008


async def test_simulator_sends_empty_episode_run_time_for_most_shows(
    session: aiohttp.ClientSession, sim: TMDBSimulator
) -> None:
    """As TMDB today: ``[]`` for most shows, the run time on the last episode."""
    shows = [t for t in TITLES if t.media_type == "tv"]
    run_times: dict[int, list[int]] = {}
    for show in shows:
        url = f"{sim.url}/3/tv/{show.tmdb_id}"
        async with session.get(url, params={"api_key": sim.api_key}) as resp:
            body = await resp.json()
        run_times[show.tmdb_id] = body["episode_run_time"]
        if show.upcoming:
            assert body["last_episode_to_air"] is None
        else:
            assert body["last_episode_to_air"]["runtime"] == show.runtime
            assert body["last_episode_to_air"]["show_id"] == show.tmdb_id
    empty = [tmdb_id for tmdb_id, value in run_times.items() if value == []]
    assert len(empty) > len(shows) / 2
    assert run_times[2316] == [22]  # an older entry that kept its list


async def test_show_runtime_falls_back_to_the_last_episode(client: TMDBClient) -> None:
    """Breaking Bad's ``episode_run_time`` is ``[]``: the runtime comes from its last episode."""
    show = by_tmdb("tv", 1396)
    assert show is not None
    assert show.runtime == 47
    details = await client.async_details("tv", 1396)
    assert details.runtime == 47
    assert (await client.async_details("tv", 2316)).runtime == 22  # from episode_run_time


@pytest.mark.parametrize(
    ("body", "runtime"),
    [
        ({"episode_run_time": [], "last_episode_to_air": {"runtime": 58}}, 58),
        ({"episode_run_time": [0, 44], "last_episode_to_air": {"runtime": 58}}, 44),
        (
            {
                "episode_run_time": [],
                "last_episode_to_air": {"runtime": None},
                "next_episode_to_air": {"runtime": 61},
            },
            61,
        ),
        ({"episode_run_time": [], "last_episode_to_air": None}, None),
        ({"last_episode_to_air": {"runtime": 0}, "next_episode_to_air": None}, None),
        ({"episode_run_time": "45", "last_episode_to_air": "soon"}, None),
    ],
)
async def test_show_runtime_sources(
    session: aiohttp.ClientSession, body: dict[str, Any], runtime: int | None
) -> None:
    """Run time: the first non-zero of the list, else the last then the next episode's."""
    show = {"id": 7, "name": "A Show", "first_air_date": "2020-01-01", **body}
    async with OtherServer(200, show) as other:
        client = TMDBClient(session, other.url, api_key="k" * 32, language="en-US", region="US")
        details = await client.async_details("tv", 7)
    assert details.runtime == runtime


async def test_details_not_found(client: TMDBClient) -> None:
    with pytest.raises(ResponseError, match="no such film with id 1") as err:
        await client.async_details("movie", 1)
    assert err.value.status == 404
    assert "status 34" in str(err.value)
    with pytest.raises(ResponseError) as err:
        await client.async_details("tv", 603)  # a film's id is not a show's
    assert err.value.status == 404


async def test_genres_cached_per_client(client: TMDBClient, sim: TMDBSimulator) -> None:
    assert await client.async_genres("movie") == MOVIE_GENRES
    assert await client.async_genres("tv") == TV_GENRES
    await client.async_popular("movie")
    await client.async_trending("all", "week")
    await client.async_genres("movie")
    assert sim.count("/3/genre/movie/list") == 1
    assert sim.count("/3/genre/tv/list") == 1


async def test_language_is_sent(session: aiohttp.ClientSession, sim: TMDBSimulator) -> None:
    client = make(session, sim, language="de-DE", region="DE")
    page = await client.async_search("inception", media_type="movie")
    assert page.results[0].genres == ("Action", "Science Fiction", "Abenteuer")
    for request in sim.requests:  # search and genre list alike
        assert request.query["language"] == "de-DE"
        assert request.query["region"] == "DE"


# -- faults ------------------------------------------------------------------------------


async def test_down(client: TMDBClient, sim: TMDBSimulator) -> None:
    sim.set_fault("down")
    with pytest.raises(CannotConnectError) as err:
        await client.async_get_info()
    assert err.value.__cause__ is None
    await sim.stop()
    with pytest.raises(CannotConnectError, match="Cannot connect"):
        await client.async_get_info()


async def test_server_error(client: TMDBClient, sim: TMDBSimulator) -> None:
    sim.set_fault("status", status=500)
    with pytest.raises(CannotConnectError, match="HTTP 500"):
        await client.async_popular("movie")
    sim.clear_fault()
    assert (await client.async_popular("movie")).results


async def test_malformed_and_oversized(client: TMDBClient, sim: TMDBSimulator) -> None:
    sim.set_fault("malformed")
    with pytest.raises(ResponseError, match="not valid JSON"):
        await client.async_get_info()
    sim.set_fault("oversized", size=20 * 1024 * 1024)
    with pytest.raises(ResponseError, match="larger than"):
        await client.async_details("movie", 603)


async def test_hang_times_out(session: aiohttp.ClientSession, sim: TMDBSimulator) -> None:
    client = make(session, sim, timeout=0.5)
    sim.set_fault("hang")
    with pytest.raises(CannotConnectError, match="did not answer"):
        await client.async_get_info()


async def test_key_never_in_messages(session: aiohttp.ClientSession, sim: TMDBSimulator) -> None:
    client = make(session, sim, timeout=0.5)
    for mode, kwargs in (("down", {}), ("status", {"status": 503}), ("malformed", {})):
        sim.set_fault(mode, **kwargs)
        with pytest.raises((CannotConnectError, ResponseError)) as err:
            await client.async_popular("movie")
        assert sim.api_key not in str(err.value)
