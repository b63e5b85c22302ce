"""The real cloudcmd 18.8.11 (npm) for the tests under tests/real/.

``start_cloudcmd`` starts ``.tools/node/node_modules/.bin/cloudcmd``
(installed by ``scripts/bootstrap``) with ``--auth`` over a temporary folder,
bound to 127.0.0.1 (``IP`` environment variable; cloudcmd has no flag for
it) on a port the OS picks (``--port 0``; the URL is read from its output),
with its own ``HOME`` so no user configuration is read.  ``conftest.py``'s
``real_cloudcmd`` fixture runs one per test and stops it after.

A missing binary fails the test with a clear message; it never skips.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import re
import secrets
import signal
import subprocess
import time

import pytest

from ..processes import stop as stop_process

REPO = Path(__file__).resolve().parents[2]
BINARY = REPO / ".tools" / "node" / "node_modules" / ".bin" / "cloudcmd"
VERSION = "18.8.11"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_URL_RE = re.compile(r"^url: http://[^:/]+:(\d+)/", re.MULTILINE)


@dataclass
class RealCloudCmd:
    """One running cloudcmd process serving ``served`` with Basic auth."""

    process: subprocess.Popen[bytes]
    served: Path
    port: int
    username: str
    password: str
    log: Path

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What the process printed so far."""
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGINT (cloudcmd closes its server on it), then kill if it lingers."""
        stop_process(self.process, sig=signal.SIGINT, timeout=STOP_TIMEOUT)


def start_cloudcmd(tmp_path: Path) -> RealCloudCmd:
    """Start cloudcmd over ``tmp_path/served`` and wait until it listens."""
    if not BINARY.exists():
        pytest.fail(
            f"cloudcmd is not installed at {BINARY}: run `bash scripts/bootstrap` "
            f"(it installs cloudcmd@{VERSION} from npm into .tools/node)"
        )
    served = tmp_path / "served"
    served.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "cloudcmd.log"
    username = "pandora"
    # not token_urlsafe: a leading "-" reads as an option to cloudcmd ("Invalid option")
    password = f"pw-{secrets.token_hex(8)}"
    env = {**os.environ, "HOME": str(home), "IP": "127.0.0.1"}
    env.pop("PORT", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BINARY),
                "--port",
                "0",
                "--auth",
                "--username",
                username,
                f"--password={password}",
                "--root",
                str(served),
                "--no-open",
                "--no-console",
                "--no-terminal",
                "--no-config-dialog",
                "--no-show-config",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while (match := _URL_RE.search(log.read_text(errors="replace"))) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"cloudcmd did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    return RealCloudCmd(process, served, int(match.group(1)), username, password, log)
