"""The Watchmode client against the Watchmode simulator (and with TMDB's), on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
import hashlib
from typing import Any

import aiohttp
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from custom_components.pandora_box.api.tmdb import TMDBClient
from custom_components.pandora_box.api.watchmode import (
    StreamingSource,
    WatchmodeClient,
    WatchmodeQuotaError,
    WatchmodeRateLimitError,
    WatchmodeStatus,
    WatchmodeTitle,
    deduplicate_sources,
)
from simulators.catalogue import TITLES, by_imdb, by_tmdb
from simulators.tmdb import TMDBSimulator
from simulators.watchmode import NO_DEEPLINKS, WatchmodeSimulator

from .test_tmdb import OtherServer


@pytest.fixture
async def sim() -> AsyncIterator[WatchmodeSimulator]:
    simulator = WatchmodeSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


def make(session: aiohttp.ClientSession, sim: WatchmodeSimulator, **kwargs: Any) -> WatchmodeClient:
    options: dict[str, Any] = {"api_key": sim.api_key, "region": "US", **kwargs}
    return WatchmodeClient(session, f"{sim.url}/v1", **options)


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> WatchmodeClient:
    return make(session, sim)


def row(
    source_id: int,
    kind: str,
    region: str,
    fmt: str | None,
    price: float | None,
    name: str = "Service",
) -> StreamingSource:
    return StreamingSource(
        source_id=source_id,
        name=name,
        type=kind,
        region=region,
        web_url=None,
        ios_url=None,
        android_url=None,
        format=fmt,
        price=price,
        seasons=None,
        episodes=None,
    )


# -- credentials and quota ---------------------------------------------------------------


async def test_get_info_and_status(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    info = await client.async_get_info()
    digest = hashlib.sha256(sim.api_key.encode()).hexdigest()[:16]
    assert info.unique_id == f"watchmode-{digest}"
    assert info.name == "Watchmode"
    status = await client.async_status()
    assert status == WatchmodeStatus(quota=1000, quota_used=0)
    assert status.remaining == 1000
    request = sim.requests[-1]
    assert request.path == "/v1/status/"
    assert request.query == {"apiKey": "***"}


async def test_bad_key(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> None:
    client = make(session, sim, api_key="wrong-key-0123456789")
    with pytest.raises(InvalidAuthError, match="Your API key is invalid") as err:
        await client.async_get_info()
    assert "wrong-key-0123456789" not in str(err.value)
    assert err.value.__cause__ is None
    with pytest.raises(InvalidAuthError):
        await client.async_sources(1116050)


async def test_simulator_error_shape(
    session: aiohttp.ClientSession, sim: WatchmodeSimulator
) -> None:
    """Watchmode's documented error body, with the same HTTP status."""
    async with session.get(f"{sim.url}/v1/status/", params={"apiKey": "nope"}) as resp:
        assert resp.status == 401
        assert resp.content_type == "application/json"
        assert await resp.json() == {
            "success": False,
            "statusCode": 401,
            "statusMessage": "Your API key is invalid.",
        }
    async with session.get(
        f"{sim.url}/v1/title/42/sources/", params={"apiKey": sim.api_key}
    ) as resp:
        assert resp.status == 404
        body = await resp.json()
        assert body["success"] is False
        assert body["statusCode"] == 404


