"""Real ``qbittorrent-nox`` processes on loopback with throwaway profiles, per test.

Which programs: ``PANDORA_BOX_QBITTORRENT_NOX`` lists executables separated by
``os.pathsep`` (names looked up on ``PATH``, or paths; default
``qbittorrent-nox``).  The harness asks each for ``--version`` (``qBittorrent
v5.3.0``) at collection and runs every test that takes the
``qbittorrent_binary`` fixture (through ``real_qbittorrent`` or
``fresh_qbittorrent``) once per program, with ids such as ``qbt4.5.2`` and
``qbt5.3.0``.  ``PANDORA_BOX_QBITTORRENT_MAJORS`` (for example ``4,5``) names
the major versions that must be among them: a missing one adds a failing case
(``qbt5-missing``) to every such test.  A program that is not installed or
does not say its version fails its cases the same way; nothing skips.

The harness writes ``<profile>/qBittorrent/config/qBittorrent.conf`` before
the first start:

* ``[LegalNotice] Accepted=true`` (else qbittorrent-nox asks on the terminal;
  5.3.0 starts with it too, without ``--confirm-legal-notice``);
* the WebUI and the BitTorrent listener bound to 127.0.0.1 (``lo``), on free
  ports, with DHT, LSD, PeX, UPnP/NAT-PMP off and anonymous mode on, so the
  program touches no network (the magnets used carry no tracker either);
* the WebUI password as ``WebUI\\Password_PBKDF2`` — the format qBittorrent
  stores since 4.2: ``@ByteArray(<salt b64>:<key b64>)``, PBKDF2-HMAC-SHA512,
  100,000 iterations, 16-byte salt, 64-byte key — so every run has its own
  password.  ``write_password=False`` writes none: a fresh 4.5.2 profile then logs in
  with ``admin``/``adminadmin``, while 5.3.0 (like every release from 4.6.1)
  refuses that and prints a temporary password to its log
  (:meth:`RealQBittorrent.temporary_password`).

The same file serves both major versions **[measured]**: 5.3.0 migrates the
``[Preferences] WebUI\\…`` keys of 4.x into a ``[WebUI]`` section on its first
start (``[Meta] MigrationVersion=12``), the PBKDF2 password included.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
import functools
import hashlib
import os
from pathlib import Path
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from ..processes import free_port, stop as stop_process
from .cloudcmd import RealCloudCmd, start_cloudcmd

BINARIES_ENV = "PANDORA_BOX_QBITTORRENT_NOX"
"""``os.pathsep``-separated qbittorrent-nox executables the real tests run against."""
MAJORS_ENV = "PANDORA_BOX_QBITTORRENT_MAJORS"
"""Comma-separated major versions that must be among them (``4,5``), else a failure."""
DEFAULT_BINARY = "qbittorrent-nox"
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "adminadmin"  # qBittorrent 4.5 default
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
VERSION_TIMEOUT = 60.0
_VERSION_RE = re.compile(r"qBittorrent v(\d+(?:\.\d+)+)\S*")
_TEMPORARY_PASSWORD_RE = re.compile(r"A temporary password is provided for this session: (\S+)")


@dataclass(frozen=True, slots=True)
class QBittorrentBinary:
    """One qbittorrent-nox executable and the version it reports, or why it is unusable."""

    name: str
    """How it was asked for (a ``PANDORA_BOX_QBITTORRENT_NOX`` item)."""
    path: str | None = None
    version: str | None = None
    """``4.5.2``: what ``--version`` printed after ``qBittorrent v``."""
    problem: str | None = None
    """Why it cannot run (the cases of such a binary fail with this)."""
    missing_major: int | None = None
    """A major version ``PANDORA_BOX_QBITTORRENT_MAJORS`` asks for and no binary has."""

    @property
    def version_tuple(self) -> tuple[int, ...]:
        """The version as numbers (``(4, 5, 2)``)."""
        assert self.version is not None, self.problem
        return tuple(int(part) for part in self.version.split("."))

    @property
    def major(self) -> int:
        """The major version (4, 5)."""
        return self.version_tuple[0]

    @property
    def id(self) -> str:
        """Test id: ``qbt4.5.2``, ``qbt5-missing`` or ``qbt-unusable-<name>``."""
        if self.missing_major is not None:
            return f"qbt{self.missing_major}-missing"
        if self.version is None:
            return f"qbt-unusable-{Path(self.name).name}"
        return f"qbt{self.version}"


def probe_binary(name: str) -> QBittorrentBinary:
    """Find ``name`` (on ``PATH`` or as a path) and read its ``--version``."""
    path = shutil.which(name)
    if path is None:
        return QBittorrentBinary(
            name,
            problem=f"{name} is not installed: the real-qBittorrent tests need it "
            "(scripts/bootstrap installs Debian's: apt-get install qbittorrent-nox; "
            f"{BINARIES_ENV} lists others)",
        )
    try:
        done = subprocess.run(
            [path, "--version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return QBittorrentBinary(name, path, problem=f"`{path} --version` failed: {err}")
    match = _VERSION_RE.search(done.stdout)
    if done.returncode != 0 or match is None:
        return QBittorrentBinary(
            name,
            path,
            problem=f"`{path} --version` exited with {done.returncode} and printed "
            f"{(done.stdout + done.stderr).strip()!r}, not 'qBittorrent vX.Y.Z'",
        )
    return QBittorrentBinary(name, path, match.group(1))


@functools.cache
def qbittorrent_binaries() -> tuple[QBittorrentBinary, ...]:
    """The binaries of ``PANDORA_BOX_QBITTORRENT_NOX``, plus a failing one per missing major."""
    names = [n for n in os.environ.get(BINARIES_ENV, DEFAULT_BINARY).split(os.pathsep) if n]
    found = [probe_binary(name) for name in names or [DEFAULT_BINARY]]
    majors = {b.major for b in found if b.version is not None}
    wanted = [m.strip() for m in os.environ.get(MAJORS_ENV, "").split(",") if m.strip()]
    seen = ", ".join(f"{b.version or 'unusable'} ({b.path or b.name})" for b in found)
    missing: list[QBittorrentBinary] = []
    for major in wanted:
        if not major.isdigit():
            missing.append(
                QBittorrentBinary(
                    major,
                    problem=f"{MAJORS_ENV}={os.environ[MAJORS_ENV]!r}: {major!r} is not a "
                    "major version number",
                )
            )
        elif int(major) not in majors:
            missing.append(
                QBittorrentBinary(
                    major,
                    problem=f"{MAJORS_ENV} asks for qBittorrent {int(major)}.x, but no "
                    f"binary of {BINARIES_ENV} is one: found {seen}",
                    missing_major=int(major),
                )
            )
    return (*found, *missing)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes ``qbittorrent_binary`` once per binary."""
    if "qbittorrent_binary" in metafunc.fixturenames:
        binaries = qbittorrent_binaries()
        metafunc.parametrize(
            "qbittorrent_binary",
            binaries,
            ids=[b.id for b in binaries],
            indirect=True,
            scope="module",
        )


