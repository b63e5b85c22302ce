"""The benchmarks run and print what they promise (small sizes; no timing assertions)."""

from __future__ import annotations

import re
import subprocess
import sys

from .processes import ROOT, subprocess_env

RATIO_LINE = re.compile(r"bytes_ratio=(\d+\.\d+) cpu_ratio=(\d+\.\d+)")


def test_qbittorrent_sync_benchmark_small() -> None:
    """200 torrents, 3 polls: a table with both sides' data, the ratio line last."""
    # not measured by pytest-cov (its subprocess hook would spoil the data), as test_end_to_end
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.qbittorrent_sync",
            "--torrents",
            "200",
            "--polls",
            "3",
            "--warmup",
            "1",
        ],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("qBittorrent sync: 200 torrents, 4 (2.0%) change per poll")
    match = RATIO_LINE.fullmatch(lines[-1])
    assert match is not None, lines[-1]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-1]}
    assert set(rows) == {"ours", "ours+data", "core"}
    for name in ("ours", "core"):
        requests, wire, body, cpu_mean, _cpu_median = rows[name]
        assert int(requests) >= 1
        assert float(wire) > float(body) > 0  # headers and body were counted
        assert float(cpu_mean) > 0
    # core refetches everything: with 200 torrents it receives more than our diffs
    assert float(rows["core"][2]) > float(rows["ours"][2])
    assert float(match.group(1)) > 0
    assert float(match.group(2)) > 0
