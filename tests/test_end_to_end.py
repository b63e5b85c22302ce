"""The demo's path, for real: `python -m simulators` and a real `hass` process.

Starts both as subprocesses on free loopback ports, onboards Home Assistant and
creates one entry per kind through its REST config-flow API (the same script
the demo uses), then checks through REST that every entry loaded, that a wrong
key gives ``invalid_auth`` and that a stopped simulator gives
``cannot_connect``.  Everything started here is stopped here.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import json
from pathlib import Path
import time
from typing import Any
import urllib.error
import urllib.request

import pytest
import pytest_socket

from .processes import (
    demo_setup,
    free_port,
    prepare_config,
    start_hass,
    start_simulators,
    stop,
    wait_for_manifest,
)

# One Home Assistant for the whole module: keep its tests on one xdist worker
# (scripts/test runs with --dist loadgroup).
# The first start of a fresh venv compiles Home Assistant's bytecode: minutes on
# two cores, hence the longer timeout for this module.
pytestmark = [pytest.mark.xdist_group("end_to_end"), pytest.mark.timeout(900)]

CONFIG = """
homeassistant:
  name: Pandora Box e2e
  time_zone: UTC
  unit_system: metric
  country: US
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
logger:
  default: warning
"""


def _call(url: str, token: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Simulators and Home Assistant, onboarded, with all seven entries added."""
    # Module fixtures run before the per-test socket_enabled fixture; this one
    # only talks to the processes it starts on 127.0.0.1.
    pytest_socket.enable_socket()
    work = tmp_path_factory.mktemp("e2e")
    port = free_port()
    prepare_config(work / "config", CONFIG.format(port=port))
    manifest = work / "manifest.json"
    with contextlib.ExitStack() as cleanup:
        sims = start_simulators(manifest, work / "simulators.log")
        cleanup.callback(stop, sims)
        hass_log = work / "hass.log"
        cleanup.callback(stop, start_hass(work / "config", hass_log))
        url = f"http://127.0.0.1:{port}"
        token_file = work / "token"
        setup = demo_setup(
            url, manifest, username="e2e", password="e2e-password", token_file=token_file
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr + hass_log.read_text()
        yield {
            "url": url,
            "token": token_file.read_text(encoding="utf-8"),
            "manifest": json.loads(manifest.read_text(encoding="utf-8")),
            "setup_output": setup.stdout,
            "sims": sims,
            "hass_log": hass_log,
        }


def test_demo_entries_all_loaded(stack: dict[str, Any]) -> None:
    """All seven entries were created through REST and are loaded."""
    entries = _call(f"{stack['url']}/api/config/config_entries/entry", stack["token"])
    ours = [e for e in entries if e["domain"] == "pandora_box"]
    assert len(ours) == 7
    deadline = time.monotonic() + 30
    while any(e["state"] != "loaded" for e in ours) and time.monotonic() < deadline:
        time.sleep(0.5)
        entries = _call(f"{stack['url']}/api/config/config_entries/entry", stack["token"])
        ours = [e for e in entries if e["domain"] == "pandora_box"]
    assert {e["state"] for e in ours} == {"loaded"}
    assert stack["setup_output"].count("demo: added") == 7


UNTESTED_NOTICE = "We found a custom integration pandora_box which has not been tested"
"""What Home Assistant's loader says of every custom integration at start (a WARNING)."""


def test_reconfigure_and_a_clean_log(stack: dict[str, Any]) -> None:
    """Reconfigure an entry over REST; after seven entries and that, the log of the real
    `hass` holds no WARNING or ERROR naming pandora_box (no deprecation report
    either), except the loader's notice about every custom integration."""
    base = f"{stack['url']}/api/config/config_entries"
    entries = _call(f"{base}/entry", stack["token"])
    entry = next(e for e in entries if e["domain"] == "pandora_box" and "qBittorrent" in e["title"])
    flow = _call(
        f"{base}/flow", stack["token"], {"handler": "pandora_box", "entry_id": entry["entry_id"]}
    )
    assert (flow["type"], flow["step_id"]) == ("form", "reconfigure")
    result = _call(
        f"{base}/flow/{flow['flow_id']}", stack["token"], stack["manifest"]["qbittorrent"]
    )
    assert (result["type"], result["reason"]) == ("abort", "reconfigure_successful")
    deadline = time.monotonic() + 30
    state = ""
    while state != "loaded" and time.monotonic() < deadline:
        time.sleep(0.5)
        now = _call(f"{base}/entry", stack["token"])
        state = next(e["state"] for e in now if e["entry_id"] == entry["entry_id"])
    assert state == "loaded"
    log = stack["hass_log"].read_text(encoding="utf-8", errors="replace")
    named = [
        line
        for line in log.splitlines()
        if ("WARNING" in line or "ERROR" in line)
        and "pandora_box" in line
        and UNTESTED_NOTICE not in line
    ]
    assert not named, named
    assert UNTESTED_NOTICE in log  # the log is the real one, at WARNING


def _start_flow(stack: dict[str, Any], kind: str) -> str:
    base = f"{stack['url']}/api/config/config_entries/flow"
    flow = _call(base, stack["token"], {"handler": "pandora_box"})
    assert flow["type"] == "menu"
    form = _call(f"{base}/{flow['flow_id']}", stack["token"], {"next_step_id": kind})
    assert form["type"] == "form"
    return str(flow["flow_id"])


def test_wrong_key_is_invalid_auth(stack: dict[str, Any]) -> None:
    """Through REST, a wrong Jellyfin key is refused on the form with invalid_auth."""
    flow_id = _start_flow(stack, "jellyfin")
    fields = {**stack["manifest"]["jellyfin"], "api_key": "wrong"}
    result = _call(
        f"{stack['url']}/api/config/config_entries/flow/{flow_id}", stack["token"], fields
    )
    assert result["type"] == "form"
    assert result["errors"] == {"base": "invalid_auth"}


def test_stopped_simulator_is_cannot_connect(stack: dict[str, Any]) -> None:
    """Through REST, an upstream that is gone gives cannot_connect."""
    flow_id = _start_flow(stack, "jackett")
    fields = {**stack["manifest"]["jackett"], "url": f"http://127.0.0.1:{free_port()}"}
    result = _call(
        f"{stack['url']}/api/config/config_entries/flow/{flow_id}", stack["token"], fields
    )
    assert result["type"] == "form"
    assert result["errors"] == {"base": "cannot_connect"}


def test_simulator_fault_over_http(stack: dict[str, Any]) -> None:
    """The running simulators take faults over HTTP: a Portainer 'down' is cannot_connect."""
    portainer = stack["manifest"]["portainer"]
    request = urllib.request.Request(
        f"{portainer['url']}/_sim/fault",
        data=json.dumps({"mode": "down"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    try:
        flow_id = _start_flow(stack, "portainer")
        result = _call(
            f"{stack['url']}/api/config/config_entries/flow/{flow_id}", stack["token"], portainer
        )
        assert result["errors"] == {"base": "cannot_connect"}
    finally:
        clear = urllib.request.Request(f"{portainer['url']}/_sim/fault", method="DELETE")
        urllib.request.urlopen(clear, timeout=10).close()


def _submit(stack: dict[str, Any], kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    flow_id = _start_flow(stack, kind)
    result: dict[str, Any] = _call(
        f"{stack['url']}/api/config/config_entries/flow/{flow_id}", stack["token"], fields
    )
    return result


def test_second_simulator_run_adds_seven_more_then_cannot_connect(
    stack: dict[str, Any], tmp_path: Path
) -> None:
    """Against a fresh `python -m simulators`, every kind gets a new entry; stopped, none can."""
    manifest = tmp_path / "second.json"
    log = tmp_path / "second-simulators.log"
    sims = start_simulators(manifest, log)
    try:
        second = wait_for_manifest(sims, manifest, log)
        created = {kind: _submit(stack, kind, fields) for kind, fields in second.items()}
        assert {kind: r["type"] for kind, r in created.items()} == dict.fromkeys(
            second, "create_entry"
        )
    finally:
        stop(sims)
    for kind, fields in second.items():
        result = _submit(stack, kind, fields)
        assert (kind, result["errors"]) == (kind, {"base": "cannot_connect"})
