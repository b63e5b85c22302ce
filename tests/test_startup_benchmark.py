"""`python -m benchmarks.startup` runs and prints what it promises (no timing assertions)."""

from __future__ import annotations

import re

from .processes import run_module

LAST_LINE = re.compile(r"setup_s=(\d+\.\d{3}) requests=(\d+)")
KINDS = ("qbittorrent", "jackett", "tmdb", "watchmode", "cloudcmd", "portainer", "jellyfin")


def test_startup_benchmark_prints_its_figures() -> None:
    """One round: all seven loaded, requests per upstream, the figures line last."""
    # not measured by pytest-cov (its subprocess hook would spoil the data), as test_end_to_end
    result = run_module("benchmarks.startup", "--rounds", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("round 1: ")
    assert "to all 7 loaded" in lines[0]
    match = LAST_LINE.fullmatch(lines[-1])
    assert match is not None, lines[-1]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-2]}
    assert set(rows) == set(KINDS)
    counts = {kind: int(rows[kind][0]) for kind in KINDS}
    assert all(n >= 1 for n in counts.values()), counts  # every entry checked its upstream
    assert sum(counts.values()) == int(match.group(2))
    assert float(match.group(1)) > 0
    assert lines[-2].startswith("upstreams asked twice for the same data: ")