@pytest.fixture(scope="module")
def qbittorrent_binary(request: pytest.FixtureRequest) -> QBittorrentBinary:
    """The qbittorrent-nox this case runs against; an unusable or missing one fails it."""
    binary: QBittorrentBinary = request.param
    if binary.problem is not None:
        pytest.fail(binary.problem, pytrace=False)
    return binary


def pbkdf2_password(password: str, salt: bytes | None = None) -> str:
    """The ``WebUI\\Password_PBKDF2`` value qBittorrent (4.2+) stores for ``password``."""
    salt = secrets.token_bytes(16) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000, dklen=64)
    return f"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"


@dataclass
class RealQBittorrent:
    """One qbittorrent-nox process: binary, profile, ports, credentials; start/stop (blocking)."""

    binary: QBittorrentBinary
    profile: Path
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    write_password: bool = True
    webui_port: int = field(default_factory=free_port)
    torrent_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def version(self) -> tuple[int, ...]:
        """The program's version as numbers (``(5, 3, 0)``)."""
        return self.binary.version_tuple

    @property
    def url(self) -> str:
        """The WebUI's base URL."""
        return f"http://127.0.0.1:{self.webui_port}"

    @property
    def log(self) -> Path:
        """Where the process's stdout/stderr go."""
        return self.profile / "qbittorrent-nox.log"

    def temporary_password(self) -> str | None:
        """The temporary WebUI password a profile without one prints (4.6.1+), if any."""
        matches = _TEMPORARY_PASSWORD_RE.findall(self.log.read_text(errors="replace"))
        return matches[-1] if matches else None

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
        if self.binary.path is None:
            pytest.fail(self.binary.problem or f"{self.binary.name} is unusable", pytrace=False)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary.path,
                    f"--profile={self.profile}",
                    f"--webui-port={self.webui_port}",
                ],
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
                    f"{self.binary.path} exited with {code} before its Web API answered:\n"
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
                    f"{self.binary.path} did not answer on {self.url} within "
                    f"{START_TIMEOUT:.0f} s:\n" + self.log.read_text(errors="replace"),
                    pytrace=False,
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and reap it; a no-op when stopped."""
        process, self.process = self.process, None
        if process is not None:
            stop_process(process, timeout=STOP_TIMEOUT)


@pytest.fixture
def real_qbittorrent(
    tmp_path: Path, qbittorrent_binary: QBittorrentBinary
) -> Iterator[RealQBittorrent]:
    """A running qbittorrent-nox with its own profile, ports and password; stopped after."""
    qbt = RealQBittorrent(
        qbittorrent_binary,
        profile=tmp_path / "qbittorrent-profile",
        password=f"pw-{secrets.token_hex(8)}",
    )
    qbt.start()
    try:
        yield qbt
    finally:
        qbt.stop()


@pytest.fixture
def fresh_qbittorrent(
    tmp_path: Path, qbittorrent_binary: QBittorrentBinary
) -> Iterator[RealQBittorrent]:
    """A running qbittorrent-nox on a fresh profile without a stored password."""
    qbt = RealQBittorrent(
        qbittorrent_binary, profile=tmp_path / "fresh-profile", write_password=False
    )
    qbt.start()
    try:
        yield qbt
    finally:
        qbt.stop()


@pytest.fixture
def real_cloudcmd(tmp_path: Path) -> Iterator[RealCloudCmd]:
    """A real cloudcmd per test (``cloudcmd.py``), stopped at the end whatever happened."""
    server = start_cloudcmd(tmp_path)
    try:
        yield server
    finally:
        server.stop()
