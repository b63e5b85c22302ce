"""Health: the connectivity sensor of every kind, outage and version repair issues."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.health import (
    CHECK_INTERVAL,
    UNREACHABLE_THRESHOLD,
    unreachable_issue_id,
    version_below,
    version_issue_id,
)
from simulators import JellyfinSimulator

from .helpers import KINDS, mock_entry, new_simulator, secret_field, settle, setup_integration

POLLED = ("qbittorrent", "portainer", "jellyfin")
"""Kinds whose coordinator polls within CHECK_INTERVAL, so their entities follow an outage."""


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Let the clock run on by ``delta`` and run what became due (polls use real sockets)."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await settle(hass)


def _connectivity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The entity id of ``entry``'s connectivity sensor."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_connectivity"
    )
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _other_entities(hass: HomeAssistant, entry: MockConfigEntry, own: str) -> list[str]:
    """The entry's other enabled entities."""
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.entity_id != own and e.disabled_by is None
    ]


def _issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


@pytest.mark.parametrize("kind", KINDS)
async def test_connectivity_sensor_outage_and_recovery(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path, kind: str
) -> None:
    """Down: the sensor says off and stays available; a repair issue after the threshold.

    Back: the sensor is on again and the issue is gone, without a reload.
    """
    freezer.move_to("2026-11-01T12:00:00+00:00")
    sim = new_simulator(kind, tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        sensor = _connectivity(hass, entry)
        registered = er.async_get(hass).async_get(sensor)
        assert registered is not None
        assert registered.entity_category is EntityCategory.DIAGNOSTIC
        assert registered.translation_key == "connectivity"
        state = hass.states.get(sensor)
        assert state is not None
        assert state.state == STATE_ON
        assert state.attributes["device_class"] == "connectivity"
        # entities unavailable by their own rule (a Resume button of a running
        # container) are not the outage's
        others = [
            e for e in _other_entities(hass, entry, sensor) if _state(hass, e) != STATE_UNAVAILABLE
        ]

        await sim.stop()
        # polled kinds notice at their next poll, the others (and TMDB's hourly
        # coordinator) at the monitor's next check
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_OFF
        if kind in POLLED:
            for entity_id in others:
                assert _state(hass, entity_id) == STATE_UNAVAILABLE, entity_id
        monitor = entry.runtime_data.health
        assert monitor is not None
        assert monitor.last_error
        assert _issue(hass, unreachable_issue_id(entry.entry_id)) is None

        await _tick(hass, freezer, UNREACHABLE_THRESHOLD)
        assert _state(hass, sensor) == STATE_OFF
        issue = _issue(hass, unreachable_issue_id(entry.entry_id))
        assert issue is not None
        assert issue.translation_key == "upstream_unreachable"
        assert issue.severity is ir.IssueSeverity.ERROR
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["title"] == entry.title
        assert issue.translation_placeholders["minutes"] == "30"

        await sim.start()
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_ON
        assert _issue(hass, unreachable_issue_id(entry.entry_id)) is None
        for entity_id in others:
            assert _state(hass, entity_id) != STATE_UNAVAILABLE, entity_id
    finally:
        await sim.stop()


@pytest.mark.parametrize("kind", ["qbittorrent", "jackett"])
async def test_short_outage_raises_no_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    """An upstream back before the threshold leaves no issue behind, even later.

    Outage and recovery are logged once each (by the coordinator, or by the monitor).
    """
    sim = new_simulator(kind, tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        sensor = _connectivity(hass, entry)
        await sim.stop()
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_OFF
        await sim.start()
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_ON
        await _tick(hass, freezer, UNREACHABLE_THRESHOLD)
        assert _issue(hass, unreachable_issue_id(entry.entry_id)) is None
        if kind == "jackett":
            messages = [r.getMessage() for r in caplog.records if r.name.startswith("custom_")]
            assert sum("is unreachable" in m for m in messages) == 1
            assert sum("answers again" in m for m in messages) == 1
    finally:
        await sim.stop()


async def test_unload_removes_outage_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """An entry that unloads takes its outage issue with it."""
    sim = new_simulator("jackett", tmp_path)
    await sim.start()
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    await sim.stop()
    await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
    await _tick(hass, freezer, UNREACHABLE_THRESHOLD)
    assert _issue(hass, unreachable_issue_id(entry.entry_id)) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, unreachable_issue_id(entry.entry_id)) is None


async def test_refused_credentials_on_check_start_reauth(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """A kind without a coordinator: revoked credentials turn the sensor off and start reauth."""
    sim = new_simulator("jackett", tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        sensor = _connectivity(hass, entry)
        setattr(sim, secret_field("jackett"), "rotated-key")
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_OFF
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [f["context"]["source"] for f in flows] == ["reauth"]
    finally:
        await sim.stop()


async def test_rate_limited_check_counts_as_reachable(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """A 429 is an answer: the upstream is there, only busy."""
    sim = new_simulator("watchmode", tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        sensor = _connectivity(hass, entry)
        sim.set_fault("status", status=429)
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_ON
        sim.set_fault("status", status=500)
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_OFF
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("kind", "old", "minimum"),
    [("qbittorrent", "v4.0.4", "4.1"), ("jellyfin", "10.8.13", "10.9")],
)
async def test_unsupported_version_issue(
    hass: HomeAssistant, tmp_path: Path, kind: str, old: str, minimum: str
) -> None:
    """An upstream older than we support raises a version issue; a current one does not."""
    old_sim = new_simulator(kind, tmp_path, version=old)
    current_sim = new_simulator(kind, tmp_path)
    await old_sim.start()
    await current_sim.start()
    try:
        old_entry = mock_entry(old_sim, unique_id=f"{kind}:old")
        current_entry = mock_entry(current_sim, unique_id=f"{kind}:current")
        await setup_integration(hass, old_entry)
        await setup_integration(hass, current_entry)
        issue = _issue(hass, version_issue_id(old_entry.entry_id))
        assert issue is not None
        assert issue.translation_key == "unsupported_version"
        assert issue.translation_placeholders == {
            "title": old_entry.title,
            "version": old.removeprefix("v"),
            "minimum": minimum,
        }
        assert _issue(hass, version_issue_id(current_entry.entry_id)) is None
    finally:
        await old_sim.stop()
        await current_sim.stop()


async def test_upgraded_server_clears_version_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """Jellyfin back from an outage with a supported version: the version issue goes."""
    sim = new_simulator("jellyfin", tmp_path, version="10.8.13")
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        assert _issue(hass, version_issue_id(entry.entry_id)) is not None
        await sim.stop()
        await _tick(hass, freezer, timedelta(seconds=31))
        assert isinstance(sim, JellyfinSimulator)
        sim.version = "10.10.7"
        await sim.start()
        await _tick(hass, freezer, timedelta(seconds=31))
        assert _state(hass, _connectivity(hass, entry)) == STATE_ON
        assert _issue(hass, version_issue_id(entry.entry_id)) is None
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("version", "minimum", "below"),
    [
        ("4.0.4", "4.1", True),
        ("v4.1.0", "4.1", False),
        ("4.5.2", "4.1", False),
        ("5.0.0beta1", "4.1", False),
        ("10.8.13", "10.9", True),
        ("10.10.7", "10.9", False),
        ("10.9", "10.9", False),
        (None, "4.1", False),
        ("unknown", "4.1", False),
    ],
)
def test_version_below(version: str | None, minimum: str, below: bool) -> None:
    """Versions compare numerically; an unknown version is never reported."""
    assert version_below(version, minimum) is below


async def test_refused_check_is_reachable_with_a_permission_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """A kind without a coordinator: a 403 check keeps the sensor on, raises an issue, no reauth."""
    sim = new_simulator("watchmode", tmp_path)
    await sim.start()
    try:
        entry = mock_entry(sim)
        await setup_integration(hass, entry)
        sensor = _connectivity(hass, entry)
        issue_id = f"permission_denied_{entry.entry_id}"
        sim.deny(r"(/v1)?/status/")
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _state(hass, sensor) == STATE_ON
        assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
        issue = _issue(hass, issue_id)
        assert issue is not None
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["right"] == (
            "a Watchmode plan that includes the account status"
        )
        sim.allow()
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _issue(hass, issue_id) is None
        sim.deny(r"(/v1)?/status/")
        await _tick(hass, freezer, CHECK_INTERVAL + timedelta(seconds=1))
        assert _issue(hass, issue_id) is not None
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert _issue(hass, issue_id) is None
    finally:
        await sim.stop()
