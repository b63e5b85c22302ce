"""The fault matrix: seven kinds x six faults, each cell one async function.

Used by ``test_fault_suite.py`` (one parametrised pytest test per cell) and by
``benchmarks/fault_suite.py`` (the same cells outside pytest, printed as a
table).  A cell gets a running Home Assistant (with custom integrations
enabled) and a started simulator of its kind; it adds an entry pointing at the
simulator, injects its fault, checks what the integration does, and returns a
short note for the table.  A failed check is an ``AssertionError``.

Entries are made with the answer cache off (``NO_CACHE``).  How a cell sees
"a refresh" (``probe``):

* kinds with a coordinator: ``coordinator.async_refresh()`` (the poll);
* kinds without one: a read action that reaches the upstream on every call,
  when one is registered (``ACTION_PROBES``: no result cache in between);
* otherwise the entry's setup check (``client.async_get_info()``) inside
  ``helpers.upstream_errors``, the path every action and command takes.

Time: the clients' timeout (15 s) and Home Assistant's setup retries run on
the event loop's timers; ``advance`` fires every timer due within the given
number of seconds (``async_fire_time_changed`` with a future time), so no
cell waits for real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import timedelta
import gc
import itertools
import time
import tracemalloc
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.pandora_box.api._http import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.coordinator import PandoraConfigEntry, PandoraCoordinator
from custom_components.pandora_box.helpers import upstream_errors
from custom_components.pandora_box.upstreams.cache import CONF_CACHE_TTL
from simulators import QBittorrentSimulator, Simulator

from ..helpers import mock_entry, secret_field, settle, setup_integration, state_of

FAULTS = ("down_at_setup", "outage_recovery", "auth_revoked", "hung", "malformed", "oversized")
"""The columns of the matrix, in table order."""

STALL_LIMIT_S = 0.1
"""Longest event-loop stall a hung upstream may cause."""

MEMORY_PER_REQUEST = DEFAULT_MAX_BYTES * 3 // 2
"""Peak traced memory allowed per request while refusing oversized bodies.

The simulator streams 64 MiB; a client that stops at its 16 MiB cap holds at
most the cap plus a chunk and the buffer's over-allocation.  A poll that reads
several routes at once (Jellyfin: four) may hold that much per request.
"""

UPSTREAM_ERROR_KEYS = frozenset({"update_failed", "cannot_connect", "upstream_error"})
"""Translation keys of an upstream fault (poll: update_failed; action: the other two)."""

NO_CACHE: dict[str, Any] = {CONF_CACHE_TTL: 0}
"""Entry options: TMDB/Watchmode answers not cached, so every refresh reaches the
upstream (the cache has its own tests; here it would hide the fault until it expires)."""

_probe_counter = itertools.count()


def _jackett_probe() -> dict[str, Any]:
    """A fresh query each time: every probe must reach Jackett."""
    return {"query": f"probe {next(_probe_counter)}"}


ACTION_PROBES: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "cloudcmd": ("list_files", dict),
    "jackett": ("search_torrents", _jackett_probe),
}
"""Read actions without a cache, used as the probe of kinds that do not poll."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one probe saw: success, or the error the integration raised."""

    via: str
    error: BaseException | None

    @property
    def ok(self) -> bool:
        """Whether the probe succeeded."""
        return self.error is None


