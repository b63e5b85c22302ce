"""The shared request helper and the simulator fault machinery, end to end on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import aiohttp
from aiohttp import web
import pytest

from custom_components.pandora_box.api._http import (
    HttpClient,
    as_dict,
    as_list,
    opt_float,
    opt_int,
    opt_str,
    parse_base_url,
)
from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from simulators.base import Simulator


class EchoSimulator(Simulator):
    """A tiny upstream with one route per behaviour the helper must handle."""

    kind = "echo"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def __init__(self) -> None:
        super().__init__()
        self.api_key = "echo-key"

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/prefix/json", self._json)
        app.router.add_get("/prefix/status/{code}", self._status)
        app.router.add_get("/prefix/redirect", self._redirect)
        app.router.add_get("/prefix/declared-big", self._declared_big)
        app.router.add_get("/prefix/raw/{name}", self._raw)

    async def _json(self, request: web.Request) -> web.Response:
        if request.query.get("apikey") != self.api_key:
            return web.Response(status=401, text="bad key")
        return web.json_response({"hello": "world", "items": [1, 2]})

    async def _status(self, request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/prefix/json")

    async def _declared_big(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 4096)

    async def _raw(self, request: web.Request) -> web.Response:
        return web.json_response({"name": request.match_info["name"], "raw": request.raw_path})


class EchoClient(HttpClient):
    """A client of the echo upstream built on the shared helper."""

    service = "Echo"


@pytest.fixture
async def echo() -> AsyncIterator[EchoSimulator]:
    sim = EchoSimulator()
    await sim.start()
    yield sim
    await sim.stop()


def client(session: aiohttp.ClientSession, sim: EchoSimulator, **kwargs: Any) -> EchoClient:
    return EchoClient(session, f"{sim.url}/prefix/", **kwargs)


async def test_json_through_path_prefix(
    session: aiohttp.ClientSession, echo: EchoSimulator
) -> None:
    resp = await client(session, echo)._request("GET", "json", params={"apikey": "echo-key"})
    assert resp.status == 200
    assert resp.json() == {"hello": "world", "items": [1, 2]}
    assert echo.requests[-1].path == "/prefix/json"
    assert echo.requests[-1].query == {"apikey": "***"}  # the log masks keys


async def test_auth_status_is_invalid_auth_without_secret(
    session: aiohttp.ClientSession, echo: EchoSimulator
) -> None:
    with pytest.raises(InvalidAuthError) as err:
        await client(session, echo)._request("GET", "json", params={"apikey": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(err.value)
    assert f"127.0.0.1:{echo.port}" in str(err.value)


async def test_statuses(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    c = client(session, echo)
    with pytest.raises(CannotConnectError, match="HTTP 503"):
        await c._request("GET", "status/503")
    with pytest.raises(ResponseError) as err:
        await c._request("GET", "status/404")
    assert err.value.status == 404
    resp = await c._request("GET", "status/404", allow_statuses=(404,))
    assert resp.status == 404
    assert resp.text() == "status"
    with pytest.raises(ResponseError, match="redirected"):
        await c._request("GET", "redirect")
    with pytest.raises(InvalidAuthError):
        await c._request("GET", "status/403")
    resp = await c._request("GET", "status/403", auth_statuses=(), allow_statuses=(403,))
    assert resp.status == 403


async def test_declared_length_over_cap(
    session: aiohttp.ClientSession, echo: EchoSimulator
) -> None:
    with pytest.raises(ResponseError, match="larger than"):
        await client(session, echo, max_bytes=1024)._request("GET", "declared-big")


async def test_encoded_path_is_sent_as_is(
    session: aiohttp.ClientSession, echo: EchoSimulator
) -> None:
    resp = await client(session, echo)._request("GET", "raw/a%20b%23c", encoded_path=True)
    assert resp.json() == {"name": "a b#c", "raw": "/prefix/raw/a%20b%23c"}


@pytest.mark.parametrize(
    ("mode", "kwargs", "error", "match"),
    [
        ("down", {}, CannotConnectError, "broke off"),
        ("hang", {"delay": 5}, CannotConnectError, "did not answer within 0.2 s"),
        ("status", {"status": 500}, CannotConnectError, "HTTP 500"),
        ("status", {"status": 401}, InvalidAuthError, "rejected the credentials"),
        ("oversized", {"size": 256 * 1024}, ResponseError, "larger than"),
    ],
)
async def test_faults(
    session: aiohttp.ClientSession,
    echo: EchoSimulator,
    mode: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    echo.set_fault(mode, **kwargs)
    c = client(session, echo, timeout=0.2, max_bytes=64 * 1024)
    with pytest.raises(error, match=match):
        await c._request("GET", "json", params={"apikey": "echo-key"})
    echo.clear_fault()
    resp = await c._request("GET", "json", params={"apikey": "echo-key"})
    assert resp.json()["hello"] == "world"


async def test_a_refused_body_is_not_kept_by_its_error(
    session: aiohttp.ClientSession, echo: EchoSimulator
) -> None:
    """The error of an oversized answer holds no copy of it (found by the soak).

    Home Assistant's coordinators keep ``last_exception`` until the next failure,
    and with it the traceback's frames: an 18 MiB buffer stayed alive per poll
    that was refused a 64 MiB body.
    """
    echo.set_fault("oversized", size=1024 * 1024)
    c = client(session, echo, max_bytes=256 * 1024)
    with pytest.raises(ResponseError, match="larger than") as err:
        await c._request("GET", "json", params={"apikey": "echo-key"})
    kept = 0
    tb = err.value.__traceback__
    while tb is not None:
        kept += sum(
            len(value)
            for value in tb.tb_frame.f_locals.values()
            if isinstance(value, (bytes, bytearray))
        )
        tb = tb.tb_next
    assert kept <= 64 * 1024, f"{kept} bytes of the refused body are kept by the error (one chunk)"


async def test_malformed_and_slow(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    c = client(session, echo)
    echo.set_fault("malformed")
    resp = await c._request("GET", "json", params={"apikey": "echo-key"})
    with pytest.raises(ResponseError, match="not valid JSON"):
        resp.json()
    echo.set_fault("slow", delay=0.05)
    resp = await c._request("GET", "json", params={"apikey": "echo-key"})
    assert resp.json()["items"] == [1, 2]


async def test_fault_path_filter(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    echo.set_fault("status", status=500, path="/prefix/status")
    c = client(session, echo)
    assert (await c._request("GET", "json", params={"apikey": "echo-key"})).status == 200
    with pytest.raises(CannotConnectError):
        await c._request("GET", "status/200")


async def test_stopped_upstream(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    c = client(session, echo)
    await echo.stop()
    with pytest.raises(CannotConnectError, match="is it running"):
        await c._request("GET", "json")
    await echo.start()  # same port again
    assert (await c._request("GET", "json", params={"apikey": "echo-key"})).status == 200


async def test_tls_failure(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    """Speaking TLS to a plain HTTP server fails as a connection problem."""
    c = EchoClient(session, f"https://127.0.0.1:{echo.port}", timeout=2)
    with pytest.raises(CannotConnectError):
        await c._request("GET", "json")


async def test_control_routes(session: aiohttp.ClientSession, echo: EchoSimulator) -> None:
    async with session.post(f"{echo.url}/_sim/fault", json={"mode": "status", "status": 418}) as r:
        assert (await r.json())["fault"]["status"] == 418
    async with session.get(f"{echo.url}/prefix/json") as r:
        assert r.status == 418
    async with session.post(f"{echo.url}/_sim/fault", json={"mode": "nonsense"}) as r:
        assert r.status == 400
    async with session.delete(f"{echo.url}/_sim/fault") as r:
        assert (await r.json()) == {"fault": None}
    async with session.get(f"{echo.url}/_sim/requests") as r:
        logged = await r.json()
    assert [x["path"] for x in logged] == ["/prefix/json"]  # control routes are not logged
    async with session.post(f"{echo.url}/_sim/credentials", json={"api_key": "new"}) as r:
        assert (await r.json()) == {"rotated": ["api_key"]}
    assert echo.api_key == "new"
    async with session.post(f"{echo.url}/_sim/credentials", json={"nope": "x"}) as r:
        assert r.status == 400
    async with session.delete(f"{echo.url}/_sim/requests") as r:
        assert (await r.json()) == []
    assert echo.count() == 0
    assert echo.manifest() == {"url": echo.url, "api_key": "new"}


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.org",
        "ftp://example.org",
        "http://",
        "http://u:p@host",
        "http://h/?q=1",
        "http://h/#x",
    ],
)
def test_parse_base_url_rejects(url: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        parse_base_url(url)


def test_parse_base_url_normalises() -> None:
    assert str(parse_base_url(" http://Host:8080/qbt/ ")) == "http://host:8080/qbt"
    assert str(parse_base_url("https://h")) == "https://h/"


def test_value_helpers(session: aiohttp.ClientSession) -> None:
    c = EchoClient(session, "http://127.0.0.1:1")
    assert as_dict({"a": 1}, c, "x") == {"a": 1}
    assert as_list([1], c, "x") == [1]
    with pytest.raises(ResponseError, match="not a JSON object"):
        as_dict([], c, "a list")
    with pytest.raises(ResponseError, match="not a JSON list"):
        as_list({}, c, "an object")
    assert opt_str("") is None
    assert opt_str(5) == "5"
    assert opt_int("7") == 7
    assert opt_int(True) is None
    assert opt_int("x") is None
    assert opt_float("1.5") == 1.5
    assert opt_float(None) is None
    assert opt_float("nan?") is None
