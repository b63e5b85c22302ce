"""No configured password, API key or token ever reaches a log record, even at DEBUG.

For every kind, with DEBUG on for the root logger and for
``custom_components.pandora_box``, the entry goes through what produces log
lines: setup, a refresh, every registered action (called with the examples
from ``services.yaml``, so new actions are covered as they come), an outage
and its recovery, a malformed answer, an oversized one, and revoked
credentials (reauth).  Every record is then searched — message, format
arguments, exception text and stack — for the entry's secret, and for
qBittorrent also for its session cookie.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
import secrets
from typing import Any

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.yaml import load_yaml_dict
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from simulators import QBittorrentSimulator, Simulator

from .faults.cells import NO_CACHE, probe, revoke
from .helpers import KINDS, entry_data, secret_field, setup_integration

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"


def examples() -> dict[str, dict[str, Any]]:
    """Each action's example input from services.yaml (fields that have an example)."""
    raw = load_yaml_dict(COMPONENT / "services.yaml")
    return {
        name: {
            field: spec["example"]
            for field, spec in ((spec or {}).get("fields") or {}).items()
            if isinstance(spec, dict) and "example" in spec
        }
        for name, spec in raw.items()
    }


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write for ``record``."""
    formatter = logging.Formatter()
    parts = [str(record.msg), repr(record.args)]
    try:
        parts.append(record.getMessage())
    except TypeError, ValueError:  # a record whose args do not fit its message
        parts.append("")
    if record.exc_info:
        parts.append(formatter.formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


async def call_every_action(hass: HomeAssistant, entry_id: str) -> int:
    """Call every registered action with its example input; return how many ran."""
    inputs = examples()
    called = 0
    for action in sorted(hass.services.async_services_for_domain(DOMAIN)):
        support = hass.services.supports_response(DOMAIN, action)
        # refusals and upstream errors log too; that is the point
        with contextlib.suppress(HomeAssistantError, vol.Invalid):
            await hass.services.async_call(
                DOMAIN,
                action,
                {**inputs.get(action, {}), "config_entry_id": entry_id},
                blocking=True,
                return_response=support is not SupportsResponse.NONE,
            )
        called += 1
    return called


@pytest.mark.parametrize("sim", KINDS, indirect=True)
async def test_no_secret_in_any_log_record(
    hass: HomeAssistant, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Setup, refresh, actions, outage, bad answers, revoked credentials: no secret logged."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="custom_components.pandora_box")
    secret = f"pb-secret-{sim.kind}-{secrets.token_hex(12)}"
    sim.rotate_credentials(**{secret_field(sim.kind): secret})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{sim.kind} secrets",
        data=entry_data(sim),
        unique_id=f"{sim.kind}:secrets",
        options=NO_CACHE,  # every refresh reaches the upstream, and fails when it is down
    )
    assert secret in entry.data.values()
    await setup_integration(hass, entry)
    assert (await probe(hass, entry)).ok
    assert await call_every_action(hass, entry.entry_id) > 0
    watched = {secret}
    if isinstance(sim, QBittorrentSimulator):
        watched |= set(sim._sessions)  # the SID cookies are tokens too

    await sim.stop()
    assert not (await probe(hass, entry)).ok
    await call_every_action(hass, entry.entry_id)
    await sim.start()
    assert (await probe(hass, entry)).ok
    for mode in ("malformed", "oversized"):
        sim.set_fault(mode, size=17 * 1024 * 1024)  # just over the clients' 16 MiB cap
        await probe(hass, entry)
        await call_every_action(hass, entry.entry_id)
        sim.clear_fault()
    revoke(sim)
    assert not (await probe(hass, entry)).ok
    await call_every_action(hass, entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    records = caplog.records
    assert any(r.levelno == logging.DEBUG for r in records), "DEBUG logging was not on"
    assert logging.getLogger("custom_components.pandora_box").isEnabledFor(logging.DEBUG)
    leaks = [
        f"{r.name} {r.levelname}: {r.getMessage()[:200]}"
        for r in records
        if any(token in record_text(r) for token in watched)
    ]
    assert not leaks, leaks
