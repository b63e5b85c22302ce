"""What every simulator shares: an aiohttp server, fault injection, a request log.

A simulator imitates one upstream's HTTP API (see ``shared/upstreams.md``):
same paths, auth, status codes and body shapes.  This base adds what tests
need on top, the same way for all seven:

* ``start()`` / ``stop()`` on a loopback port (port 0 picks a free one; a
  stopped simulator can start again on the same port, so "down" can be real:
  connection refused);
* faults, set in Python (``sim.set_fault(...)``) or over HTTP
  (``POST /_sim/fault``): ``down`` (the connection is dropped without an
  answer), ``hang`` (no answer for ``delay`` seconds, default an hour),
  ``slow`` (answer after ``delay`` seconds), ``status`` (answer ``status``,
  e.g. 401, 403, 500), ``malformed`` (the real answer cut in half),
  ``oversized`` (a 200 streaming ``size`` bytes, 64 MiB by default); an
  optional ``path`` prefix limits the fault to matching requests;
* a log of requests (``sim.requests``, ``GET /_sim/requests``) so tests can
  count what reached the upstream; keys in query strings are masked;
* credential rotation (``POST /_sim/credentials``), which is how a test
  revokes the credentials a running integration uses;
* refusals (``sim.deny(...)``, ``POST /_sim/denied`` with ``{"paths": [...]}``,
  ``DELETE /_sim/denied``): the credentials stay good, but the routes matched
  by the given regular expressions (default: the subclass's ``restricted``
  routes, the ones the real upstream keeps for administrators or a paid plan)
  answer the upstream's own "not allowed" (``denied_response``, a 403 unless
  the subclass says otherwise).  Each simulator checks it after its
  credential check, as the real servers authenticate before they authorize.

Control routes live under ``/_sim/`` and never count as upstream requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
import re
import time
from typing import Any, ClassVar, Self
import weakref

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTROL_PREFIX = "/_sim/"
SECRET_QUERY_KEYS = frozenset(
    {"apikey", "api_key", "apiKey", "jackett_apikey", "passkey", "token", "ApiKey"}
)
FAULT_MODES = frozenset({"down", "hang", "slow", "status", "malformed", "oversized"})


@dataclass(slots=True)
class Fault:
    """One injected fault; see the module docstring for the modes."""

    mode: str
    status: int = 500
    delay: float = 3600.0
    size: int = 64 * 1024 * 1024
    path: str | None = None

    def applies_to(self, path: str) -> bool:
        """Return whether this fault hits a request for ``path``."""
        return self.path is None or path.startswith(self.path)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the simulator received (secrets masked)."""

    method: str
    path: str
    query: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class Simulator:
    """Base class: subclasses set ``kind`` and add their routes in ``setup_routes``."""

    kind: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[str, ...]] = ()
    """Attribute names that hold credentials, named as the config flow names them."""

    restricted: ClassVar[tuple[str, ...]] = ()
    """Regular expressions (matched at the start of the path) of the routes the
    upstream refuses to a caller without the right: what ``deny()`` refuses."""

    created: ClassVar[weakref.WeakSet[Simulator]] = weakref.WeakSet()
    """Every simulator still alive (tests check no credential of theirs was logged)."""

    def __init__(self) -> None:
        """Prepare an unstarted server."""
        Simulator.created.add(self)
        self.fault: Fault | None = None
        self.requests: list[RecordedRequest] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()  # set to end every hanging request at once
        self.denied: tuple[re.Pattern[str], ...] = ()
        """Routes refused with ``denied_response`` (see ``deny``)."""

    # -- to implement -----------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        """Add the upstream's routes to ``app``."""
        raise NotImplementedError

    @classmethod
    def for_demo(cls, *, root: Path, secret: str) -> Self:
        """Build a simulator whose secrets (every credential but a user name) are ``secret``.

        ``root`` is a scratch folder a simulator may use (CloudCmd serves it).
        """
        sim = cls()
        for name in cls.credential_fields:
            if name != "username":
                setattr(sim, name, secret)
        return sim

    def manifest_extra(self) -> dict[str, Any]:
        """Config-flow fields beyond ``url`` and the credentials (e.g. ``root``)."""
        return {}

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the running simulator."""
        return f"http://{self.host}:{self.port}"

    def credentials(self) -> dict[str, Any]:
        """The current credentials, keyed by config-flow field name."""
        return {name: getattr(self, name) for name in self.credential_fields}

    def manifest(self) -> dict[str, Any]:
        """What a config flow needs to reach this simulator."""
        return {"url": self.url, **self.credentials(), **self.manifest_extra()}

    def build_app(self) -> web.Application:
        """Build the aiohttp application with the fault and log middleware."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_post("/_sim/fault", self._set_fault_route)
        app.router.add_delete("/_sim/fault", self._clear_fault_route)
        app.router.add_get("/_sim/requests", self._requests_route)
        app.router.add_delete("/_sim/requests", self._clear_requests_route)
        app.router.add_post("/_sim/credentials", self._credentials_route)
        app.router.add_post("/_sim/denied", self._deny_route)
        app.router.add_delete("/_sim/denied", self._allow_route)
        self.setup_routes(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int | None = None) -> str:
        """Serve on ``host``:``port`` (default: the last port, else a free one)."""
        if self._runner is not None:
            return self.url
        self.host = host
        runner = web.AppRunner(
            self.build_app(), access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, host, self.port if port is None else port, reuse_address=True)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp has no public way to read the bound port
        assert isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]
        self._runner = runner
        return self.url

    async def stop(self) -> None:
        """Stop serving; connections are refused until ``start()`` again."""
        self._release_hung()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def _release_hung(self) -> None:
        """End every request held by a ``hang`` or ``slow`` fault."""
        self._release.set()
        self._release = asyncio.Event()

    # -- faults and log --------------------------------------------------------------

    def set_fault(self, mode: str, **kwargs: Any) -> None:
        """Inject a fault (see the module docstring)."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        self.fault = Fault(mode=mode, **kwargs)

    def clear_fault(self) -> None:
        """Answer normally again (requests still hanging are answered 503 now)."""
        self.fault = None
        self._release_hung()

    def count(self, path_prefix: str = "", method: str | None = None) -> int:
        """Number of logged upstream requests whose path starts with ``path_prefix``."""
        return sum(
            1
            for r in self.requests
            if r.path.startswith(path_prefix) and (method is None or r.method == method)
        )

    def rotate_credentials(self, **values: Any) -> None:
        """Replace credentials, as when a user revokes a key upstream."""
        for name, value in values.items():
            if name not in self.credential_fields:
                raise ValueError(f"{self.kind} has no credential {name!r}")
            setattr(self, name, value)

    def deny(self, *paths: str) -> None:
        """Refuse ``paths`` (regexes; default ``restricted``) as the upstream refuses a right."""
        patterns = paths or self.restricted
        if not patterns:
            raise ValueError(f"{self.kind} has no restricted routes; name the paths")
        self.denied = tuple(re.compile(p) for p in patterns)

    def allow(self) -> None:
        """Grant every right again (undo ``deny``)."""
        self.denied = ()

    def refusal(self, request: web.Request) -> web.StreamResponse | None:
        """The "not allowed" answer for ``request`` if its route is denied, else ``None``.

        Subclasses call it right after their credential check.
        """
        if any(p.match(request.path) for p in self.denied):
            return self.denied_response(request)
        return None

    def denied_response(self, request: web.Request) -> web.StreamResponse:
        """The upstream's own answer to a request it does not allow (subclasses override)."""
        return web.Response(status=403)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Log the request and apply the current fault, if any."""
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        query = {k: ("***" if k in SECRET_QUERY_KEYS else v) for k, v in request.query.items()}
        self.requests.append(RecordedRequest(request.method, request.path, query))
        fault = self.fault
        if fault is None or not fault.applies_to(request.path):
            return await handler(request)
        if fault.mode == "down":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)  # never sent: the connection is gone
        if fault.mode in ("hang", "slow"):
            release = self._release
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), fault.delay)
            if fault.mode == "hang" or release.is_set():
                raise web.HTTPServiceUnavailable(text="hung")
            return await handler(request)
        if fault.mode == "status":
            return web.Response(status=fault.status, text=f"simulated HTTP {fault.status}")
        if fault.mode == "malformed":
            return await self._malformed(request, handler)
        return await self._oversized(request, fault.size)

    @staticmethod
    async def _malformed(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer with the real body cut in half (broken JSON or XML)."""
        real = await handler(request)
        body = real.body if isinstance(real, web.Response) else None
        raw = body if isinstance(body, bytes) else b'{"truncated": '
        return web.Response(
            status=200,
            body=raw[: max(1, len(raw) // 2)],
            content_type=real.content_type or "application/json",
        )

    @staticmethod
    async def _oversized(request: web.Request, size: int) -> web.StreamResponse:
        """Stream ``size`` bytes of a JSON array without a Content-Length."""
        resp = web.StreamResponse(status=200)
        resp.content_type = "application/json"
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        chunk = b'{"padding": "' + b"x" * 65000 + b'"},'
        sent = 0
        try:
            await resp.write(b"[")
            while sent < size:
                await resp.write(chunk)
                sent += len(chunk)
            await resp.write(b"{}]")
        except ConnectionResetError, RuntimeError:
            return resp  # the client gave up, as it should
        await resp.write_eof()
        return resp

    # -- control routes --------------------------------------------------------------

    async def _set_fault_route(self, request: web.Request) -> web.Response:
        data = await request.json()
        try:
            self.set_fault(**data)
        except (TypeError, ValueError) as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response({"fault": asdict(self.fault) if self.fault else None})

    async def _clear_fault_route(self, request: web.Request) -> web.Response:
        self.clear_fault()
        return web.json_response({"fault": None})

    async def _requests_route(self, request: web.Request) -> web.Response:
        return web.json_response(
            [{"method": r.method, "path": r.path, "query": r.query} for r in self.requests]
        )

    async def _clear_requests_route(self, request: web.Request) -> web.Response:
        self.requests.clear()
        return web.json_response([])

    async def _credentials_route(self, request: web.Request) -> web.Response:
        data = await request.json()
        try:
            self.rotate_credentials(**data)
        except ValueError as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response({"rotated": sorted(data)})

    async def _deny_route(self, request: web.Request) -> web.Response:
        data = await request.json()
        paths = data.get("paths") or [] if isinstance(data, dict) else []
        try:
            self.deny(*(str(p) for p in paths))
        except (ValueError, re.error) as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response({"denied": [p.pattern for p in self.denied]})

    async def _allow_route(self, request: web.Request) -> web.Response:
        self.allow()
        return web.json_response({"denied": []})
