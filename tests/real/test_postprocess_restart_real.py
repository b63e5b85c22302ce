"""Durable post-processing with real parts: a real ``hass`` killed in the middle of a job.

The stack of ``test_end_to_end_real.py`` (real qbittorrent-nox per binary of
``PANDORA_BOX_QBITTORRENT_NOX``, real cloudcmd, ``python -m simulators`` for
the other five kinds, ``python -m homeassistant`` set up by
``scripts/demo_setup.py``), with qBittorrent and CloudCmd on one disk:
qBittorrent saves into ``<served>/downloads/movies``, which CloudCmd (root
``<served>``) calls ``/downloads/movies``; the qBittorrent entry's options
map the ``movies`` category to ``/library/Movies``.

1. A local ``.torrent`` of a folder already in the download folder is added
   with category ``movies``: qBittorrent checks it and seeds, Home Assistant
   reports it completed and post-processing starts.  The simulated Jellyfin
   holds ``/Library/Refresh`` (a ``hang`` fault): the move (real cloudcmd)
   and the relocation (real qBittorrent) are done and in the journal on disk
   (``.storage/pandora_box.postprocess.<entry>``), the refresh is in flight,
   nothing announced on the websocket.  ``hass`` is killed (SIGKILL: no
   shutdown, nothing written after this point).
2. Jellyfin answers again, slowly (``slow``, a few seconds: long enough for
   the test to subscribe before the announcement).  ``hass`` starts on the
   same config: the job resumes at the refresh, without moving or relocating
   again, and ``pandora_box_media_ready`` arrives once.
3. A graceful restart: nothing runs again, the journal is unchanged.

Bounded: each ``hass`` start takes seconds on a warm venv; the module runs on
one xdist worker of its own per binary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json
import os
from pathlib import Path
import secrets
import signal
import subprocess
import time
from typing import Any

import aiohttp
import pytest
import pytest_socket

from ..processes import (
    demo_setup,
    free_port,
    prepare_config,
    start_hass,
    start_simulators,
    stop,
    wait_for_manifest,
)
from .cloudcmd import start_cloudcmd
from .conftest import QBittorrentBinary, RealQBittorrent
from .test_end_to_end_real import CONFIG, Client, Stack, kind_entries
from .test_qbittorrent_real import make_torrent

pytestmark = [pytest.mark.xdist_group("postprocess_restart_real"), pytest.mark.timeout(600)]

NAME = "Durable.Movie.2024.1080p.WEB-DL"
WAIT_S = 120.0  # a bound, not a measure: a loaded 2-core machine is slow
REFRESH = "/Library/Refresh"


async def wait_until[T](
    what: str, probe: Callable[[], Awaitable[T | None]], limit_s: float = WAIT_S
) -> T:
    """Poll ``probe`` every half second until it answers something, or fail."""
    deadline = time.monotonic() + limit_s
    while True:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            if (found := await probe()) is not None:
                return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


class Hass:
    """A real ``hass`` on one config folder, started and stopped (or killed) at will."""

    def __init__(self, config: Path, log: Path, url: str) -> None:
        """Not started yet."""
        self.config, self.log, self.url = config, log, url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (the log grows across runs)."""
        assert self.proc is None
        self.proc = start_hass(self.config, self.log)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop it with ``sig`` and wait for the process to end."""
        if self.proc is not None:
            stop(self.proc, sig=sig, timeout=60)
            self.proc = None

    def journal(self, entry_id: str) -> dict[str, Any]:
        """The jobs of the qBittorrent entry's journal, as on disk now."""
        path = self.config / ".storage" / f"pandora_box.postprocess.{entry_id}"
        if not path.exists():
            return {}
        jobs: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["data"]["jobs"]
        return jobs


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Loopback sockets for the processes this module starts."""
    pytest_socket.enable_socket()
    return tmp_path


async def sim_fault(session: aiohttp.ClientSession, sim_url: str, **fault: Any) -> None:
    """Set (or with no arguments clear) a simulator's fault over its control route."""
    if fault:
        async with session.post(f"{sim_url}/_sim/fault", json=fault) as resp:
            assert resp.status == 200, await resp.text()
    else:
        async with session.delete(f"{sim_url}/_sim/fault") as resp:
            assert resp.status == 200, await resp.text()


async def sim_count(session: aiohttp.ClientSession, sim_url: str, path: str) -> int:
    """How many requests for ``path`` reached a simulator."""
    async with session.get(f"{sim_url}/_sim/requests") as resp:
        return sum(1 for r in await resp.json() if r["path"] == path)


