"""Startup cost: all seven entries set up at once in one Home Assistant, against the simulators.

Run from the project root::

    .venv/bin/python -m benchmarks.startup [--rounds 3]

Method:

* ``python -m simulators`` runs in a **child process** (its work is not
  counted) and writes the manifest of the seven upstreams;
* each round builds a fresh Home Assistant test instance
  (``harness.running_hass``: ``async_test_home_assistant`` with its own config
  folder, prepared as the pytest plugin prepares it), adds one config entry
  per kind from the manifest (the data the config flow would store), clears
  the request logs and then times ``async_setup_component(hass, "pandora_box", {})`` plus
  ``async_block_till_done()``: the integration loads, every entry checks its
  upstream, runs its first refresh and sets up its platforms — what Home
  Assistant does at start.  The first round includes importing Home
  Assistant's entity platforms (the integration's own modules are imported
  before timing, for the config-flow fields); later rounds are warm;
* the requests each upstream received during setup come from the
  simulators' logs (``GET /_sim/requests``); a request repeated with the same
  method, path and query during one setup is flagged as the same data fetched
  twice.

Output: one line per round, the requests per upstream of the last round (and
any repeats), and last ``setup_s=<seconds> requests=<n>``: the slowest round
and the requests of one setup.  Target: under 2 s on a 2-core machine, no
upstream asked twice for the same data.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Iterator
import contextlib
import logging
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import CONF_KIND, DOMAIN, Kind
from tests.helpers import manifest_entry_data
from tests.processes import start_simulators, stop, wait_for_manifest

from .harness import running_hass

KINDS = tuple(kind.value for kind in Kind)

type Request = tuple[str, str, str]
"""Method, path and query (sorted, secrets masked by the simulator) of one request."""


@contextlib.contextmanager
def simulators(scratch: Path) -> Iterator[dict[str, Any]]:
    """Run ``python -m simulators`` in a child process; yield its manifest."""
    manifest = scratch / "manifest.json"
    log = scratch / "simulators.log"
    proc = start_simulators(manifest, log)
    try:
        try:
            data = wait_for_manifest(proc, manifest, log, limit_s=60)
        except AssertionError as err:
            raise SystemExit(f"startup: the simulators did not start: {err}") from None
        yield data
    finally:
        stop(proc, timeout=15)


async def request_logs(
    session: aiohttp.ClientSession, manifest: dict[str, Any], *, clear: bool = False
) -> dict[str, list[Request]]:
    """Each simulator's request log (or clear them all)."""
    logs: dict[str, list[Request]] = {}
    for kind, fields in manifest.items():
        url = f"{fields['url']}/_sim/requests"
        async with session.request("DELETE" if clear else "GET", url) as resp:
            resp.raise_for_status()
            rows = await resp.json()
        logs[kind] = [
            (
                row["method"],
                row["path"],
                "&".join(f"{k}={v}" for k, v in sorted(row["query"].items())),
            )
            for row in rows
        ]
    return logs


async def one_round(
    manifest: dict[str, Any], session: aiohttp.ClientSession, config_dir: Path
) -> tuple[float, dict[str, list[Request]]]:
    """Set up all seven entries once; return (seconds, requests per upstream)."""
    async with running_hass(config_dir) as hass:
        entries = []
        for kind in KINDS:
            entry = MockConfigEntry(
                domain=DOMAIN,
                title=f"{kind} bench",
                data=manifest_entry_data(kind, manifest[kind]),
                unique_id=f"{kind}:bench",
            )
            entry.add_to_hass(hass)
            entries.append(entry)
        await request_logs(session, manifest, clear=True)
        started = time.perf_counter()
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
        elapsed = time.perf_counter() - started
        states = {entry.data[CONF_KIND]: entry.state for entry in entries}
        if any(state is not ConfigEntryState.LOADED for state in states.values()):
            raise SystemExit(f"startup: not every entry loaded: {states}")
        logs = await request_logs(session, manifest)
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    return elapsed, logs


async def main(rounds: int) -> int:
    """Run the rounds and print the figures."""
    with (
        tempfile.TemporaryDirectory(prefix="pandora-startup-") as scratch,
        simulators(Path(scratch)) as manifest,
    ):
        async with aiohttp.ClientSession() as session:
            times: list[float] = []
            logs: dict[str, list[Request]] = {}
            for number in range(rounds):
                elapsed, logs = await one_round(manifest, session, Path(scratch) / f"r{number}")
                times.append(elapsed)
                label = (
                    "first (Home Assistant's platform imports included)" if not number else "warm"
                )
                print(f"round {number + 1}: {elapsed:.3f} s to all {len(KINDS)} loaded, {label}")
    print(f"{'upstream':<12} {'requests':>8}  repeated (same method, path and query)")
    repeats = 0
    for kind in KINDS:
        counts = Counter(logs[kind])
        twice = {request: n for request, n in counts.items() if n > 1}
        repeats += len(twice)
        shown = ", ".join(f"{m} {p}{'?' + q if q else ''} x{n}" for (m, p, q), n in twice.items())
        print(f"{kind:<12} {len(logs[kind]):>8}  {shown or '-'}")
    total = sum(len(rows) for rows in logs.values())
    print(f"upstreams asked twice for the same data: {repeats}")
    print(f"setup_s={max(times):.3f} requests={total}")
    return 0


def cli() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="setups to time (default 3)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    return asyncio.run(main(max(1, args.rounds)))


if __name__ == "__main__":
    sys.exit(cli())
