"""Real processes for the end-to-end tests: `python -m simulators`, `hass`, the demo setup.

One place for what tests/test_end_to_end.py, tests/real/test_end_to_end_real.py
and tests/real/test_browser.py all do: start the simulators and a real Home
Assistant from the venv on a free loopback port, onboard it and add entries
through its REST API with scripts/demo_setup.py (the demo's own script), and
stop everything again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def subprocess_env() -> dict[str, str]:
    """The environment for child processes: the project importable, no pytest-cov hook.

    pytest-cov's subprocess hook would run with another working directory (no
    pyproject.toml, no branch coverage) and spoil the combined data.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` from the project root (a benchmark, say), its output captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stop(
    proc: subprocess.Popen[bytes],
    *,
    sig: signal.Signals = signal.SIGTERM,
    timeout: float = 30.0,
) -> None:
    """Stop ``proc`` with ``sig`` (SIGKILL after ``timeout`` s) and reap it; no-op if stopped.

    The wait after SIGKILL is bounded by ``timeout`` too.
    """
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def start_simulators(manifest: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `python -m simulators` writing its manifest to ``manifest``."""
    return subprocess.Popen(
        [sys.executable, "-m", "simulators", "--manifest", str(manifest)],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def wait_for_manifest(
    proc: subprocess.Popen[bytes], manifest: Path, log: Path, limit_s: float = 60
) -> dict[str, Any]:
    """Wait until the simulators wrote ``manifest``; return it."""
    deadline = time.monotonic() + limit_s
    while not manifest.exists():
        assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
        assert time.monotonic() < deadline, "the simulators did not start"
        time.sleep(0.1)
    data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    return data


def prepare_config(config: Path, configuration_yaml: str) -> None:
    """A fresh Home Assistant config folder with the integration linked in."""
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "pandora_box").symlink_to(
        ROOT / "custom_components" / "pandora_box"
    )
    (config / "configuration.yaml").write_text(configuration_yaml, encoding="utf-8")


HASS_PYTHON = os.environ.get("PANDORA_BOX_HASS_PYTHON") or sys.executable
"""The Python whose Home Assistant the real ``hass`` processes run.

scripts/test points the newest leg at ``.venv-hass`` (the newest homeassistant
on PyPI, newer than the one pytest-homeassistant-custom-component pins) and the
minimum leg at its own venv."""


def start_hass(
    config: Path, log: Path, *, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a real Home Assistant (:data:`HASS_PYTHON`) on ``config``."""
    return subprocess.Popen(
        [HASS_PYTHON, "-m", "homeassistant", "--config", str(config), "--skip-pip"],
        cwd=config.parent,
        env={**subprocess_env(), **(extra_env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def demo_setup(
    url: str, manifest: Path, *, username: str, password: str, token_file: Path
) -> subprocess.CompletedProcess[str]:
    """Onboard Home Assistant at ``url`` and add an entry per manifest kind, over REST.

    The first start of a fresh venv compiles Home Assistant's bytecode, which
    takes minutes on two cores: the limit is generous.
    """
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "demo_setup.py"),
            "--url",
            url,
            "--manifest",
            str(manifest),
            "--username",
            username,
            f"--password={password}",
            "--token-file",
            str(token_file),
        ],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
