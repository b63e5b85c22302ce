"""The fault matrix outside pytest: seven kinds x six upstream faults, as a table.

Run from the project root::

    .venv/bin/python -m benchmarks.fault_suite [--kind KIND ...] [--fault FAULT ...]

Each cell is the same coroutine ``tests/faults/test_fault_suite.py`` runs
(``tests/faults/cells.py``), each in a fresh Home Assistant test instance
(``harness.running_hass``: ``async_test_home_assistant`` prepared as the pytest
plugin prepares it) against a fresh simulator on loopback:

* ``down_at_setup``   — upstream refused at setup: setup retry, then loaded;
* ``outage_recovery`` — upstream stopped while running: translated failure,
  entities unavailable; restarted: available again by themselves;
* ``auth_revoked``    — secret rotated upstream: translated ``invalid_auth``
  and a reauth flow;
* ``hung``            — no answer: the refresh ends at the 15 s client timeout
  (timers fired, not waited for) and the event loop never stalls ≥ 100 ms;
* ``malformed``       — half a body: translated upstream error, no reauth;
* ``oversized``       — a 64 MiB body: refused, traced peak memory within
  1.5 x the 16 MiB cap per request.

A cell prints ``ok`` (with a note) or ``FAIL`` (with the reason below the
table).  The last line is ``N passed, M failed``; the exit status is 1 when
any cell failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
import sys
import tempfile
import time

from tests.faults.cells import CELLS, FAULTS
from tests.helpers import KINDS, new_simulator

from .harness import running_hass


async def run_cell(kind: str, fault: str, scratch: Path) -> tuple[bool, str]:
    """Run one cell in its own Home Assistant and simulator; return (passed, note)."""
    folder = scratch / f"{kind}-{fault}"
    folder.mkdir()
    sim = new_simulator(kind, folder)
    await sim.start()
    try:
        async with running_hass(folder / "config") as hass:
            try:
                note = await CELLS[fault](hass, sim)
            except AssertionError as err:
                return False, str(err).splitlines()[0] if str(err) else "assertion failed"
            except Exception as err:  # noqa: BLE001 - a cell's crash is a failed cell
                return False, f"{type(err).__name__}: {err}"
            finally:
                sim.clear_fault()
                await hass.async_block_till_done()
            return True, note
    finally:
        await sim.stop()


async def main(kinds: list[str], faults: list[str]) -> int:
    """Run the selected cells, print the table and the totals."""
    results: dict[tuple[str, str], tuple[bool, str]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pandora-faults-") as scratch:
        for kind in kinds:
            for fault in faults:
                results[kind, fault] = await run_cell(kind, fault, Path(scratch))
    elapsed = time.perf_counter() - started

    width = 13
    print(f"Fault suite: {len(kinds)} kinds x {len(faults)} faults ({elapsed:.1f} s)")
    print("kind".ljust(width) + "".join(fault.ljust(17) for fault in faults))
    for kind in kinds:
        cells = "".join(("ok" if results[kind, fault][0] else "FAIL").ljust(17) for fault in faults)
        print(kind.ljust(width) + cells)
    print()
    for (kind, fault), (passed, note) in results.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {kind}/{fault}: {note}")
    passed_count = sum(1 for passed, _ in results.values() if passed)
    failed_count = len(results) - passed_count
    print(f"{passed_count} passed, {failed_count} failed")
    return 1 if failed_count else 0


def cli() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fault_suite", description=__doc__)
    parser.add_argument("--kind", action="append", choices=KINDS, help="only this kind")
    parser.add_argument("--fault", action="append", choices=FAULTS, help="only this fault")
    args = parser.parse_args()
    # The cells provoke errors on purpose; their log lines are not the result.
    logging.basicConfig(level=logging.CRITICAL)
    return asyncio.run(main(args.kind or list(KINDS), args.fault or list(FAULTS)))


if __name__ == "__main__":
    sys.exit(cli())
