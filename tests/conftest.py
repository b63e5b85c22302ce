"""Fixtures shared by every test: simulators on loopback, sockets, custom integrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import logging
from pathlib import Path
from unittest.mock import PropertyMock, patch

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.pandora_box.upstreams import cache as media_cache
from simulators import (
    CloudCmdSimulator,
    JackettSimulator,
    JellyfinSimulator,
    PortainerSimulator,
    QBittorrentSimulator,
    Simulator,
    TMDBSimulator,
    WatchmodeSimulator,
)

from .helpers import new_simulator

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Allow real sockets; pytest-socket still limits connections to 127.0.0.1."""


DEBUG_LOGGERS = (
    "custom_components.pandora_box",
    "pyportainer",
    "homeassistant.config_entries",
    "homeassistant.helpers.update_coordinator",
)
"""Loggers every test runs at DEBUG, so the secrets check below sees everything they say."""


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Run with our loggers at DEBUG; fail a test whose logs carry a simulator's secret."""
    for name in DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    earlier = set(Simulator.created)  # simulators of other tests not yet collected
    yield
    secrets = {
        value
        for sim in list(Simulator.created)
        if sim not in earlier
        for field, value in sim.credentials().items()
        if field != "username" and isinstance(value, str) and len(value) >= 6
    }
    formatter = logging.Formatter()
    leaks = [
        f"{record.name}: {secret[:3]}… in {record.getMessage()[:200]}"
        for record in caplog.get_records("setup")
        + caplog.get_records("call")
        + caplog.get_records("teardown")
        # what the test's stand-in upstreams (aiohttp servers) log is the upstream's side
        if not record.name.startswith(("aiohttp.access", "aiohttp.server"))
        for text in (
            record.getMessage()
            + (formatter.formatException(record.exc_info) if record.exc_info else ""),
        )
        for secret in secrets
        if secret in text
    ]
    assert not leaks, f"a credential appears in the log: {leaks}"


class _Reports(logging.Handler):
    """Collects what Home Assistant's frame helper says about our integration."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "custom integration 'pandora_box'" in message:
            self.messages.append(message)


@pytest.fixture(autouse=True)
def _no_frame_reports() -> Iterator[None]:
    """Fail a test in which Home Assistant reports our code ("Detected that custom
    integration 'pandora_box' ..."): a deprecated call today is a break in a later
    release.  The frame helper logs these on ``homeassistant.helpers.frame``."""
    reports = _Reports()
    logger = logging.getLogger("homeassistant.helpers.frame")
    logger.addHandler(reports)
    try:
        yield
    finally:
        logger.removeHandler(reports)
    assert not reports.messages, f"Home Assistant reports our code: {reports.messages}"


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, those disabled by default included (as core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits before a 429 retry (TMDB, Watchmode) instead of sleeping."""
    seen: list[float] = []

    async def record(seconds: float) -> None:
        seen.append(seconds)

    monkeypatch.setattr(media_cache, "async_wait", record)
    return seen


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format (as core's tests take them), in tests/snapshots/.

    Both legs check the same files: registry entries and states serialise alike
    on 2026.9 and 2026.10 (2025.4's differed), so both releases must show the same.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/pandora_box."""


@pytest.fixture
async def qbittorrent_sim() -> AsyncIterator[QBittorrentSimulator]:
    """A qBittorrent simulator on a free loopback port."""
    sim = QBittorrentSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def jackett_sim() -> AsyncIterator[JackettSimulator]:
    """A Jackett simulator on a free loopback port."""
    sim = JackettSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def tmdb_sim() -> AsyncIterator[TMDBSimulator]:
    """A TMDB simulator on a free loopback port."""
    sim = TMDBSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def watchmode_sim() -> AsyncIterator[WatchmodeSimulator]:
    """A Watchmode simulator on a free loopback port."""
    sim = WatchmodeSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def cloudcmd_sim(tmp_path: Path) -> AsyncIterator[CloudCmdSimulator]:
    """A CloudCmd simulator serving a fresh temporary folder."""
    root = tmp_path / "cloudcmd-root"
    root.mkdir()
    sim = CloudCmdSimulator(root=root)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def portainer_sim() -> AsyncIterator[PortainerSimulator]:
    """A Portainer simulator on a free loopback port."""
    sim = PortainerSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def jellyfin_sim() -> AsyncIterator[JellyfinSimulator]:
    """A Jellyfin simulator on a free loopback port."""
    sim = JellyfinSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def sim(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Simulator]:
    """A started simulator of the kind given by indirect parametrisation."""
    simulator = new_simulator(request.param, tmp_path)
    await simulator.start()
    yield simulator
    await simulator.stop()