async def probe(hass: HomeAssistant, entry: PandoraConfigEntry) -> Outcome:
    """One refresh of ``entry`` as the integration does it (see the module docstring)."""
    coordinator = entry.runtime_data.coordinator
    if coordinator is not None:
        await coordinator.async_refresh()
        error = None if coordinator.last_update_success else coordinator.last_exception
        return Outcome("poll", error)
    kind = entry.runtime_data.kind.value
    if kind in ACTION_PROBES and hass.services.has_service(DOMAIN, ACTION_PROBES[kind][0]):
        service, data = ACTION_PROBES[kind]
        try:
            await hass.services.async_call(
                DOMAIN,
                service,
                {"config_entry_id": entry.entry_id, **data()},
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            return Outcome(service, err)
        return Outcome(service, None)
    try:
        async with upstream_errors(hass, entry):
            await entry.runtime_data.client.async_get_info()
    except HomeAssistantError as err:
        return Outcome("check", err)
    return Outcome("check", None)


def poll_ok(coordinator: PandoraCoordinator[Any]) -> bool:
    """Whether the coordinator's last poll succeeded (a call: no stale narrowing)."""
    return coordinator.last_update_success


def translation_key(error: BaseException | None) -> str | None:
    """The translation key of a Home Assistant error from our domain (else ``None``)."""
    if isinstance(error, HomeAssistantError) and error.translation_domain == DOMAIN:
        return error.translation_key
    return None


def placeholders(error: BaseException | None) -> dict[str, str]:
    """The translation placeholders of a Home Assistant error."""
    if isinstance(error, HomeAssistantError):
        return dict(error.translation_placeholders or {})
    return {}


def assert_upstream_fault(outcome: Outcome) -> None:
    """The probe failed with a translated upstream error (not auth, not a traceback)."""
    assert not outcome.ok, f"{outcome.via}: the fault went unnoticed"
    assert isinstance(outcome.error, (UpdateFailed, HomeAssistantError)), repr(outcome.error)
    key = translation_key(outcome.error)
    assert key in UPSTREAM_ERROR_KEYS, f"{outcome.via}: {outcome.error!r} (key {key})"


async def advance(hass: HomeAssistant, seconds: float) -> None:
    """Fire every timer due within ``seconds`` and let what it started finish."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    # setup retries and scheduled polls run as background tasks
    await settle(hass)


async def add_entry(hass: HomeAssistant, sim: Simulator) -> PandoraConfigEntry:
    """Add an entry for ``sim`` and set it up (whatever the outcome)."""
    entry = mock_entry(sim, unique_id=f"{sim.kind}:fault", options=NO_CACHE)
    await setup_integration(hass, entry)
    found: PandoraConfigEntry = entry
    return found


async def loaded_entry(hass: HomeAssistant, sim: Simulator) -> PandoraConfigEntry:
    """Add an entry for ``sim``; it must load."""
    entry = await add_entry(hass, sim)
    assert state_of(entry) is ConfigEntryState.LOADED, state_of(entry)
    return entry


def reauth_flows(hass: HomeAssistant, entry: PandoraConfigEntry) -> list[Any]:
    """Reauth flows in progress for ``entry``."""
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


def entity_states(hass: HomeAssistant, entry: PandoraConfigEntry) -> dict[str, str]:
    """State of every enabled entity of ``entry``."""
    registry = er.async_get(hass)
    states: dict[str, str] = {}
    for reg in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (current := hass.states.get(reg.entity_id)) is not None:
            states[reg.entity_id] = current.state
    return states


def assert_entities_unavailable(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """Every entity is unavailable, except connectivity sensors, which say ``off``.

    Local data stays: the watchlist (a to-do list kept in a Store) can still be
    read and edited while TMDB is down.
    """
    states = entity_states(hass, entry)
    assert states, "the entry has no entities"
    for entity_id, value in states.items():
        current = hass.states.get(entity_id)
        assert current is not None
        if entity_id.startswith("todo."):
            assert value != STATE_UNAVAILABLE, (entity_id, value)
        elif current.attributes.get("device_class") == BinarySensorDeviceClass.CONNECTIVITY:
            assert value in (STATE_OFF, STATE_UNAVAILABLE), (entity_id, value)
        else:
            assert value == STATE_UNAVAILABLE, (entity_id, value)


def assert_entities_available(
    hass: HomeAssistant, entry: PandoraConfigEntry, *, except_for: frozenset[str] = frozenset()
) -> None:
    """No entity of ``entry`` is unavailable (but those in ``except_for``)."""
    states = entity_states(hass, entry)
    assert states, "the entry has no entities"
    down = {entity_id for entity_id, value in states.items() if value == STATE_UNAVAILABLE}
    assert not down - except_for, down - except_for


def unavailable_entities(hass: HomeAssistant, entry: PandoraConfigEntry) -> frozenset[str]:
    """Entities of ``entry`` unavailable now (e.g. a *Resume* button of a running container)."""
    states = entity_states(hass, entry).items()
    return frozenset(entity_id for entity_id, value in states if value == STATE_UNAVAILABLE)


def revoke(sim: Simulator) -> None:
    """Change the upstream's secret, as a user revoking it does; sessions end too."""
    sim.rotate_credentials(**{secret_field(sim.kind): f"revoked-{sim.kind}"})
    if isinstance(sim, QBittorrentSimulator):
        sim.expire_sessions()  # a password change takes effect at the next login


class StallMonitor:
    """Measures the longest time the event loop was kept from running a 5 ms ticker.

    ``worst_wall``: the longest wall-clock gap between ticks beyond the tick.
    ``worst``: the longest the loop thread was busy between two ticks, in its
    CPU time (``time.thread_time``): code blocking the loop with work shows
    in both, the OS preempting the process on a busy machine only in the
    wall-clock figure, blocking I/O (no CPU) only in the wall-clock one too.
    """

    TICK = 0.005

    def __init__(self) -> None:
        """Not started yet."""
        self.worst = 0.0
        self.worst_wall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last_wall, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(self.TICK)
            wall, cpu = time.perf_counter(), time.thread_time()
            self.worst_wall = max(self.worst_wall, wall - last_wall - self.TICK)
            self.worst = max(self.worst, min(cpu - last_cpu, wall - last_wall))
            last_wall, last_cpu = wall, cpu

    def start(self) -> None:
        """Start ticking."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        """Stop ticking; return the worst stall in seconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.worst


async def wait_for_request(sim: Simulator, before: int, limit_s: float = 5.0) -> None:
    """Wait (for real, briefly) until ``sim`` has logged a request beyond ``before``."""
    deadline = time.monotonic() + limit_s
    while len(sim.requests) <= before:
        assert time.monotonic() < deadline, "no request reached the upstream"
        await asyncio.sleep(0.01)


# -- the cells ---------------------------------------------------------------------------


async def down_at_setup(hass: HomeAssistant, sim: Simulator) -> str:
    """Upstream down at setup: retried, no reauth, loaded once it is back."""
    await sim.stop()
    entry = await add_entry(hass, sim)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY, state_of(entry)
    assert not reauth_flows(hass, entry)
    await sim.start()
    await advance(hass, 90)  # beyond the first retry's backoff
    assert state_of(entry) is ConfigEntryState.LOADED, state_of(entry)
    return "retry → loaded"


async def outage_recovery(hass: HomeAssistant, sim: Simulator) -> str:
    """Outage while running: translated failure (entities unavailable), then back by itself."""
    entry = await loaded_entry(hass, sim)
    coordinator = entry.runtime_data.coordinator
    unavailable_before = unavailable_entities(hass, entry)
    await sim.stop()
    if coordinator is not None:
        assert coordinator.update_interval is not None
        await advance(hass, coordinator.update_interval.total_seconds() + 1)
        assert not poll_ok(coordinator)
        assert_upstream_fault(Outcome("poll", coordinator.last_exception))
        assert_entities_unavailable(hass, entry)
        await sim.start()
        assert coordinator.update_interval is not None
        await advance(hass, coordinator.update_interval.total_seconds() + 1)
        assert poll_ok(coordinator), coordinator.last_exception
        assert_entities_available(hass, entry, except_for=unavailable_before)
        via = "poll: unavailable"
    else:
        outcome = await probe(hass, entry)
        assert_upstream_fault(outcome)
        await sim.start()
        again = await probe(hass, entry)
        assert again.ok, repr(again.error)
        via = f"{outcome.via}: error"
    assert state_of(entry) is ConfigEntryState.LOADED
    assert not reauth_flows(hass, entry)
    return f"{via} → back"


async def auth_revoked(hass: HomeAssistant, sim: Simulator) -> str:
    """Credentials revoked while running: translated invalid_auth and a reauth flow."""
    entry = await loaded_entry(hass, sim)
    assert not reauth_flows(hass, entry)
    revoke(sim)
    outcome = await probe(hass, entry)
    await hass.async_block_till_done()
    assert not outcome.ok, f"{outcome.via}: revoked credentials went unnoticed"
    assert translation_key(outcome.error) == "invalid_auth", repr(outcome.error)
    flows = reauth_flows(hass, entry)
    assert len(flows) == 1, flows
    return f"{outcome.via}: reauth flow"


async def _hang_once(
    hass: HomeAssistant, sim: Simulator, entry: PandoraConfigEntry
) -> tuple[Outcome, StallMonitor]:
    """One refresh against a hung upstream, ended by firing the client's timeout.

    A full garbage collection first: left to chance, one of the heap earlier
    cells built (other Home Assistant instances, 64 MiB bodies) lands in the
    window and is measured as a 150 ms stall that has nothing to do with the
    upstream.
    """
    gc.collect()
    monitor = StallMonitor()
    monitor.start()
    try:
        sim.set_fault("hang")
        before = len(sim.requests)
        task = asyncio.get_running_loop().create_task(probe(hass, entry))
        await wait_for_request(sim, before)
        await asyncio.sleep(0.2)  # real time: the request hangs
        assert not task.done(), "the refresh ended before its timeout"
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=DEFAULT_TIMEOUT + 1))
        outcome = await asyncio.wait_for(task, 10)
    finally:
        await monitor.stop()
        sim.clear_fault()
    await hass.async_block_till_done()
    return outcome, monitor


