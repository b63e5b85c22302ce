"""The benchmarks run and print what they promise (small sizes; no timing assertions)."""

from __future__ import annotations

import re

from .processes import run_module

RATIO_LINE = re.compile(r"bytes_ratio=(\d+\.\d+) cpu_ratio=(\d+\.\d+)")


def test_qbittorrent_sync_benchmark_small() -> None:
    """200 torrents, 3 polls: a table with both sides' data, the ratio line last."""
    # not measured by pytest-cov (its subprocess hook would spoil the data), as test_end_to_end
    result = run_module(
        "benchmarks.qbittorrent_sync", "--torrents", "200", "--polls", "3", "--warmup", "1"
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


def _tables(stdout: str) -> dict[str, dict[str, list[str]]]:
    """The benchmark's tables by heading: each row's cells by its parser label."""
    tables: dict[str, dict[str, list[str]]] = {}
    rows: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        if line.startswith(("accuracy:", "cost,")):
            rows = tables.setdefault(line.split(" (")[0], {})
        elif line.split() and line.split()[0] in ("ours", "parse-torrent-title", "guessit"):
            rows[line.split()[0]] = line.split()[1:]
    return tables


def _right(cell: str) -> int:
    """``319/324`` -> 319."""
    right, _, total = cell.partition("/")
    assert int(right) <= int(total)
    return int(right)


def test_release_names_benchmark() -> None:
    """Ours against PTN and guessit: never less accurate, nothing missed on the first 54."""
    result = run_module("benchmarks.release_names")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not installed" not in result.stdout  # PTN and guessit are test requirements
    tables = _tables(result.stdout)
    first, every = tables["accuracy: the first 54 names"], tables["accuracy: all 100 names"]
    for table in (first, every):
        assert set(table) == {"ours", "parse-torrent-title", "guessit"}
        for column in (-2, -1):  # the six ranking fields, all seven
            ours = _right(table["ours"][column])
            assert ours >= _right(table["parse-torrent-title"][column])
            assert ours >= _right(table["guessit"][column])
    assert first["ours"][-2:] == ["324/324", "378/378"]
    cost = tables["cost, in a fresh interpreter"]
    assert set(cost) == set(every)
    assert all(float(cell) >= 0 for cells in cost.values() for cell in cells)  # no timing asserted


def test_portainer_poll_benchmark_small() -> None:
    """Ours against core's portainer on one simulator: both rows, the ratio line last."""
    result = run_module("benchmarks.portainer_poll", "--sizes", "10", "--polls", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Portainer poll: ours vs Home Assistant")
    rows = {line.split()[1]: line.split()[2:] for line in lines[2:4]}
    assert set(rows) == {"ours", "core"}
    for requests, kib, cpu_ms, first_requests, _first_kib in rows.values():
        assert float(requests) > 0
        assert float(kib) > 0
        assert float(cpu_ms) > 0
        assert int(first_requests) > 0
    # core inspects every container every poll; ours only what changed
    assert float(rows["ours"][0]) < float(rows["core"][0])
    assert RATIO_LINE.fullmatch(lines[-1]) is not None, lines[-1]


def test_cloudcmd_media_benchmark_small() -> None:
    """8 MiB from the real cloudcmd: a row per offset, then throughput and peak memory."""
    result = run_module("benchmarks.cloudcmd_media", "--size-mib", "8", "--repeat", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "CloudCmd media streaming: 8 MiB file, cloudcmd on loopback"
    assert [line.split()[0] for line in lines[2:6]] == ["0", "25", "50", "90"]
    assert all(float(line.split()[2]) > 0 for line in lines[2:6])
    match = re.fullmatch(
        r"whole_read_mib_s=(\d+\.\d) peak_alloc_kib=(\d+) file_kib=(\d+)", lines[-1]
    )
    assert match is not None, lines[-1]
    assert float(match.group(1)) > 0
    assert int(match.group(3)) == 8 * 1024
