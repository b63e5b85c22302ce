"""Start all seven simulators on loopback and write a manifest for config flows.

    python -m simulators --manifest FILE [--host 127.0.0.1] [--root DIR]

The manifest is JSON ``{kind: {"url": ..., <credential fields as the config
flow names them>}}``.  Every secret is random per run.  The process serves
until SIGTERM or SIGINT, then stops every server and removes the temporary
CloudCmd root it made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from pathlib import Path
import secrets
import signal
import tempfile

from . import SIMULATORS
from .base import Simulator


def build_all(root: Path) -> dict[str, Simulator]:
    """Create one simulator of each kind, with random credentials."""
    sims: dict[str, Simulator] = {}
    for kind, cls in SIMULATORS.items():
        sim = cls.for_demo(root=root, secret=secrets.token_hex(16))
        sims[kind] = sim
    return sims


async def serve(manifest: Path, host: str, root: Path | None) -> None:
    """Run every simulator until a termination signal arrives."""
    with contextlib.ExitStack() as stack:
        if root is None:
            root = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="pandora-cloudcmd-"))
            )
        sims = build_all(root)
        for sim in sims.values():
            await sim.start(host)
        data = {kind: sim.manifest() for kind, sim in sims.items()}
        tmp = manifest.with_suffix(manifest.suffix + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(manifest)  # readers never see half a file
        print(f"simulators ready; manifest at {manifest}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for sim in sims.values():
            await sim.stop()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    parser.add_argument(
        "--manifest", type=Path, required=True, help="where to write the JSON manifest"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--root", type=Path, default=None, help="CloudCmd root (default: a temporary folder)"
    )
    args = parser.parse_args()
    asyncio.run(serve(args.manifest, args.host, args.root))


if __name__ == "__main__":
    main()