async def hung(hass: HomeAssistant, sim: Simulator) -> str:
    """A hung upstream: the refresh ends at the client timeout; the loop never stalls.

    The loop's CPU-time stall must stay under 100 ms.  So must the wall-clock
    one (it would also show blocking I/O); a wall-clock stall alone can be the
    OS preempting a busy machine, so it is measured a second time before it
    counts: blocking code stalls every time, preemption does not.
    """
    entry = await loaded_entry(hass, sim)
    outcome, monitor = await _hang_once(hass, sim, entry)
    assert_upstream_fault(outcome)
    detail = placeholders(outcome.error).get("error", "")
    assert f"did not answer within {DEFAULT_TIMEOUT:g} s" in detail, detail
    assert monitor.worst < STALL_LIMIT_S, f"event loop busy {monitor.worst * 1000:.0f} ms"
    if monitor.worst_wall >= STALL_LIMIT_S:
        outcome, monitor = await _hang_once(hass, sim, entry)
        assert_upstream_fault(outcome)
        assert monitor.worst < STALL_LIMIT_S, f"event loop busy {monitor.worst * 1000:.0f} ms"
        assert monitor.worst_wall < STALL_LIMIT_S, (
            f"event loop stalled {monitor.worst_wall * 1000:.0f} ms, twice"
        )
    again = await probe(hass, entry)
    assert again.ok, repr(again.error)
    return (
        f"{outcome.via}: timeout, stall {monitor.worst_wall * 1000:.0f} ms "
        f"(busy {monitor.worst * 1000:.0f} ms)"
    )


