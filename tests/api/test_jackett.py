"""The Jackett client against the Jackett simulator on loopback, and the simulator itself."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
import re
from typing import Any, ClassVar
import xml.etree.ElementTree as ET

import aiohttp
from aiohttp import web
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from custom_components.pandora_box.api.jackett import (
    TORZNAB_NS,
    UNDATED_WINDOW,
    JackettClient,
    SearchResults,
    TorrentResult,
    _iso_date,
    _json_indexer_status,
    _json_result,
    _rfc822_date,
    _xml_result,
    normalize_imdb_id,
    normalize_info_hash,
)
from simulators.base import Simulator
from simulators.catalogue import TITLES
from simulators.jackett import DEFAULT_API_KEY, JackettSimulator

TORZNAB = "/api/v2.0/indexers/{}/results/torznab/api"
JSON = "/api/v2.0/indexers/{}/results"
ANSWERED = datetime(2026, 12, 1, tzinfo=UTC)
"""When the answers parsed by hand were given."""


@pytest.fixture
async def jackett() -> AsyncIterator[JackettSimulator]:
    sim = JackettSimulator()
    await sim.start()
    yield sim
    await sim.stop()


def make_client(
    session: aiohttp.ClientSession, sim: Simulator, *, api_key: str | None = None, **kw: Any
) -> JackettClient:
    key = api_key if api_key is not None else getattr(sim, "api_key", "x")
    return JackettClient(session, sim.url, api_key=key, **kw)


# -- info and indexers -----------------------------------------------------------------


async def test_get_info(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    info = await make_client(session, jackett).async_get_info()
    assert info.unique_id == f"{jackett.url}/"
    assert info.name == f"Jackett (127.0.0.1:{jackett.port})"
    assert info.version is None
    last = jackett.requests[-1]
    assert last.path == TORZNAB.format("all")
    assert last.query == {"apikey": "***", "t": "indexers", "configured": "true"}


def test_default_key_looks_like_jacketts() -> None:
    assert re.fullmatch(r"[a-z0-9]{32}", DEFAULT_API_KEY)
    assert JackettSimulator().credentials() == {"api_key": DEFAULT_API_KEY}


async def test_indexers(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    client = make_client(session, jackett)
    indexers = await client.async_indexers()
    assert [i.id for i in indexers] == ["1337x", "yts", "eztv"]
    by_id = {i.id: i for i in indexers}
    assert by_id["yts"].name == "YTS"
    assert by_id["yts"].configured is True
    assert by_id["yts"].type == "public"
    assert by_id["yts"].link == "https://yts.mx/"
    assert (by_id["yts"].movie_search, by_id["yts"].tv_search) == (True, False)
    assert (by_id["eztv"].movie_search, by_id["eztv"].tv_search) == (False, True)
    assert 2000 in by_id["yts"].categories
    assert 5000 not in by_id["yts"].categories
    assert any(c >= 100000 for c in by_id["1337x"].categories)

    everything = await client.async_indexers(configured_only=False)
    tpb = next(i for i in everything if i.id == "thepiratebay")
    assert tpb.configured is False
    assert len(everything) > len(indexers)


async def test_indexer_state_changes(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    client = make_client(session, jackett)
    jackett.remove_indexer("eztv")
    jackett.configure_indexer("thepiratebay")
    assert [i.id for i in await client.async_indexers()] == ["1337x", "yts", "thepiratebay"]
    with pytest.raises(ResponseError, match="not configured") as err:
        await client.async_search("office", indexer="eztv")
    assert err.value.status == 404
    found = await client.async_search("office", indexer="thepiratebay")
    assert found.results
    assert {r.indexer for r in found.results} == {"The Pirate Bay"}


# -- JSON search ------------------------------------------------------------------------


async def test_json_search(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    found = await make_client(session, jackett).async_search("the matrix")
    assert isinstance(found, SearchResults)
    assert found.results
    assert all("matrix" in r.title.lower() for r in found.results)
    assert {r.indexer_id for r in found.results} == {"1337x", "yts"}
    statuses = {s.id: s for s in found.indexers}
    assert set(statuses) == {"1337x", "yts", "eztv"}
    assert all(s.status == "ok" and s.error is None for s in statuses.values())
    assert statuses["eztv"].results == 0
    assert statuses["yts"].results == sum(r.indexer_id == "yts" for r in found.results)
    assert found.failed_indexers == ()
    # newest first, as Jackett sorts the JSON results
    dates = [r.published for r in found.results if r.published and r.published.tzinfo]
    assert len(dates) == len(found.results)
    assert dates == sorted(dates, reverse=True)

    first = next(r for r in found.results if r.indexer_id == "1337x")
    rel = next(x for x in jackett.releases("1337x") if x.title == first.title)
    assert first.indexer == "1337x"
    assert first.info_hash == rel.info_hash  # sent upper-case, normalised to lower
    assert first.info_hash is not None
    assert re.fullmatch(r"[0-9a-f]{40}", first.info_hash)
    assert first.magnet_url is not None
    assert first.magnet_url.startswith(f"magnet:?xt=urn:btih:{rel.info_hash.upper()}&dn=")
    assert "&tr=" in first.magnet_url
    assert first.seeders == rel.seeders
    assert first.leechers == rel.leechers  # JSON Peers is already leechers
    assert first.size == rel.size
    assert first.imdb_id == "tt0133093"
    assert first.tmdb_id == 603
    assert first.published == rel.published
    assert first.link is not None
    assert "/dl/1337x/?jackett_apikey=" in first.link
    assert first.details_url == rel.details
    assert first.guid == rel.guid
    assert first.categories[0] in (2040, 2045)
    assert first.category == first.categories[0]
    assert first.categories[1] >= 100000
    assert first.download_volume_factor == 0.0
    assert first.grabs == rel.grabs


async def test_release_names_are_realistic(jackett: JackettSimulator) -> None:
    titles = [r.title for r in jackett.releases("1337x")]
    assert any(re.fullmatch(r"The\.Matrix\.1999\.1080p\.BluRay\.x264\.DTS-\w+", t) for t in titles)
    assert any(t.startswith("Dune.Part.Two.2024.2160p.UHD.BluRay.x265") for t in titles)
    assert any(re.fullmatch(r"Breaking\.Bad\.S0\dE\d\d\.720p\.HDTV\.x264-\w+", t) for t in titles)
    yts = [r.title for r in jackett.releases("yts")]
    assert "The Matrix (1999) [1080p] [BluRay] [5.1] [YTS.MX]" in yts
    upcoming = next(t for t in TITLES if t.upcoming)
    assert not any(upcoming.title.split()[-1] in t for t in titles)
    # deterministic across instances
    assert [r.info_hash for r in JackettSimulator().releases("eztv")] == [
        r.info_hash for r in jackett.releases("eztv")
    ]


async def test_json_category_filter(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    client = make_client(session, jackett)
    tv = await client.async_search("", categories=[5000])
    assert tv.results
    assert all(5000 <= r.categories[0] < 6000 for r in tv.results)
    uhd = await client.async_search("matrix", categories=[2045])
    assert uhd.results
    assert all(r.category == 2045 for r in uhd.results)
    assert all("2160p" in r.title for r in uhd.results)
    both = await client.async_search("", categories=(2040, 5040))
    assert {r.category for r in both.results} == {2040, 5040}
    assert jackett.requests[-1].query["Category[]"] == "2040,5040"


async def test_json_indexer_and_imdb_filter(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    client = make_client(session, jackett)
    yts = await client.async_search("inception", indexer="yts")
    assert yts.results
    assert {r.indexer_id for r in yts.results} == {"yts"}
    assert [s.id for s in yts.indexers] == ["yts"]
    assert jackett.requests[-1].path == JSON.format("yts")

    bb = await client.async_search("", imdb_id="tt0903747")
    assert bb.results
    assert all(r.imdb_id == "tt0903747" for r in bb.results)
    assert all("Breaking" in r.title for r in bb.results)
    with pytest.raises(ValueError, match="imdb_id"):
        await client.async_search("x", imdb_id="nm123")
    with pytest.raises(ValueError, match="indexer"):
        await client.async_search("x", indexer="")


async def test_failing_indexer_does_not_fail_search(session: aiohttp.ClientSession) -> None:
    sim = JackettSimulator(failing_indexers={"1337x"})
    await sim.start()
    try:
        client = make_client(session, sim)
        found = await client.async_search("matrix")
        assert found.results
        assert {r.indexer_id for r in found.results} == {"yts"}
        failed = found.failed_indexers
        assert [f.id for f in failed] == ["1337x"]
        assert failed[0].results == 0
        assert failed[0].error is not None
        assert "Cloudflare" in failed[0].error
        assert "--->" not in failed[0].error  # only the first line is kept

        torznab = await client.async_search_torznab("matrix")
        assert {r.indexer_id for r in torznab.results} == {"yts"}
        with pytest.raises(ResponseError, match="failed") as err:
            await client.async_search_torznab("matrix", indexer="1337x")
        assert err.value.status == 400

        sim.set_failing("1337x", failing=False)
        recovered = await client.async_search("matrix")
        assert recovered.failed_indexers == ()
        assert {r.indexer_id for r in recovered.results} == {"1337x", "yts"}
    finally:
        await sim.stop()


# -- Torznab search ---------------------------------------------------------------------


async def test_torznab_search_agrees_with_json(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    client = make_client(session, jackett)
    xml = await client.async_search_torznab("matrix")
    js = await client.async_search("matrix")
    assert xml.indexers == ()
    assert {r.info_hash for r in xml.results} == {r.info_hash for r in js.results}
    by_hash = {r.info_hash: r for r in js.results}
    for r in xml.results:
        j = by_hash[r.info_hash]
        assert isinstance(r, TorrentResult)
        assert (r.title, r.indexer, r.indexer_id) == (j.title, j.indexer, j.indexer_id)
        assert (r.size, r.seeders, r.leechers) == (j.size, j.seeders, j.leechers)
        assert r.magnet_url == j.magnet_url
        assert r.link == j.link  # the &amp; in the feed is decoded
        assert r.categories == j.categories
        assert r.published == j.published
        assert (r.imdb_id, r.tmdb_id) == ("tt0133093", 603)
        assert (r.details_url, r.guid) == (j.details_url, j.guid)
    # the meta indexer orders by "gain" (seeders x GB)
    gains = [(r.seeders or 0) * (r.size or 0) for r in xml.results]
    assert gains == sorted(gains, reverse=True)
    last = jackett.requests[-2]
    assert last.path == TORZNAB.format("all")
    assert last.query == {"apikey": "***", "t": "search", "q": "matrix"}


async def test_torznab_filters(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    client = make_client(session, jackett)
    movies = await client.async_search_torznab(
        "", mode="movie", imdb_id="tt1375666", categories=[2040]
    )
    assert movies.results
    assert all(r.imdb_id == "tt1375666" and r.category == 2040 for r in movies.results)
    assert jackett.requests[-1].query["imdbid"] == "tt1375666"

    eztv = await client.async_search_torznab("office", indexer="eztv", mode="tvsearch", season=1)
    assert all(r.indexer_id == "eztv" for r in eztv.results)
    assert all(" S01E" in r.title for r in eztv.results)
    episode = next(r.title for r in (await client.async_search("severance")).results)
    match = re.search(r"S(\d\d)E(\d\d)", episode)
    assert match is not None
    one = await client.async_search_torznab(
        "severance", mode="tvsearch", season=int(match[1]), episode=int(match[2])
    )
    assert one.results
    assert all(match[0] in r.title for r in one.results)
    assert jackett.requests[-1].query["ep"] == str(int(match[2]))

    limited = await client.async_search_torznab("", limit=3)
    assert len(limited.results) == 3

    with pytest.raises(ResponseError, match="does not support"):
        await client.async_search_torznab("office", indexer="eztv", mode="movie")


# -- bad key, bad indexer, not Jackett ------------------------------------------------


async def test_bad_key_both_routes(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    secret = "wrongkey0123456789abcdefghijklmn"
    client = make_client(session, jackett, api_key=secret)
    with pytest.raises(InvalidAuthError, match="Torznab error 100") as err:
        await client.async_get_info()
    assert secret not in str(err.value)
    with pytest.raises(InvalidAuthError):
        await client.async_search_torznab("matrix")
    with pytest.raises(InvalidAuthError, match="HTTP 401") as err:
        await client.async_search("matrix")
    assert secret not in str(err.value)


async def test_simulator_bad_key_answers_like_jackett(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    async with session.get(
        jackett.url + TORZNAB.format("all"), params={"apikey": "nope", "t": "caps"}
    ) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/xml"
        assert await resp.text() == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<error code="100" description="Invalid API Key" />'
        )
    # the key is checked before the indexer
    async with session.get(jackett.url + TORZNAB.format("nosuch"), params={"t": "caps"}) as resp:
        assert 'code="100"' in await resp.text()
    async with session.get(jackett.url + JSON.format("all"), params={"apikey": "nope"}) as resp:
        assert resp.status == 401
        assert await resp.read() == b""
    # passkey works as well as apikey
    async with session.get(
        jackett.url + TORZNAB.format("all"), params={"passkey": jackett.api_key, "t": "caps"}
    ) as resp:
        assert resp.content_type == "application/rss+xml"
        root = ET.fromstring(await resp.text())
    assert root.tag == "caps"
    assert root.find("server") is not None
    limits = root.find("limits")
    assert limits is not None
    assert limits.get("max") == "1000"
    assert {c.get("id") for c in root.findall("categories/category")} >= {"2000", "5000"}


async def test_unknown_indexer(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    client = make_client(session, jackett)
    with pytest.raises(ResponseError, match="Indexer is not supported") as err:
        await client.async_search("x", indexer="nosuch")
    assert err.value.status == 404
    with pytest.raises(ResponseError, match="Indexer is not supported") as err:
        await client.async_search_torznab("x", indexer="nosuch")
    assert err.value.status == 404
    async with session.get(
        jackett.url + JSON.format("nosuch"), params={"apikey": jackett.api_key}
    ) as resp:
        assert (resp.status, resp.content_type, await resp.text()) == (
            404,
            "text/plain",
            "Indexer is not supported",
        )
    async with session.get(
        jackett.url + TORZNAB.format("yts"), params={"apikey": jackett.api_key, "t": "indexers"}
    ) as resp:
        assert resp.status == 200
        assert 'code="201"' in await resp.text()


class HtmlSimulator(Simulator):
    """A web server that answers every path with a page, or with hostile XML."""

    kind = "html"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def __init__(self) -> None:
        super().__init__()
        self.api_key = "k"
        self.body = "<!DOCTYPE html><html><head><title>Login</title></head><body></body></html>"
        self.status = 200

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/{tail:.*}", self._page)

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=self.body, status=self.status, content_type="text/html")


async def test_not_jackett(session: aiohttp.ClientSession) -> None:
    sim = HtmlSimulator()
    await sim.start()
    try:
        client = make_client(session, sim)
        with pytest.raises(ResponseError, match=r"web page|not XML"):
            await client.async_get_info()
        with pytest.raises(ResponseError, match="not valid JSON"):
            await client.async_search("matrix")
        sim.body = "<html><body><p>Sign in</p></body></html>"  # well-formed HTML
        with pytest.raises(ResponseError, match="web page"):
            await client.async_get_info()
        sim.body = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><indexers>&a;</indexers>'
        with pytest.raises(ResponseError, match="entities"):
            await client.async_get_info()
        sim.body = "<rss><nochannel/></rss>"
        with pytest.raises(ResponseError, match="RSS feed"):
            await client.async_search_torznab("x")
        with pytest.raises(ResponseError, match="indexer list"):
            await client.async_get_info()
        sim.body = '{"Results": 5}'
        with pytest.raises(ResponseError, match="not a JSON list"):
            await client.async_search("x")
        sim.body = '{"Indexers": []}'
        with pytest.raises(ResponseError, match="without Results"):
            await client.async_search("x")
        sim.status, sim.body = 429, '<error code="900" description="Too Many Requests" />'
        with pytest.raises(ResponseError, match="rate-limited") as err:
            await client.async_search_torznab("x", indexer="1337x")
        assert err.value.status == 429
        sim.status, sim.body = 400, "<html><body>Bad Request</body></html>"
        with pytest.raises(ResponseError, match="HTTP 400") as err:
            await client.async_search_torznab("x")
        assert err.value.status == 400
    finally:
        await sim.stop()


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kwargs", "error", "match"),
    [
        ("down", {}, CannotConnectError, "broke off"),
        ("hang", {"delay": 5}, CannotConnectError, "did not answer"),
        ("status", {"status": 500}, CannotConnectError, "HTTP 500"),
        ("status", {"status": 401}, InvalidAuthError, "HTTP 401"),
        ("malformed", {}, ResponseError, "not XML"),
        ("oversized", {"size": 256 * 1024}, ResponseError, "larger than"),
    ],
)
async def test_faults_get_info(
    session: aiohttp.ClientSession,
    jackett: JackettSimulator,
    mode: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    jackett.set_fault(mode, **kwargs)
    client = make_client(session, jackett, timeout=0.5, max_bytes=64 * 1024)
    with pytest.raises(error, match=match):
        await client.async_get_info()
    jackett.clear_fault()
    assert (await client.async_get_info()).name.startswith("Jackett (")


async def test_faults_search(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    client = make_client(session, jackett, timeout=0.5)
    jackett.set_fault("malformed", path=JSON.format("all"))
    with pytest.raises(ResponseError, match="not valid JSON"):
        await client.async_search("matrix")
    jackett.set_fault("malformed", path=TORZNAB.format("all"))
    with pytest.raises(ResponseError, match="not XML"):
        await client.async_search_torznab("matrix")
    jackett.set_fault("status", status=503)
    with pytest.raises(CannotConnectError):
        await client.async_search("matrix")
    jackett.set_fault("status", status=429)
    with pytest.raises(ResponseError) as err:
        await client.async_search_torznab("matrix")
    assert err.value.status == 429
    jackett.clear_fault()
    await jackett.stop()
    with pytest.raises(CannotConnectError, match="is it running"):
        await client.async_search("matrix")


async def test_rotated_key(session: aiohttp.ClientSession, jackett: JackettSimulator) -> None:
    client = make_client(session, jackett)
    await client.async_get_info()
    jackett.rotate_credentials(api_key="n3wk3y0123456789abcdefghijklmnop")
    with pytest.raises(InvalidAuthError):
        await client.async_get_info()
    with pytest.raises(InvalidAuthError):
        await client.async_search("matrix")
    fresh = make_client(session, jackett)
    assert (await fresh.async_search("matrix")).results


# -- simulator extras -------------------------------------------------------------------


async def test_download_link_redirects_to_magnet(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    found = await make_client(session, jackett).async_search("severance", indexer="1337x")
    result = found.results[0]
    assert result.link is not None
    async with session.get(result.link, allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == result.magnet_url
    bad = result.link.replace(jackett.api_key, "nope")
    async with session.get(bad, allow_redirects=False) as resp:
        assert resp.status == 401


async def test_simulator_torznab_feed_shape(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    async with session.get(
        jackett.url + TORZNAB.format("yts"),
        params={"apikey": jackett.api_key, "t": "search", "q": "oppenheimer"},
    ) as resp:
        assert resp.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        text = await resp.text()
    assert 'xmlns:torznab="http://torznab.com/schemas/2015/feed"' in text
    root = ET.fromstring(text)
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "YTS"
    items = channel.findall("item")
    assert len(items) == 4
    names = {a.get("name") for a in items[0].iter(f"{{{TORZNAB_NS}}}attr")}
    assert {"seeders", "peers", "infohash", "magneturl", "category", "imdbid"} <= names
    enclosure = items[0].find("enclosure")
    assert enclosure is not None
    assert enclosure.get("type") == "application/x-bittorrent"


async def test_simulator_timezone_offsets(session: aiohttp.ClientSession) -> None:
    sim = JackettSimulator(timezone=timezone(timedelta(hours=2)))
    await sim.start()
    try:
        client = make_client(session, sim)
        js = await client.async_search("interstellar")
        xml = await client.async_search_torznab("interstellar")
        sample = js.results[0].published
        assert sample is not None
        assert sample.utcoffset() == timedelta(hours=2)
        assert {r.published for r in js.results} == {r.published for r in xml.results}
    finally:
        await sim.stop()


# -- parsing edge cases ------------------------------------------------------------------


def test_normalisers() -> None:
    assert normalize_imdb_id(133093) == "tt0133093"
    assert normalize_imdb_id("tt15239678") == "tt15239678"
    assert normalize_imdb_id("0133093") == "tt0133093"
    assert normalize_imdb_id(0) is None
    assert normalize_imdb_id(True) is None
    assert normalize_imdb_id("nm0000206") is None
    assert normalize_imdb_id(None) is None
    assert normalize_info_hash("ABCDEF0123456789ABCDEF0123456789ABCDEF01") == (
        "abcdef0123456789abcdef0123456789abcdef01"
    )
    assert normalize_info_hash("not-a-hash") is None
    assert normalize_info_hash(None) is None


def test_base32_hash_round_trip() -> None:
    raw = bytes(range(20))
    b32 = base64.b32encode(raw).decode()
    assert normalize_info_hash(b32) == raw.hex()
    assert normalize_info_hash(b32.lower()) == raw.hex()


def test_dates() -> None:
    assert _iso_date("2024-03-01T12:34:56.1234567+02:00") == datetime(
        2024, 3, 1, 10, 34, 56, 123456, tzinfo=UTC
    )
    assert _iso_date("2024-03-01T12:34:56Z") == datetime(2024, 3, 1, 12, 34, 56, tzinfo=UTC)
    assert _iso_date("2024-03-01T12:34:56") == datetime(2024, 3, 1, 12, 34, 56, tzinfo=UTC)
    assert _iso_date("0001-01-01T00:00:00") is None
    assert _iso_date("yesterday") is None
    assert _iso_date(None) is None
    assert _rfc822_date("Sat, 14 Mar 2015 17:10:42 -0400") == datetime(
        2015, 3, 14, 21, 10, 42, tzinfo=UTC
    )
    assert _rfc822_date("garbage") is None
    assert _rfc822_date(None) is None


def test_json_result_edge_cases() -> None:
    raw = bytes(range(1, 21))
    magnet = f"magnet:?xt=urn:btih:{base64.b32encode(raw).decode()}&dn=x"
    r = _json_result(
        {
            "Title": "X",
            "Tracker": None,
            "TrackerId": "priv",
            "Link": magnet,
            "Seeders": -1,
            "Peers": -3,
            "Category": [2000, "5000", None, 2000],
            "Imdb": None,
            "TMDb": 0,
            "Size": "12",
        },
        ANSWERED,
    )
    assert r.magnet_url == magnet
    assert r.link is None
    assert r.info_hash == raw.hex()
    assert (r.seeders, r.leechers) == (0, 0)
    assert r.categories == (2000, 5000)
    assert (r.imdb_id, r.tmdb_id, r.size) == (None, None, 12)
    assert r.indexer == "priv"
    assert r.published is None
    s = _json_indexer_status({"ID": "a", "Name": "A", "Status": "Error", "Error": "boom\nstack"})
    assert (s.status, s.error, s.results) == ("error", "boom", 0)
    assert _json_indexer_status({"Status": 7}).status == "unknown"
    assert _json_indexer_status({"Status": "weird"}).status == "unknown"


def test_xml_item_edge_cases() -> None:
    raw = bytes(range(2, 22))
    magnet = f"magnet:?xt=urn:btih:{raw.hex().upper()}&amp;dn=y"
    item = ET.fromstring(
        f'<item xmlns:torznab="{TORZNAB_NS}"><title>Y</title>'
        f'<enclosure url="{magnet}" type="application/x-bittorrent" />'
        '<torznab:attr name="seeders" value="3" /><torznab:attr name="peers" value="2" />'
        '<torznab:attr value="orphan" /><torznab:attr name="downloadvolumefactor" value="x" />'
        '<torznab:attr name="imdb" value="0133093" /></item>'
    )
    r = _xml_result(item, ANSWERED)
    assert r.link is None
    assert r.magnet_url == magnet.replace("&amp;", "&")
    assert r.info_hash == raw.hex()
    assert (r.seeders, r.leechers) == (3, 0)
    assert r.imdb_id == "tt0133093"
    assert r.download_volume_factor is None
    assert r.indexer == ""
    assert r.published is None
    assert _json_result({"Category": "2000"}, ANSWERED).categories == ()


# -- upstream facts: IMDb searches drop indexers, unknown dates are "now" ---------------


async def test_simulator_json_imdb_search_drops_indexers_before_searching(
    session: aiohttp.ClientSession,
) -> None:
    """Indexers without IMDb movie search are missing from ``Indexers``, not "ok" with 0."""
    sim = JackettSimulator(indexers=("1337x", "yts", "eztv", "limetorrents"))
    await sim.start()
    try:
        url = f"{sim.url}{JSON.format('all')}"
        async with session.get(url, params={"apikey": sim.api_key, "imdbid": "tt0133093"}) as r:
            body = await r.json()
        assert [i["ID"] for i in body["Indexers"]] == ["1337x", "yts"]
        assert {x["TrackerId"] for x in body["Results"]} == {"1337x", "yts"}
        async with session.get(url, params={"apikey": sim.api_key, "Query": "matrix"}) as r:
            body = await r.json()
        assert [i["ID"] for i in body["Indexers"]] == ["1337x", "yts", "eztv", "limetorrents"]
        # one indexer by id: dropped too, so the answer lists nobody
        one = f"{sim.url}{JSON.format('limetorrents')}"
        async with session.get(one, params={"apikey": sim.api_key, "imdbid": "tt0133093"}) as r:
            assert r.status == 200
            assert await r.json() == {"Results": [], "Indexers": []}
        client = make_client(session, sim)
        found = await client.async_search("", imdb_id="tt0133093")
        assert {s.id for s in found.indexers} == {"1337x", "yts"}
        assert found.failed_indexers == ()
        assert {r.indexer_id for r in found.results} == {"1337x", "yts"}
    finally:
        await sim.stop()


async def test_simulator_torznab_imdb_support(session: aiohttp.ClientSession) -> None:
    """Torznab: an indexer without IMDb movie search refuses imdbid; ``all`` leaves it out."""
    sim = JackettSimulator(indexers=("1337x", "eztv", "limetorrents"))
    await sim.start()
    try:
        client = make_client(session, sim)
        for indexer in ("limetorrents", "eztv"):
            with pytest.raises(ResponseError, match="does not support") as err:
                await client.async_search_torznab("", indexer=indexer, imdb_id="tt0133093")
            assert err.value.status == 400
        shows = await client.async_search_torznab(
            "", indexer="eztv", mode="tvsearch", imdb_id="tt0386676"
        )
        assert shows.results  # IMDb TV search is another capability
        films = await client.async_search_torznab("", mode="movie", imdb_id="tt0133093")
        assert films.results
        assert {r.indexer_id for r in films.results} == {"1337x"}
        caps = f"{sim.url}{TORZNAB.format('limetorrents')}"
        async with session.get(caps, params={"apikey": sim.api_key, "t": "caps"}) as resp:
            root = ET.fromstring(await resp.text())
        movie = root.find("searching/movie-search")
        assert movie is not None
        assert movie.get("supportedParams") == "q"
    finally:
        await sim.stop()


async def test_simulator_unknown_and_future_dates(
    session: aiohttp.ClientSession, jackett: JackettSimulator
) -> None:
    """JSON: year 1 for no date (sorted last); Torznab: "now"; the future is "now" on both."""
    rels = [r for r in jackett.releases("1337x") if "Matrix" in r.title]
    undated, future = rels[0], rels[1]
    jackett.set_publish_date(undated.info_hash, None)
    jackett.set_publish_date(future.info_hash, datetime.now(UTC) + timedelta(days=3))
    with pytest.raises(ValueError, match="no release"):
        jackett.set_publish_date("0" * 40, None)
    url = f"{jackett.url}{JSON.format('1337x')}"
    async with session.get(url, params={"apikey": jackett.api_key, "Query": "matrix"}) as resp:
        body = await resp.json()
        answered = parsedate_to_datetime(resp.headers["Date"])
    dates = {r["Title"]: r["PublishDate"] for r in body["Results"]}
    assert dates[undated.title] == "0001-01-01T00:00:00"
    assert body["Results"][-1]["Title"] == undated.title
    assert body["Results"][0]["Title"] == future.title  # clamped to now: the newest
    clamped = datetime.fromisoformat(dates[future.title])
    assert abs(clamped - answered) < timedelta(seconds=5)
    feed = f"{jackett.url}{TORZNAB.format('1337x')}"
    async with session.get(feed, params={"apikey": jackett.api_key, "q": "matrix"}) as resp:
        root = ET.fromstring(await resp.text())
        answered = parsedate_to_datetime(resp.headers["Date"])
    pub = {
        item.findtext("title"): parsedate_to_datetime(item.findtext("pubDate") or "")
        for item in root.iter("item")
    }
    for title in (undated.title, future.title):
        assert abs(pub[title] - answered) < timedelta(seconds=5), title
    assert pub[rels[2].title] == rels[2].published


@pytest.mark.parametrize("route", ["json", "torznab"])
async def test_client_takes_jacketts_now_for_unknown(
    session: aiohttp.ClientSession, jackett: JackettSimulator, route: str
) -> None:
    """Year 1, "now" and a clamped future date all become ``published=None``."""
    rels = [r for r in jackett.releases("1337x") if "Matrix" in r.title]
    jackett.set_publish_date(rels[0].info_hash, None)
    jackett.set_publish_date(rels[1].info_hash, datetime.now(UTC) + timedelta(hours=1))
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    jackett.set_publish_date(rels[2].info_hash, recent)
    client = make_client(session, jackett)
    if route == "json":
        found = await client.async_search("matrix", indexer="1337x")
    else:
        found = await client.async_search_torznab("matrix", indexer="1337x")
    published = {r.info_hash: r.published for r in found.results}
    assert published[rels[0].info_hash] is None
    assert published[rels[1].info_hash] is None
    assert published[rels[2].info_hash] == recent  # ten minutes old is a real date
    dated = [r for r in found.results if r.info_hash not in (rels[0].info_hash, rels[1].info_hash)]
    assert dated
    assert all(r.published is not None for r in dated)


def test_undated_window() -> None:
    """Dates within ``UNDATED_WINDOW`` before the answer, or after it, carry no date."""
    item = {"Title": "X", "PublishDate": None}
    for offset, known in (
        (timedelta(0), False),
        (-UNDATED_WINDOW + timedelta(seconds=1), False),
        (timedelta(minutes=5), False),
        (-UNDATED_WINDOW - timedelta(seconds=1), True),
        (-timedelta(days=400), True),
    ):
        item["PublishDate"] = (ANSWERED + offset).isoformat()
        assert (_json_result(item, ANSWERED).published is not None) is known, offset
    item["PublishDate"] = "0001-01-01T00:00:00"
    assert _json_result(item, ANSWERED).published is None