async def configure_library(client: Client, entry_id: str, served: Path) -> None:
    """qBittorrent's options: movies into /library/Movies; its ``served`` is CloudCmd's /."""
    flow = await client.rest(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    result = await client.rest(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {
            "torrent_entities": False,
            "torrent_count": 10,
            "library_folders": "movies=/library/Movies",
            "download_path": str(served),
            "cloudcmd_download_path": "/",
        },
    )
    assert result["type"] == "create_entry", result


async def add_local_torrent(qbt: RealQBittorrent, content: Path) -> str:
    """Add a ``.torrent`` of ``content`` (already in place) with category ``movies``."""
    torrent, info_hash = make_torrent(content)
    api = f"{qbt.url}/api/v2"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        login = {"username": qbt.username, "password": qbt.password}
        async with session.post(f"{api}/auth/login", data=login) as resp:
            # 4.x: 200 "Ok."; Web API 2.11.8+ answers an empty success with 204
            assert (resp.status, await resp.text()) in ((200, "Ok."), (204, ""))
        category = {"category": "movies", "savePath": str(content.parent)}
        async with session.post(f"{api}/torrents/createCategory", data=category) as resp:
            assert resp.status in (200, 204), await resp.text()
        form = aiohttp.FormData()
        form.add_field("torrents", torrent, filename="durable.torrent")
        form.add_field("savepath", str(content.parent))
        form.add_field("category", "movies")
        async with session.post(f"{api}/torrents/add", data=form) as resp:
            assert resp.status in (200, 202), await resp.text()
    return info_hash


async def torrent_info(qbt: RealQBittorrent, info_hash: str) -> dict[str, Any] | None:
    """The torrent as qBittorrent's ``torrents/info`` reports it."""
    api = f"{qbt.url}/api/v2"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        login = {"username": qbt.username, "password": qbt.password}
        async with session.post(f"{api}/auth/login", data=login) as resp:
            assert resp.status in (200, 204)
        async with session.get(f"{api}/torrents/info", params={"hashes": info_hash}) as resp:
            found: list[dict[str, Any]] = await resp.json()
    return found[0] if found else None


async def test_a_killed_hass_resumes_the_job_and_announces_it_once(
    work: Path, qbittorrent_binary: QBittorrentBinary
) -> None:
    """Killed between relocation and refresh: resumed at the refresh, announced once."""
    with contextlib.ExitStack() as cleanup:
        qbt = RealQBittorrent(
            qbittorrent_binary, profile=work / "qbt", password=f"pw-{secrets.token_hex(8)}"
        )
        qbt.start()
        cleanup.callback(qbt.stop)
        (work / "cloudcmd").mkdir()
        cloudcmd = start_cloudcmd(work / "cloudcmd")
        cleanup.callback(cloudcmd.stop)
        served = cloudcmd.served
        content = served / "downloads" / "movies" / NAME
        content.mkdir(parents=True)
        (content / "movie.mkv").write_bytes(os.urandom(200_000))
        (content / "movie.nfo").write_bytes(b"durable")
        (served / "library" / "Movies").mkdir(parents=True)
        before = {p.name: p.read_bytes() for p in content.iterdir()}

        sims = start_simulators(work / "sims.json", work / "sims.log")
        cleanup.callback(stop, sims)
        manifest = wait_for_manifest(sims, work / "sims.json", work / "sims.log")
        manifest["qbittorrent"] = {
            "url": qbt.url,
            "username": qbt.username,
            "password": qbt.password,
        }
        manifest["cloudcmd"] = {
            "url": cloudcmd.url,
            "username": cloudcmd.username,
            "password": cloudcmd.password,
            "root": "/",
        }
        (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        jellyfin = manifest["jellyfin"]["url"]

        port = free_port()
        prepare_config(work / "config", CONFIG.format(port=port))
        hass = Hass(work / "config", work / "hass.log", f"http://127.0.0.1:{port}")
        hass.start()
        cleanup.callback(hass.stop)
        setup = demo_setup(
            hass.url,
            work / "manifest.json",
            username="durable",
            password=f"durable-{secrets.token_hex(6)}",
            token_file=work / "token",
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr + hass.log.read_text()
        stack = Stack(
            url=hass.url,
            token=(work / "token").read_text(encoding="utf-8"),
            qbittorrent=qbt,
            cloudcmd=cloudcmd,
            manifest=manifest,
            hass_log=hass.log,
        )

        async with aiohttp.ClientSession() as session:
            # -- run 1: the job runs into the held refresh; hass is killed there ----------
            client = Client(stack, session)
            await client.connect()
            by_kind = await kind_entries(client)
            entry_id = by_kind["qbittorrent"]
            await configure_library(client, entry_id, served)
            subscribed = await client.command(
                {"type": "subscribe_events", "event_type": "pandora_box_media_ready"}
            )
            assert subscribed["success"]
            await sim_fault(session, jellyfin, mode="hang", path=REFRESH)
            # what a killed hass must find again: the entries, their options, the token
            storage = hass.config / ".storage"
            await wait_until(
                "the options on disk",
                _probe_text(storage / "core.config_entries", "/library/Movies"),
            )
            await wait_until("the auth store on disk", _probe_text(storage / "auth", "durable"))

            info_hash = await add_local_torrent(qbt, content)

            async def relocated() -> dict[str, Any] | None:
                job = hass.journal(entry_id).get(info_hash)
                held = await sim_count(session, jellyfin, REFRESH)
                return job if job is not None and "relocated" in job["steps"] and held else None

            job = await wait_until("moved and relocated, refresh in flight", relocated)
            assert list(job["steps"]) == ["moved", "relocated"]
            assert job["destination"] == "/library/Movies"
            assert not content.exists()
            moved = served / "library" / "Movies" / NAME
            assert {p.name: p.read_bytes() for p in moved.iterdir()} == before
            torrent = await torrent_info(qbt, info_hash)
            assert torrent is not None
            assert Path(torrent["save_path"]) == served / "library" / "Movies"
            with contextlib.suppress(TimeoutError):
                assert client.ws is not None
                message = await client.ws.receive_json(timeout=1)
                if message["type"] == "event":
                    client.events.append(message["event"])
            assert client.events == []  # nothing announced yet
            await close(client)
            hass.stop(signal.SIGKILL)
            assert list(hass.journal(entry_id)[info_hash]["steps"]) == ["moved", "relocated"]

            # -- run 2: resumed at the refresh, announced once ----------------------------
            await sim_fault(session, jellyfin)
            await sim_fault(session, jellyfin, mode="slow", delay=6, path=REFRESH)
            refreshes = await sim_count(session, jellyfin, REFRESH)
            hass.start()
            client = Client(stack, session)
            await wait_until("hass answering again", _probe_connect(client))
            subscribed = await client.command(
                {"type": "subscribe_events", "event_type": "pandora_box_media_ready"}
            )
            assert subscribed["success"]
            event = await client.wait_for_event("pandora_box_media_ready", {"hash": info_hash})
            assert event["data"] == {
                "entry_id": entry_id,
                "hash": info_hash,
                "title": NAME,
                "category": "movies",
                "folder": "/library/Movies",
                "path": f"/library/Movies/{NAME}",
            }

            # the event is fired, then its step written: the journal may trail the event
            async def announced() -> dict[str, Any] | None:
                job = hass.journal(entry_id).get(info_hash)
                return job if job is not None and "announced" in job["steps"] else None

            job = await wait_until("the announcement in the journal", announced)
            assert list(job["steps"]) == ["moved", "relocated", "refreshed", "announced"]
            assert await sim_count(session, jellyfin, REFRESH) == refreshes + 1
            await asyncio.sleep(3)  # a second announcement would come now
            with contextlib.suppress(TimeoutError):
                assert client.ws is not None
                while True:
                    message = await client.ws.receive_json(timeout=1)
                    if message["type"] == "event":
                        client.events.append(message["event"])
            assert [e["data"]["hash"] for e in client.events] == [info_hash]
            assert {p.name: p.read_bytes() for p in moved.iterdir()} == before
            torrent = await torrent_info(qbt, info_hash)
            assert torrent is not None
            assert Path(torrent["save_path"]) == served / "library" / "Movies"
            assert torrent["progress"] == 1
            await close(client)
            await sim_fault(session, jellyfin)

            # -- run 3: a graceful restart runs nothing again -----------------------------
            hass.stop()
            hass.start()
            client = Client(stack, session)
            await wait_until("hass answering after the restart", _probe_connect(client))
            entries = await wait_until("the entries loaded", _probe_loaded(client))
            assert len(entries) == 7
            await asyncio.sleep(3)
            assert hass.journal(entry_id)[info_hash] == job
            assert await sim_count(session, jellyfin, REFRESH) == refreshes + 1
            await close(client)


async def close(client: Client) -> None:
    """Close the client's websocket."""
    assert client.ws is not None
    await client.ws.close()


def _contains(path: Path, text: str) -> bool:
    """Whether ``path`` exists and contains ``text`` (small files, read at once)."""
    return path.exists() and text in path.read_text(errors="replace")


def _probe_text(path: Path, text: str) -> Callable[[], Awaitable[bool | None]]:
    """A probe: ``path`` exists and contains ``text``."""

    async def probe() -> bool | None:
        return True if _contains(path, text) else None

    return probe


def _probe_connect(client: Client) -> Callable[[], Awaitable[bool | None]]:
    """A probe: the websocket connects and authenticates."""

    async def probe() -> bool | None:
        await client.connect()
        return True

    return probe


def _probe_loaded(client: Client) -> Callable[[], Awaitable[list[Any] | None]]:
    """A probe: every entry of ours is loaded."""

    async def probe() -> list[Any] | None:
        entries = await client.rest("GET", "/api/config/config_entries/entry")
        ours = [e for e in entries if e["domain"] == "pandora_box"]
        return ours if ours and {e["state"] for e in ours} == {"loaded"} else None

    return probe
