"""Bytes and CPU per poll: our rid-diff sync against Home Assistant core's full refetch.

Run from the project root::

    .venv/bin/python -m benchmarks.qbittorrent_sync [--torrents 5000] [--share 0.02]
        [--polls 20] [--warmup 2] [--no-gzip]

What is compared, poll by poll over the same sequence of server states:

* **ours** — the upstream part of our coordinator's poll:
  ``QBittorrentClient.async_sync_maindata(rid)`` (aiohttp, the last ``rid``) merged
  with ``SyncState.apply`` (the row ``ours+data`` adds the rest, see below);
* **core** — what Home Assistant core's ``qbittorrent`` integration does each poll
  (``coordinator.py``: ``client.sync_maindata()`` — no ``rid``, so a full snapshot —
  then ``client.transfer_speed_limits_mode()``), through the ``qbittorrent-api``
  library built as core's ``helpers.setup_client`` builds it.

Method:

* The qBittorrent simulator (``simulators/qbittorrent.py``) runs in a **child
  process** with 5,000 torrents (``add_fleet``); before each poll the parent asks
  it (a control route, outside the measurement) to ``churn`` 2 % of them.  Both
  sides then poll the same state.  The child answers with gzip exactly as
  qBittorrent does (``src/base/http``: when the request accepts gzip, the body is
  over 1 KiB and gzip level 6 saves more than 24 bytes; measured on 4.5.2: a
  30,098-byte ``maindata`` goes out as 2,225 bytes); ``--no-gzip`` turns that off.
* **Bytes** are counted at the socket: ``socket.socket.recv``/``recv_into`` are
  wrapped in this (client) process and count what they return while a poll is
  being measured — status line, headers and (compressed) body, for both sides the
  same way (asyncio's transport and ``http.client`` both read through them).  The
  server also reports the body bytes it sent per client, as a cross-check.
* **CPU** is ``time.process_time()`` around each poll in this process.  The server's
  work (JSON encoding, gzip) happens in the child process, so it is not counted.
  Both sides run in the main thread (core would add an executor hop; not counted).
* Login, the first full snapshot and ``--warmup`` polls are not measured
  (steady state only).  At the end the merged state must equal a full snapshot
  (torrents and server state), else the run fails: the saving loses nothing.

The row ``ours+data`` adds what ``QBittorrentCoordinator._async_fetch`` builds from
the merged state each poll (counts, server state, the typed torrents as a dict;
the optional per-torrent entities' ``most_recent`` is left out: off by default).
The table shows means per measured poll; the last line is
``bytes_ratio=<ours/core> cpu_ratio=<ours/core>`` (sums over all measured polls).
Targets: bytes_ratio <= 0.05, cpu_ratio <= 0.2.
"""

from __future__ import annotations

import _socket
import argparse
import asyncio
from collections.abc import Callable, Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
import json
import multiprocessing
import multiprocessing.connection
from multiprocessing.connection import Connection
import socket
import statistics
import sys
import time
from typing import Any, ClassVar
import urllib.request
import zlib

import aiohttp
from aiohttp import web
import qbittorrentapi

from custom_components.pandora_box.api.qbittorrent import QBittorrentClient
from custom_components.pandora_box.api.qbittorrent_sync import SyncState
from simulators.base import Handler
from simulators.qbittorrent import QBittorrentSimulator

USERNAME = "admin"
PASSWORD = "adminadmin"  # noqa: S105 - the simulator's default, as qBittorrent 4.5's
GZIP_MIN_BYTES = 1024
"""qBittorrent compresses only bodies larger than this (``compressContent``)."""
GZIP_HEADER_BYTES = 24
"""qBittorrent keeps the plain body unless gzip saves more than this header's length."""


# -- the server (child process) ---------------------------------------------------------