async def malformed(hass: HomeAssistant, sim: Simulator) -> str:
    """A malformed body: a translated upstream error, no reauth, fine once it is whole."""
    entry = await loaded_entry(hass, sim)
    sim.set_fault("malformed")
    try:
        outcome = await probe(hass, entry)
    finally:
        sim.clear_fault()
    await hass.async_block_till_done()
    assert_upstream_fault(outcome)
    assert not reauth_flows(hass, entry)
    again = await probe(hass, entry)
    assert again.ok, repr(again.error)
    return f"{outcome.via}: {translation_key(outcome.error)}"


async def oversized(hass: HomeAssistant, sim: Simulator) -> str:
    """A 64 MiB body: refused at the client's cap, with memory bounded while refusing."""
    entry = await loaded_entry(hass, sim)
    sim.set_fault("oversized")
    before = len(sim.requests)
    tracemalloc.start()
    try:
        outcome = await probe(hass, entry)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        sim.clear_fault()
    requests = len(sim.requests) - before
    await hass.async_block_till_done()
    assert_upstream_fault(outcome)
    limit = max(1, requests) * MEMORY_PER_REQUEST
    assert peak < limit, (
        f"peak {peak / 2**20:.1f} MiB over {requests} request(s) while refusing 64 MiB bodies "
        f"(limit {limit / 2**20:.0f} MiB): a body is read past the client's cap"
    )
    again = await probe(hass, entry)
    assert again.ok, repr(again.error)
    return f"{outcome.via}: peak {peak / 2**20:.0f} MiB/{requests} req"


CELLS: dict[str, Callable[[HomeAssistant, Simulator], Awaitable[str]]] = {
    "down_at_setup": down_at_setup,
    "outage_recovery": outage_recovery,
    "auth_revoked": auth_revoked,
    "hung": hung,
    "malformed": malformed,
    "oversized": oversized,
}
assert tuple(CELLS) == FAULTS
