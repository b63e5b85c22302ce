"""A real ``qbittorrent-nox`` on loopback with a throwaway profile, per test.

The harness writes ``<profile>/qBittorrent/config/qBittorrent.conf`` before
the first start:

* ``[LegalNotice] Accepted=true`` (else qbittorrent-nox asks on the terminal);
* the WebUI and the BitTorrent listener bound to 127.0.0.1 (``lo``), on free
  ports, with DHT, LSD, PeX, UPnP/NAT-PMP off and anonymous mode on, so the
  program touches no network (the magnets used carry no tracker either);
* the WebUI password as ``WebUI\\Password_PBKDF2`` — the format qBittorrent
  stores since 4.2: ``@ByteArray(<salt b64>:<key b64>)``, PBKDF2-HMAC-SHA512,
  100,000 iterations, 16-byte salt, 64-byte key — so every run has its own
  password.  ``password=None`` writes none: a fresh 4.5.2 profile then logs in
  with ``admin``/``adminadmin`` (measured; 4.6.1 and later generate a
  temporary password instead).

A missing binary fails the test with a clear message; it never skips.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
import hashlib
from pathlib import Path
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from ..processes import free_port, stop as stop_process

BINARY = "qbittorrent-nox"
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "adminadmin"  # qBittorrent 4.5 default
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def pbkdf2_password(password: str, salt: bytes | None = None) -> str:
    """The ``WebUI\\Password_PBKDF2`` value qBittorrent (4.2+) stores for ``password``."""
    salt = secrets.token_bytes(16) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000, dklen=64)
    return f"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"


@dataclass
class RealQBittorrent:
    """One qbittorrent-nox process: profile, ports, credentials; start/stop (blocking)."""

    profile: Path
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    write_password: bool = True
    webui_port: int = field(default_factory=free_port)
    torrent_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The WebUI's base URL."""
        return f"http://127.0.0.1:{self.webui_port}"

    @property
    def log(self) -> Path:
        """Where the process's stdout/stderr go."""
        return self.profile / "qbittorrent-nox.log"

    def write_config(self) -> None:
        """Write the profile's qBittorrent.conf (see the module docstring)."""
        config = self.profile / "qBittorrent" / "config"
        config.mkdir(parents=True, exist_ok=True)
        lines = [
            "[LegalNotice]",
            "Accepted=true",
            "",
            "[BitTorrent]",
            "Session\\DHTEnabled=false",
            "Session\\LSDEnabled=false",
            "Session\\PeXEnabled=false",
            "Session\\AnonymousModeEnabled=true",
            "Session\\Interface=lo",
            "Session\\InterfaceName=lo",
            "Session\\InterfaceAddress=127.0.0.1",
            f"Session\\Port={self.torrent_port}",
            "",
            "[Network]",
            "PortForwardingEnabled=false",
            "",
            "[Preferences]",
            "Connection\\UPnP=false",
            "General\\Locale=en",
            "WebUI\\Address=127.0.0.1",
            f"WebUI\\Port={self.webui_port}",
            f"WebUI\\Username={self.username}",
        ]
        if self.write_password:
            value = pbkdf2_password(self.password).replace("\\", "\\\\")
            lines.append(f'WebUI\\Password_PBKDF2="{value}"')
        (config / "qBittorrent.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self) -> None:
        """Start the process (same profile and ports as before) and wait for the Web API."""
        assert self.process is None, "already running"
        if not (self.profile / "qBittorrent" / "config" / "qBittorrent.conf").exists():
            self.write_config()
        binary = shutil.which(BINARY)
        if binary is None:
            pytest.fail(
                f"{BINARY} is not installed: the real-qBittorrent tests need the Debian "
                "package (scripts/bootstrap installs it: apt-get install qbittorrent-nox)",
                pytrace=False,
            )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, f"--profile={self.profile}", f"--webui-port={self.webui_port}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C of pytest does not reach it first
            )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        """Poll the Web API until it answers (any HTTP status), or fail with the log."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                pytest.fail(
                    f"{BINARY} exited with {code} before its Web API answered:\n"
                    + self.log.read_text(errors="replace"),
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/app/webapiVersion", timeout=2):
                    return  # not expected: without a session the answer is 403
            except urllib.error.HTTPError:
                return  # 403 Forbidden: the Web API is up
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"{BINARY} did not answer on {self.url} within {START_TIMEOUT:.0f} s:\n"
                    + self.log.read_text(errors="replace"),
                    pytrace=False,
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and reap it; a no-op when stopped."""
        process, self.process = self.process, None
        if process is not None:
            stop_process(process, timeout=STOP_TIMEOUT)


@pytest.fixture
def real_qbittorrent(tmp_path: Path) -> Iterator[RealQBittorrent]:
    """A running qbittorrent-nox with its own profile, ports and password; stopped after."""
    qbt = RealQBittorrent(
        profile=tmp_path / "qbittorrent-profile",
        password=f"pw-{secrets.token_hex(8)}",
    )
    qbt.start()
    try:
        yield qbt
    finally:
        qbt.stop()


@pytest.fixture
def fresh_qbittorrent(tmp_path: Path) -> Iterator[RealQBittorrent]:
    """A running qbittorrent-nox on a fresh profile without a stored password."""
    qbt = RealQBittorrent(profile=tmp_path / "fresh-profile", write_password=False)
    qbt.start()
    try:
        yield qbt
    finally:
        qbt.stop()