class BenchSimulator(QBittorrentSimulator):
    """The simulator plus gzip as qBittorrent does it, a churn route and a byte tally."""

    families: ClassVar[tuple[str, ...]] = ("aiohttp", "python-requests")

    def __init__(self, *, gzip: bool) -> None:
        """An empty simulator (the fleet is added by :func:`serve`); gzip on or off."""
        super().__init__(torrents=[])
        self.gzip = gzip
        self.sent: dict[str, int] = dict.fromkeys(self.families, 0)

    def setup_routes(self, app: web.Application) -> None:
        """The simulator's routes, the gzip/tally middleware and the two control routes."""
        super().setup_routes(app)
        # appended last, so it wraps the handler inside the base fault/log middleware
        app.middlewares.append(self._encode)
        app.router.add_post("/_sim/bench/churn", self._churn_route)
        app.router.add_post("/_sim/bench/sent", self._sent_route)

    @web.middleware
    async def _encode(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        resp = await handler(request)
        if request.path.startswith("/_sim/") or not isinstance(resp, web.Response):
            return resp
        body = resp.body
        if not isinstance(body, bytes):
            return resp
        if self.gzip and _accepts_gzip(request.headers.get("Accept-Encoding", "")):
            body = _qbittorrent_gzip(resp, body)
        agent = request.headers.get("User-Agent", "")
        for family in self.families:
            if family in agent:
                self.sent[family] += len(body)
        return resp

    async def _churn_route(self, request: web.Request) -> web.Response:
        share = float(request.query["share"])
        return web.json_response({"churned": len(self.churn(share))})

    async def _sent_route(self, request: web.Request) -> web.Response:
        sent, self.sent = self.sent, dict.fromkeys(self.families, 0)
        return web.json_response(sent)


def _accepts_gzip(header: str) -> bool:
    """QBittorrent's ``acceptsGzipEncoding``: ``gzip`` or ``*`` with a quality above 0."""
    for coding in header.replace(" ", "").replace("\t", "").split(","):
        name, _, quality = coding.partition(";q=")
        if name in ("gzip", "*"):
            try:
                return not quality or float(quality) > 0
            except ValueError:
                return False
    return False


def _qbittorrent_gzip(resp: web.Response, body: bytes) -> bytes:
    """Compress like qBittorrent's ``compressContent``; return the body that is sent."""
    if len(body) <= GZIP_MIN_BYTES:
        return body
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # a gzip wrapper
    packed = packer.compress(body) + packer.flush()
    if len(packed) + GZIP_HEADER_BYTES >= len(body):
        return body
    resp.body = packed
    resp.headers["Content-Encoding"] = "gzip"
    return packed


def serve(conn: Connection, torrents: int, gzip: bool) -> None:
    """Child process: run the simulator with ``torrents`` torrents until told to stop."""

    async def run() -> None:
        sim = BenchSimulator(gzip=gzip)
        sim.add_fleet(torrents)
        await sim.start()
        conn.send(sim.port)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # any message (or EOF): stop
        await sim.stop()

    with contextlib.suppress(EOFError, KeyboardInterrupt):
        asyncio.run(run())


# -- measuring (this process) -------------------------------------------------------------


class WireCounter:
    """Counts bytes that ``socket.socket.recv``/``recv_into`` return while active."""

    def __init__(self) -> None:
        """Count nothing yet."""
        self.bytes = 0
        self.active = False

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Wrap the socket methods for the duration (both clients read through them)."""
        counter = self
        # socket.socket inherits both from the C class; shadow them on the Python class
        original_recv = _socket.socket.recv
        original_recv_into = _socket.socket.recv_into

        def recv(sock: socket.socket, *args: Any) -> bytes:
            data: bytes = original_recv(sock, *args)
            if counter.active:
                counter.bytes += len(data)
            return data

        def recv_into(sock: socket.socket, *args: Any) -> int:
            count: int = original_recv_into(sock, *args)
            if counter.active:
                counter.bytes += count
            return count

        socket.socket.recv = recv  # type: ignore[method-assign,assignment]
        socket.socket.recv_into = recv_into  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            del socket.socket.recv
            del socket.socket.recv_into

    @contextlib.contextmanager
    def window(self) -> Iterator[None]:
        """Count only inside this block."""
        self.active = True
        try:
            yield
        finally:
            self.active = False


@dataclass
class Side:
    """What one side received and spent, per measured poll."""

    name: str
    wire: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    body: int = 0
    requests_per_poll: int = 0

    def measure(self, counter: WireCounter, poll: Callable[[], None]) -> None:
        """Run one poll inside a counting window and record bytes and CPU seconds."""
        before_bytes = counter.bytes
        with counter.window():
            start = time.process_time()
            poll()
            spent = time.process_time() - start
        self.wire.append(counter.bytes - before_bytes)
        self.cpu.append(spent)


def _control(url: str, path: str) -> Any:
    """POST to a control route of the simulator (never inside a counting window)."""
    # our own loopback http:// URL, never a user's
    request = urllib.request.Request(f"{url}{path}", data=b"", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310
        return json.loads(resp.read())


def run(
    torrents: int, share: float, polls: int, warmup: int, gzip: bool
) -> tuple[Side, Side, Side]:
    """Start the simulator process, poll with both sides, return their measurements."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(child, torrents, gzip), daemon=True)
    server.start()
    try:
        # the child imports Home Assistant (our package) and builds the fleet: allow time,
        # but give up at once when it dies
        ready = multiprocessing.connection.wait([parent, server.sentinel], timeout=300)
        if parent not in ready:
            raise RuntimeError(f"the simulator process did not start ({server.exitcode=})")
        url = f"http://127.0.0.1:{parent.recv()}"
        return _poll_both(url, share, polls, warmup)
    finally:
        parent.send("stop")
        server.join(30)
        if server.is_alive():
            server.terminate()
            server.join()


def _poll_both(url: str, share: float, polls: int, warmup: int) -> tuple[Side, Side, Side]:
    """Log both sides in, take the first snapshots, then measure ``polls`` churned polls."""
    counter = WireCounter()
    ours, core, data = Side("ours"), Side("core"), Side("ours+data")
    loop = asyncio.new_event_loop()
    session = loop.run_until_complete(_session())
    try:
        client = QBittorrentClient(session, url, username=USERNAME, password=PASSWORD)
        state = SyncState()

        async def ours_poll() -> None:
            state.apply(await client.async_sync_maindata(state.rid))

        # as core's helpers.setup_client builds it; its coordinator polls these two calls
        core_client = qbittorrentapi.Client(
            url, username=USERNAME, password=PASSWORD, VERIFY_WEBUI_CERTIFICATE=True
        )
        core_client.auth_log_in(USERNAME, PASSWORD)
        alt_speed: list[bool] = []

        def coordinator_data() -> None:
            # what QBittorrentCoordinator._async_fetch builds from the merged state
            state.counts()
            state.server()
            dict(state.torrents())

        def core_poll() -> None:
            core_client.sync_maindata()
            alt_speed.append(core_client.transfer_speed_limits_mode() == "1")

        with counter.installed():
            loop.run_until_complete(ours_poll())  # rid 0: the first full snapshot
            coordinator_data()  # the first poll types every torrent: not steady state
            core_poll()
            for i in range(warmup + polls):
                _control(url, f"/_sim/bench/churn?share={share}")
                _control(url, "/_sim/bench/sent")  # reset the server's tally
                if i < warmup:
                    loop.run_until_complete(ours_poll())
                    coordinator_data()
                    core_poll()
                    continue
                ours.measure(counter, lambda: loop.run_until_complete(ours_poll()))
                data.measure(counter, coordinator_data)
                core.measure(counter, core_poll)
                sent = _control(url, "/_sim/bench/sent")
                ours.body += sent["aiohttp"]
                core.body += sent["python-requests"]
        data.wire, data.body = ours.wire, ours.body
        data.cpu = [a + b for a, b in zip(ours.cpu, data.cpu, strict=True)]
        # the merged diffs must hold exactly what a full snapshot holds (nothing lost)
        full = core_client.sync_maindata()
        merged = state.raw()
        if merged["torrents"] != {h: dict(t) for h, t in (full.torrents or {}).items()}:
            raise RuntimeError("the merged diffs differ from a full snapshot (torrents)")
        if merged["server_state"] != dict(full.server_state or {}):
            raise RuntimeError("the merged diffs differ from a full snapshot (server state)")
        ours.requests_per_poll = data.requests_per_poll = 1
        core.requests_per_poll = 2
        core_client.auth_log_out()
    finally:
        loop.run_until_complete(session.close())
        loop.close()
    return ours, core, data


async def _session() -> aiohttp.ClientSession:
    """A session as ``upstreams/qbittorrent`` builds it for qBittorrent (own unsafe cookie jar)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def report(ours: Side, core: Side, data: Side, *, torrents: int, share: float, gzip: bool) -> str:
    """The table and, last, the ratio line."""
    polls = len(ours.wire)
    changed = round(torrents * share)
    title = (
        f"qBittorrent sync: {torrents} torrents, {changed} ({share:.1%}) change per poll, "
        f"{polls} measured polls, gzip {'as qBittorrent' if gzip else 'off'}"
    )
    header = (
        f"{'side':<10}{'req/poll':>9}{'wire B/poll':>13}{'body B/poll':>13}"
        f"{'CPU ms/poll':>13}{'CPU ms median':>15}"
    )
    lines = [title, header]
    lines.extend(
        f"{side.name:<10}{side.requests_per_poll:>9}{sum(side.wire) / polls:>13.0f}"
        f"{side.body / polls:>13.0f}{1000 * sum(side.cpu) / polls:>13.3f}"
        f"{1000 * statistics.median(side.cpu):>15.3f}"
        for side in (ours, data, core)
    )
    bytes_ratio = sum(ours.wire) / sum(core.wire)
    cpu_ratio = sum(ours.cpu) / sum(core.cpu)
    lines.append(f"bytes_ratio={bytes_ratio:.4f} cpu_ratio={cpu_ratio:.4f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--torrents", type=int, default=5000)
    parser.add_argument("--share", type=float, default=0.02, help="share changed per poll")
    parser.add_argument("--polls", type=int, default=20, help="measured polls")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured polls first")
    parser.add_argument("--no-gzip", dest="gzip", action="store_false")
    args = parser.parse_args(argv)
    if args.polls < 1 or args.torrents < 1:
        parser.error("--polls and --torrents must be at least 1")
    ours, core, data = run(args.torrents, args.share, args.polls, args.warmup, args.gzip)
    print(report(ours, core, data, torrents=args.torrents, share=args.share, gzip=args.gzip))
    return 0


if __name__ == "__main__":
    sys.exit(main())
