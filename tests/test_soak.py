"""The soak (``benchmarks/soak.py``), short: a few simulated hours, a test of its counts.

The figures of the 7-day run are in the README (*Measured*); here only counts
are asserted, never times.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
import logging
import random
import re
import sys

from benchmarks.soak import (
    COOLDOWN_S,
    EVENTS,
    FAULT_SLOT_S,
    WARMUP_S,
    Ledger,
    LogCounter,
    fault_plan,
)
from tests.faults.cells import FAULTS

from .helpers import KINDS
from .processes import run_module

SUMMARY = re.compile(
    r"soak: polls=(?P<polls>\d+) faults=(?P<faults>\d+) recovered=(?P<recovered>\d+) "
    r"events_expected=(?P<expected>\d+) events_fired=(?P<fired>\d+) "
    r"unhandled=(?P<unhandled>\d+) memory_growth_pct=(?P<growth>-?\d+\.\d+)"
)
PER_KIND = re.compile(r"(\w+)=(\d+)/(\d+)")


def test_short_soak_counts() -> None:
    """3 simulated hours: every fault of the matrix on every upstream, each recovered;
    each torrent's events exactly once, per kind; nothing unhandled."""
    result = run_module("benchmarks.soak", "--hours", "3", "--seed", "7")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = SUMMARY.fullmatch(lines[-1])
    assert match is not None, lines[-1]
    figures = {name: float(value) for name, value in match.groupdict().items()}
    assert figures["faults"] == len(KINDS) * len(FAULTS)
    assert figures["recovered"] == figures["faults"]
    assert figures["unhandled"] == 0
    assert figures["polls"] > 0
    assert figures["fired"] == figures["expected"]
    events = next(line for line in lines if line.startswith("events (fired/expected):"))
    per_kind = {
        kind: (int(fired), int(expected)) for kind, fired, expected in PER_KIND.findall(events)
    }
    assert set(per_kind) == set(EVENTS)
    for kind, (fired, expected) in per_kind.items():
        assert fired == expected, (kind, fired, expected)
    for kind in ("added", "completed", "media_ready"):
        assert per_kind[kind][1] > 0, f"the short soak expected no {kind} event"
    assert not any(
        line.lstrip().startswith(("WRONG", "NOT RECOVERED", "UNHANDLED")) for line in lines
    )


def test_ledger_catches_a_repeat_that_totals_hide() -> None:
    """A doubled media_ready and a missing one leave the totals equal: the ledger says no."""
    ledger = Ledger()
    for torrent_hash in ("a" * 40, "b" * 40):
        for kind in ("added", "completed", "media_ready"):
            ledger.expect(kind, torrent_hash)
            ledger.saw(kind, torrent_hash)
    assert ledger.complete()
    ledger.saw("media_ready", "a" * 40)  # announced twice
    assert not ledger.complete()
    assert ledger.wrong() == {"media_ready": [f"{'a' * 8} 2/1"]}
    ledger.expect("removed", "c" * 40)  # expected, never fired: totals equal again
    assert ledger.total("expected") == ledger.total("fired")
    assert set(ledger.wrong()) == {"media_ready", "removed"}


def _record(
    name: str, level: int, message: str, *args: object, traceback: bool = False
) -> logging.LogRecord:
    exc_info = None
    if traceback:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, level, __file__, 1, message, args, exc_info)


def test_log_counter_tells_ours_from_the_simulators() -> None:
    """Our tracebacks count as unhandled, a simulator server's do not; a coordinator's
    error counts only when no fault was injected on its upstream."""
    faulty = {"jellyfin"}
    counter = LogCounter(
        lambda kind: kind in faulty, {"soak jellyfin": "jellyfin", "soak tmdb": "tmdb"}
    )
    ours = "custom_components.pandora_box"
    counter.handle(
        _record("aiohttp.server", logging.ERROR, "Error handling request", traceback=True)
    )
    fetching = "Error fetching %s data: %s"
    counter.handle(_record(ours, logging.ERROR, fetching, "pandora_box soak jellyfin", "x"))
    assert counter.unhandled == []
    assert (counter.upstream_side, counter.expected_errors) == (1, 1)
    counter.handle(_record(ours, logging.ERROR, fetching, "pandora_box soak tmdb", "x"))
    counter.handle(_record(ours, logging.ERROR, "Unexpected error", traceback=True))
    counter.handle(_record(ours, logging.WARNING, "Could not file x away"))
    assert len(counter.unhandled) == 2
    assert sum(counter.lines.values()) == 5


def test_fault_plan_is_seeded_complete_and_apart() -> None:
    """Same seed, same plan; every fault on every upstream; one upstream's faults apart."""
    plan = fault_plan(random.Random(7), 3 * 3600, rounds=1)
    assert plan == fault_plan(random.Random(7), 3 * 3600, rounds=1)
    assert plan != fault_plan(random.Random(8), 3 * 3600, rounds=1)
    assert Counter((kind, fault) for _, kind, fault in plan) == {
        (kind, fault): 1 for kind in KINDS for fault in FAULTS
    }
    for kind in KINDS:
        starts = sorted(at for at, other, _ in plan if other == kind)
        assert all(b - a >= FAULT_SLOT_S for a, b in pairwise(starts)), (kind, starts)
        assert starts[0] >= WARMUP_S
        assert starts[-1] + FAULT_SLOT_S <= 3 * 3600 - COOLDOWN_S