async def test_rotated_key(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    await client.async_get_info()
    sim.rotate_credentials(api_key="another-key")
    with pytest.raises(InvalidAuthError):
        await client.async_get_info()


async def test_quota_counts_real_calls(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    await client.async_get_info()
    await client.async_find_title(imdb_id="tt0133093")
    await client.async_sources("movie-603")
    with pytest.raises(ResponseError):
        await client.async_sources(42)  # not found: costs nothing
    assert sim.quota_used == 2
    assert (await client.async_status()).quota_used == 2


async def test_over_quota(session: aiohttp.ClientSession) -> None:
    sim = WatchmodeSimulator(quota=1)
    await sim.start()
    try:
        client = make(session, sim)
        await client.async_sources(1116050)
        with pytest.raises(WatchmodeQuotaError, match="quota") as err:
            await client.async_sources(1116050)
        assert err.value.status == 402
        status = await client.async_status()  # still answers: the key is valid
        assert status.remaining == 0
        assert (await client.async_get_info()).name == "Watchmode"
    finally:
        await sim.stop()


async def test_rate_limit(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    sim.set_rate_limit(30)
    with pytest.raises(WatchmodeRateLimitError, match="retry after 30 s") as err:
        await client.async_sources(1116050)
    assert err.value.retry_after == 30
    assert err.value.status == 429
    sim.set_rate_limit(None)
    assert await client.async_sources(1116050)


async def test_not_watchmode(session: aiohttp.ClientSession) -> None:
    """A ``/status/`` that is not a JSON object is no Watchmode (the counts may be absent)."""
    async with OtherServer(200, ["hello", "world"]) as other:
        client = WatchmodeClient(session, other.url, api_key="k", region="US")
        with pytest.raises(ResponseError, match="status"):
            await client.async_get_info()


# -- titles ------------------------------------------------------------------------------


async def test_find_title_by_tmdb_id(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    movie = await client.async_find_title(tmdb_id=603, media_type="movie")
    assert movie == WatchmodeTitle(
        id=1116050,
        name="The Matrix",
        type="movie",
        year=1999,
        imdb_id="tt0133093",
        tmdb_id=603,
        tmdb_type="movie",
    )
    assert sim.requests[-1].query["search_field"] == "tmdb_movie_id"
    assert sim.requests[-1].query["search_value"] == "603"
    show = await client.async_find_title(tmdb_id=1396, media_type="tv")
    assert show is not None
    assert (show.id, show.type, show.tmdb_type) == (3173903, "tv_series", "tv")
    assert sim.requests[-1].query["search_field"] == "tmdb_tv_id"
    assert await client.async_find_title(tmdb_id=603, media_type="tv") is None


async def test_find_title_by_imdb_id(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    title = await client.async_find_title(imdb_id="tt0386676")
    assert title is not None
    assert (title.id, title.name, title.tmdb_id) == (3156296, "The Office", 2316)
    assert sim.requests[-1].query["search_field"] == "imdb_id"
    assert await client.async_find_title(imdb_id="tt0000001") is None


async def test_find_title_bad_arguments(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    with pytest.raises(ValueError, match="either"):
        await client.async_find_title()
    with pytest.raises(ValueError, match="either"):
        await client.async_find_title(tmdb_id=603)
    with pytest.raises(ValueError, match="either"):
        await client.async_find_title(tmdb_id=603, media_type="movie", imdb_id="tt0133093")
    with pytest.raises(ValueError, match="IMDb"):
        await client.async_find_title(imdb_id="0133093")
    with pytest.raises(ValueError, match="Watchmode"):
        await client.async_sources("../status")
    with pytest.raises(ValueError, match="regions"):
        await client.async_sources(1116050, ["USA"])
    assert sim.requests == []


# -- sources -----------------------------------------------------------------------------


@pytest.mark.parametrize("title_id", [1116050, "1116050", "movie-603", "tt0133093"])
async def test_sources_by_any_id(
    client: WatchmodeClient, sim: WatchmodeSimulator, title_id: int | str
) -> None:
    sources = await client.async_sources(title_id)
    assert sim.requests[-1].query["regions"] == "US"
    assert {s.region for s in sources} == {"US"}
    assert len(sources) == 7  # one row per source, format and region
    netflix = next(s for s in sources if s.source_id == 203 and s.format == "4K")
    assert netflix.name == "Netflix"
    assert netflix.type == "sub"
    assert netflix.price is None
    assert netflix.web_url == "https://www.netflix.com/title/1116050"
    assert netflix.ios_url is None  # a free plan: Watchmode sends a sentence, not a link
    assert netflix.android_url is None
    assert netflix.seasons is None
    itunes = {(s.type, s.format): s.price for s in sources if s.source_id == 349}
    assert itunes[("buy", "4K")] == 14.99


async def test_sources_of_a_show(client: WatchmodeClient) -> None:
    sources = await client.async_sources("tv-1396", ["us", "DE"])
    assert {s.region for s in sources} == {"US", "DE"}
    assert all(s.seasons == 5 and s.episodes == 62 for s in sources)


async def test_sources_regions(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> None:
    german = make(session, sim, region="de")
    assert german.region == "DE"
    sources = await german.async_sources("movie-603")
    assert {(s.name, s.type, s.region) for s in sources} == {("iTunes", "buy", "DE")}
    assert sim.requests[-1].query["regions"] == "DE"
    assert await german.async_sources("movie-27205") == []


async def test_sources_unknown_title(client: WatchmodeClient) -> None:
    with pytest.raises(ResponseError, match="no such title tv-603") as err:
        await client.async_sources("tv-603")
    assert err.value.status == 404


async def test_sources_change(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    assert len(await client.async_sources(1182444)) == 1
    sim.set_sources(1182444, ((203, "Netflix", "sub", "US", "HD", None),))
    sources = await client.async_sources(1182444)
    assert [(s.source_id, s.name) for s in sources] == [(203, "Netflix")]
    sim.set_sources(1182444, ())
    assert await client.async_sources(1182444) == []
    with pytest.raises(ValueError, match="no title"):
        sim.set_sources(1, ())


def test_deduplicate_keeps_best_format_at_its_own_price() -> None:
    rows = [
        row(349, "buy", "US", "HD", 9.99, "iTunes"),
        row(203, "sub", "US", "HD", None, "Netflix"),
        row(349, "buy", "US", "SD", 7.99, "iTunes"),
        row(203, "sub", "US", "4K", None, "Netflix"),
        row(349, "buy", "US", "4K", 14.99, "iTunes"),
        row(349, "rent", "US", "SD", 2.99, "iTunes"),
        row(349, "rent", "US", "HD", 3.99, "iTunes"),
        row(203, "sub", "GB", "HD", None, "Netflix"),
        row(24, "buy", "US", None, None),
        row(24, "buy", "US", "SD", 4.99),
        row(10, "rent", "US", "HD", None),
        row(10, "rent", "US", "HD", 5.99),
        row(10, "rent", "US", "HD", 4.99),
        row(10, "rent", "US", "HD", None),
    ]
    result = deduplicate_sources(rows)
    assert [(s.source_id, s.type, s.region, s.format, s.price) for s in result] == [
        (349, "buy", "US", "4K", 14.99),
        (203, "sub", "US", "4K", None),
        (349, "rent", "US", "HD", 3.99),
        (203, "sub", "GB", "HD", None),
        (24, "buy", "US", "SD", 4.99),
        (10, "rent", "US", "HD", 4.99),
    ]
    assert deduplicate_sources([]) == []


async def test_deduplicate_real_answer(client: WatchmodeClient) -> None:
    sources = deduplicate_sources(await client.async_sources("movie-603"))
    assert len(sources) == 3
    keys = {(s.source_id, s.type, s.region) for s in sources}
    assert len(keys) == len(sources)


# -- TMDB and Watchmode agree ------------------------------------------------------------


async def test_catalogues_agree(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> None:
    """Every title found on TMDB resolves on Watchmode by its TMDB id and its IMDb id."""
    tmdb_sim = TMDBSimulator()
    await tmdb_sim.start()
    try:
        tmdb = TMDBClient(
            session, tmdb_sim.url, api_key=tmdb_sim.api_key, language="en-US", region="US"
        )
        watchmode = make(session, sim)
        for title in TITLES:
            page = await tmdb.async_search(
                title.title, media_type="movie" if title.media_type == "movie" else "tv"
            )
            found = next(i for i in page.results if i.tmdb_id == title.tmdb_id)
            details = await tmdb.async_details(found.media_type, found.tmdb_id)
            assert details.imdb_id == title.imdb_id
            by_id = await watchmode.async_find_title(
                tmdb_id=found.tmdb_id, media_type=found.media_type
            )
            assert details.imdb_id is not None
            by_imdb_id = await watchmode.async_find_title(imdb_id=details.imdb_id)
            assert by_id is not None
            assert by_id == by_imdb_id
            assert by_id.id == title.watchmode_id
            assert by_id.name == found.title
            assert by_id.year == found.year
            shortcut = f"{found.media_type}-{found.tmdb_id}"
            assert await watchmode.async_sources(shortcut, ["US", "GB", "DE"]) == (
                await watchmode.async_sources(by_id.id, ["US", "GB", "DE"])
            )
    finally:
        await tmdb_sim.stop()
    assert by_tmdb("movie", 603) is by_imdb("tt0133093")


# -- faults ------------------------------------------------------------------------------


async def test_down(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    sim.set_fault("down")
    with pytest.raises(CannotConnectError):
        await client.async_get_info()
    await sim.stop()
    with pytest.raises(CannotConnectError, match="Cannot connect") as err:
        await client.async_sources(1116050)
    assert err.value.__cause__ is None


async def test_server_error(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    sim.set_fault("status", status=502)
    with pytest.raises(CannotConnectError, match="HTTP 502"):
        await client.async_status()


async def test_malformed_and_oversized(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    sim.set_fault("malformed")
    with pytest.raises(ResponseError, match="not valid JSON"):
        await client.async_sources(1116050)
    sim.set_fault("oversized", size=20 * 1024 * 1024, path="/v1/title")
    with pytest.raises(ResponseError, match="larger than"):
        await client.async_sources(1116050)
    assert (await client.async_status()).quota == 1000  # the fault was limited to /v1/title


async def test_hang_times_out(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> None:
    client = make(session, sim, timeout=0.5)
    sim.set_fault("hang")
    with pytest.raises(CannotConnectError, match="did not answer"):
        await client.async_get_info()


async def test_served_at_root(session: aiohttp.ClientSession, sim: WatchmodeSimulator) -> None:
    client = WatchmodeClient(session, sim.url, api_key=sim.api_key, region="US")
    assert (await client.async_status()).quota == 1000
    assert sim.requests[-1].path == "/status/"


# -- upstream facts: deep links, trailing slashes, the two status shapes ------------------


async def test_free_plan_sends_a_sentence_where_deeplinks_go(
    session: aiohttp.ClientSession, sim: WatchmodeSimulator
) -> None:
    """The simulator answers as a free plan does; a paid plan gets app links."""
    url = f"{sim.url}/v1/title/movie-603/sources/"
    async with session.get(url, params={"apiKey": sim.api_key, "regions": "US"}) as resp:
        rows = await resp.json()
    assert {r["ios_url"] for r in rows} == {NO_DEEPLINKS}
    assert {r["android_url"] for r in rows} == {NO_DEEPLINKS}
    assert all(r["web_url"].startswith("https://") for r in rows)
    sim.paid_plan = True
    async with session.get(url, params={"apiKey": sim.api_key, "regions": "US"}) as resp:
        rows = await resp.json()
    assert all(r["ios_url"].startswith("https://") for r in rows)


async def test_client_keeps_only_links(client: WatchmodeClient, sim: WatchmodeSimulator) -> None:
    """A sentence in a URL field becomes ``None``; real links stay."""
    free = await client.async_sources("movie-603")
    assert free
    assert all(s.ios_url is None and s.android_url is None for s in free)
    assert all(s.web_url is not None and s.web_url.startswith("https://") for s in free)
    sim.paid_plan = True
    paid = await client.async_sources("movie-603")
    assert all(s.ios_url is not None and s.ios_url.endswith("?platform=ios") for s in paid)
    assert all(s.android_url is not None for s in paid)


@pytest.mark.parametrize("field", ["ios_url", "web_url", "android_url"])
@pytest.mark.parametrize(
    "value", [NO_DEEPLINKS, "", "   ", "not a link", "www.netflix.com/title/1", 42, None]
)
async def test_non_links_are_dropped(
    session: aiohttp.ClientSession, field: str, value: object
) -> None:
    """Whatever is not ``scheme://…`` in a URL field is never handed on as a link."""
    async with OtherServer(200, [_raw_row(**{field: value})]) as other:
        client = WatchmodeClient(session, other.url, api_key="k" * 40, region="US")
        [source] = await client.async_sources(1116050)
    assert getattr(source, field) is None
    others = {"ios_url", "web_url", "android_url"} - {field}
    assert all(getattr(source, f) for f in others)  # the links beside it stay


def _raw_row(**fields: object) -> dict[str, object]:
    row = {
        "source_id": 203,
        "name": "Netflix",
        "type": "sub",
        "region": "US",
        "ios_url": "nflx://www.netflix.com/title/1116050",
        "android_url": "https://www.netflix.com/title/1116050",
        "web_url": "https://www.netflix.com/title/1116050",
        "format": "HD",
        "price": None,
        "seasons": None,
        "episodes": None,
    }
    row.update(fields)
    return row


@pytest.mark.parametrize(
    "path", ["/v1/status", "/v1/search", "/v1/title/movie-603/sources", "/status"]
)
async def test_routes_need_their_trailing_slash(
    session: aiohttp.ClientSession, sim: WatchmodeSimulator, path: str
) -> None:
    """Without the slash the path is no route: Watchmode's 404 error body."""
    params = {"apiKey": sim.api_key, "search_field": "imdb_id", "search_value": "tt0133093"}
    async with session.get(f"{sim.url}{path}", params=params, allow_redirects=False) as resp:
        assert resp.status == 404
        body = await resp.json()
    assert body == {
        "success": False,
        "statusCode": 404,
        "statusMessage": "The resource does not exist.",
    }
    async with session.get(f"{sim.url}{path}/", params=params) as resp:
        assert resp.status == 200


async def test_client_sends_the_trailing_slash(
    client: WatchmodeClient, sim: WatchmodeSimulator
) -> None:
    """Every path the client asks for ends in ``/``."""
    await client.async_status()
    await client.async_find_title(imdb_id="tt0133093")
    await client.async_sources("movie-603")
    assert [r.path for r in sim.requests[-3:]] == [
        "/v1/status/",
        "/v1/search/",
        "/v1/title/movie-603/sources/",
    ]


async def test_status_in_the_account_shape(
    session: aiohttp.ClientSession, client: WatchmodeClient, sim: WatchmodeSimulator
) -> None:
    """``account_calls_limit``/``account_calls_used``/``quota_reset_datetime_utc`` are read."""
    sim.status_fields = "account"
    sim.quota_used = 7
    async with session.get(f"{sim.url}/v1/status/", params={"apiKey": sim.api_key}) as resp:
        body = await resp.json()
    assert set(body) == {"account_calls_limit", "account_calls_used", "quota_reset_datetime_utc"}
    status = await client.async_status()
    assert status.quota == 1000
    assert status.quota_used == 7
    assert status.remaining == 993
    assert status.resets_at is not None
    assert status.resets_at.isoformat() == "2026-12-01T00:00:00+00:00"


async def test_status_with_neither_shape_still_proves_the_key(
    client: WatchmodeClient, sim: WatchmodeSimulator
) -> None:
    """A status without any count is a good key with unknown counts, not a bad answer."""
    sim.status_fields = "none"
    status = await client.async_status()
    assert status == WatchmodeStatus(quota=None, quota_used=None)
    assert status.remaining is None
    info = await client.async_get_info()
    assert info.unique_id.startswith("watchmode-")
    sim.rotate_credentials(api_key="b" * 40)
    with pytest.raises(InvalidAuthError):
        await client.async_status()
