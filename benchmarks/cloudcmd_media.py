"""Seeking and memory of the media disk's streaming, against the real cloudcmd 18.8.11.

Run from the project root::

    .venv/bin/python -m benchmarks.cloudcmd_media [--size-mib 256] [--repeat 3]

What is measured: the path the media view (``upstreams/cloudcmd/media.py``)
takes for a player's request, ``CloudCmdClient.async_open_file`` and
``FileStream.chunks(start, length)`` on Home Assistant's kind of aiohttp
session, reading from the real cloudcmd (``tests/real/cloudcmd.py`` starts
it, in its own process, over a temporary folder with one file of
``--size-mib``).  CloudCmd ignores ``Range``, so a range starting at
``offset`` first reads and drops ``offset`` bytes.

Printed, one row per offset (0 %, 25 %, 50 %, 90 % of the file): seconds to
the first byte of a 64 KiB range there (the median of ``--repeat``), then
the throughput of a whole read and the peak Python memory it allocated
(``tracemalloc``), next to the file's size: the file is never held whole.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import statistics
import tempfile
import time
import tracemalloc

import aiohttp

from custom_components.pandora_box.api.cloudcmd import CloudCmdClient
from tests.real.cloudcmd import start_cloudcmd

CHUNK = 64 * 1024
NAME = "film.mkv"


async def first_byte(client: CloudCmdClient, offset: int) -> float:
    """Seconds until the first byte of a 64 KiB range at ``offset`` arrived."""
    began = time.perf_counter()
    async with client.async_open_file(f"/{NAME}") as stream:
        async for _chunk in stream.chunks(offset, CHUNK):
            return time.perf_counter() - began
    raise RuntimeError("no bytes")


async def whole(client: CloudCmdClient) -> tuple[int, float, int]:
    """Bytes read, seconds taken and peak bytes allocated for a whole read."""
    tracemalloc.start()
    began = time.perf_counter()
    total = 0
    async with client.async_open_file(f"/{NAME}") as stream:
        async for chunk in stream.chunks():
            total += len(chunk)
    took = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return total, took, peak


async def run(size_mib: int, repeat: int, folder: Path) -> None:
    """Start cloudcmd, measure, print."""
    server = start_cloudcmd(folder)
    try:
        size = size_mib * 1024 * 1024
        with (server.served / NAME).open("wb") as out:
            block = bytes(range(256)) * (CHUNK // 256)
            for _ in range(size // CHUNK):
                out.write(block)
        async with aiohttp.ClientSession() as session:
            client = CloudCmdClient(
                session,
                server.url,
                username=server.username,
                password=server.password,
                root="/",
            )
            print(f"CloudCmd media streaming: {size_mib} MiB file, cloudcmd on loopback")
            print("offset_pct offset_mib first_byte_s")
            for pct in (0, 25, 50, 90):
                offset = size * pct // 100
                times = [await first_byte(client, offset) for _ in range(repeat)]
                print(f"{pct} {offset / 2**20:.0f} {statistics.median(times):.3f}")
            total, took, peak = await whole(client)
            assert total == size, (total, size)
            print(
                f"whole_read_mib_s={size / 2**20 / took:.1f} "
                f"peak_alloc_kib={peak / 1024:.0f} file_kib={size / 1024:.0f}"
            )
        assert server.running(), server.output()
    finally:
        server.stop()


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pandora-cloudmedia-") as folder:
        asyncio.run(run(args.size_mib, args.repeat, Path(folder)))


if __name__ == "__main__":
    main()
