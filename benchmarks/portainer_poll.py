"""Requests, bytes and CPU per poll: our Portainer coordinator against Home Assistant core's.

Run from the project root::

    .venv/bin/python -m benchmarks.portainer_poll [--sizes 20,100,300] [--polls 5]

What is compared, for each fleet size, on the same simulator:

* **ours** — one poll of our coordinator's reading, ``PortainerFetcher.async_fetch``
  (environments, stacks, containers, Docker ``/info``, stats and inspects
  bounded per poll, bounded registry checks), through our client;
* **core** — one poll of Home Assistant core's ``portainer`` integration:
  ``PortainerCoordinator.update_data`` of the installed Home Assistant, with
  its own ``pyportainer`` client built as its ``async_setup_entry`` builds it
  (one environment subentry).  Its image watcher (24 h) and disk usage
  coordinator (30 min) are not part of a poll and are left out, as our
  30-minute disk read is.

Method:

* The simulator (``simulators/portainer.py``, the default media stack plus
  ``size - 5`` standalone containers, every third one stopped) runs in a
  **child process**, so its work is not counted.
* **Requests** are counted in this process by an aiohttp trace on each
  side's own session; **bytes** at the socket (everything received: status
  lines, headers, bodies), with ``qbittorrent_sync.WireCounter``; the two
  sides run one after the other, so each poll's bytes are its own.
* **CPU** is ``time.process_time()`` around each poll in this process (the
  client side only; the event loop is Home Assistant's test instance).
* Each side first polls until it is in its steady state (ours inspects and
  samples at most a fixed number of containers per poll, so a big fleet
  needs ``ceil(size / 20)`` polls to be seen once; core reads everything
  every poll), then ``--polls`` polls are measured; the first poll of each
  side is printed too (what a start costs).

The last line is ``bytes_ratio=<ours/core> cpu_ratio=<ours/core>`` at the
largest size (sums over the measured polls).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
import math
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
import tempfile
import time
from typing import Any

import aiohttp
from homeassistant import const as ha_const

from custom_components.pandora_box.api.portainer import PortainerClient
from custom_components.pandora_box.upstreams.portainer.model import (
    INSPECTS_PER_POLL,
    PortainerFetcher,
)
from simulators.portainer import PortainerSimulator

from .harness import running_hass
from .qbittorrent_sync import WireCounter


def _serve(size: int, conn: Connection) -> None:
    """Child process: run a simulator with ``size`` containers until the pipe closes."""

    async def main() -> None:
        sim = PortainerSimulator(extra_containers=max(size - 5, 0))
        await sim.start()
        conn.send((sim.url, sim.api_key))
        loop = asyncio.get_running_loop()
        with contextlib.suppress(EOFError):  # the parent closed the pipe: done
            await loop.run_in_executor(None, conn.recv)
        await sim.stop()

    asyncio.run(main())


WIRE = WireCounter()
"""Bytes received by this process (active for the whole run)."""


@dataclass
class Counter:
    """Requests sent by one session (bytes: ``WIRE``)."""

    requests: int = 0

    @property
    def bytes(self) -> int:
        """Bytes received so far (by this process)."""
        return WIRE.bytes

    def trace(self) -> aiohttp.TraceConfig:
        """An aiohttp trace that counts into this counter."""
        config = aiohttp.TraceConfig()

        async def on_end(_s: Any, _c: Any, _p: aiohttp.TraceRequestEndParams) -> None:
            self.requests += 1

        config.on_request_end.append(on_end)
        return config


@dataclass
class Result:
    """What one side cost: the first poll and the measured polls."""

    first: tuple[int, int, float]
    polls: list[tuple[int, int, float]]

    def mean(self, index: int) -> float:
        """Mean of column ``index`` (0 requests, 1 bytes, 2 CPU seconds)."""
        return sum(p[index] for p in self.polls) / len(self.polls)

    def total(self, index: int) -> float:
        """Sum of column ``index`` over the measured polls."""
        return sum(p[index] for p in self.polls)


async def _measure(counter: Counter, poll: Any, warmup: int, polls: int) -> Result:
    """Run ``poll`` ``warmup`` + ``polls`` times, counting each."""

    async def one() -> tuple[int, int, float]:
        requests, size = counter.requests, counter.bytes
        cpu = time.process_time()
        await poll()
        return counter.requests - requests, counter.bytes - size, time.process_time() - cpu

    first = await one()
    for _ in range(max(warmup - 1, 0)):
        await one()
    return Result(first=first, polls=[await one() for _ in range(polls)])


async def _ours(url: str, api_key: str, size: int, polls: int) -> Result:
    counter = Counter()
    async with aiohttp.ClientSession(trace_configs=[counter.trace()]) as session:
        fetcher = PortainerFetcher(PortainerClient(session, url, api_key=api_key), "bench")
        warmup = math.ceil(size / INSPECTS_PER_POLL) + 1
        return await _measure(counter, fetcher.async_fetch, warmup, polls)


async def _core(url: str, api_key: str, polls: int, config_dir: Path) -> Result:
    from homeassistant.components.portainer.coordinator import (  # noqa: PLC0415
        PortainerCoordinator,
    )
    from pyportainer import Portainer  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    counter = Counter()
    async with (
        running_hass(config_dir) as hass,
        aiohttp.ClientSession(trace_configs=[counter.trace()]) as session,
    ):
        entry = MockConfigEntry(
            domain="portainer",
            data={"url": url, "api_token": api_key, "verify_ssl": False},
            subentries_data=[
                {
                    "data": {"endpoint_id": 1},
                    "subentry_type": "environment",
                    "title": "local",
                    "unique_id": "1",
                }
            ],
        )
        entry.add_to_hass(hass)
        client = Portainer(
            api_url=url, api_key=api_key, session=session, request_timeout=10, max_retries=3
        )
        coordinator = PortainerCoordinator(hass, entry, client)

        async def poll() -> None:
            coordinator.data = await coordinator.update_data()

        result = await _measure(counter, poll, 1, polls)
        await hass.async_stop(force=True)
        return result


def _run(size: int, polls: int, config_dir: Path) -> tuple[Result, Result]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(size, child))
    process.start()
    try:
        url, api_key = parent.recv()

        async def both() -> tuple[Result, Result]:
            ours = await _ours(url, api_key, size, polls)
            core = await _core(url, api_key, polls, config_dir / str(size))
            return ours, core

        return asyncio.run(both())
    finally:
        parent.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def main() -> None:
    """Print the table and the ratio line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="20,100,300")
    parser.add_argument("--polls", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"Portainer poll: ours vs Home Assistant {ha_const.__version__} core portainer, "
        f"{args.polls} measured polls per side"
    )
    print(
        f"{'size':>5} {'side':<5} {'requests':>9} {'KiB':>9} {'cpu_ms':>8} "
        f"{'first_req':>9} {'first_KiB':>9}"
    )
    ratios: list[str] = []
    last = (0.0, 0.0)
    WIRE.active = True
    with tempfile.TemporaryDirectory() as tmp, WIRE.installed():
        for size in sizes:
            ours, core = _run(size, args.polls, Path(tmp))
            for name, result in (("ours", ours), ("core", core)):
                print(
                    f"{size:>5} {name:<5} {result.mean(0):>9.1f} {result.mean(1) / 1024:>9.1f} "
                    f"{result.mean(2) * 1000:>8.2f} {result.first[0]:>9} "
                    f"{result.first[1] / 1024:>9.1f}"
                )
            last = (
                ours.total(1) / max(core.total(1), 1),
                ours.total(2) / max(core.total(2), 1e-9),
            )
            ratios.append(
                f"{size}: requests={ours.total(0) / max(core.total(0), 1):.2f} "
                f"bytes={last[0]:.2f} cpu={last[1]:.2f}"
            )
    print("ratios (ours/core): " + "; ".join(ratios))
    print(f"bytes_ratio={last[0]:.3f} cpu_ratio={last[1]:.3f}")


if __name__ == "__main__":
    main()
