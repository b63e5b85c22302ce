"""The soak: one Home Assistant, all seven entries, days of polling on a simulated clock.

Run from the project root::

    .venv/bin/python -m benchmarks.soak [--days 7 | --hours 3] [--seed 19]

What runs: a Home Assistant test instance (``harness.running_hass``) with one
config entry per kind, each against its simulator on loopback, in this
process.  The qBittorrent entry files finished downloads of ``movies`` and
``tv`` into library folders through CloudCmd, and Jellyfin is told
(``media/postprocess.py``).  For the simulated duration:

* torrents are added (as if from another client), download, complete and are
  filed away; some are removed hours later; qBittorrent's WebUI sessions end
  now and then (the integration logs in again);
* Jellyfin sessions start and stop playing; Portainer's containers are
  recreated (``docker compose up``: new id, same name);
* each of the fault matrix's six faults (``tests/faults/cells.py``:
  ``down_at_setup``, ``outage_recovery``, ``auth_revoked``, ``hung``,
  ``malformed``, ``oversized``) hits each upstream at least once (once per
  simulated day each, for runs of a day or more), at random times drawn from
  ``--seed`` (reproducible), never two at once on one upstream.  Each fault is
  checked as its cell checks it (translated error, entities unavailable,
  reauth flow...), then undone (the upstream back, the reauth flow completed
  with the new secret), and a recovery check follows: the entry loaded, no
  entity unavailable that was available before, and fresh values (a new poll
  answer after the fault; kinds that do not poll often: a refresh that
  succeeds).  ``recovered`` counts the checks that passed.

The clock: the event loop's ``time()`` and Home Assistant's ``utcnow`` are real
time plus an offset, and the offset jumps to the next timer due (a poll, a
retry, a client timeout, the scenario's next step) once the work started by
the last one is done.  Timers fire because they are due on the loop's own
clock, so nothing is fired early and nothing re-schedules itself in a loop;
"done" is Home Assistant's tasks finished and the scenario waiting; while a
request hangs on purpose, the wait for it is bounded (a few rounds without
progress) and the jump to the client's timeout ends it.  The simulators'
clocks (qBittorrent's downloads, Jellyfin's playback and scans) move with it.

Counted:

* ``polls``: coordinator refreshes (scheduled or not);
* events: ``pandora_box_torrent_added``/``_completed``/``_removed`` and
  ``pandora_box_media_ready`` per torrent; expected is each exactly once per
  torrent added (removed: per torrent removed); ``events_fired`` counts every
  event fired, so a repeat shows there and in the per-kind line;
* ``unhandled``: log records at ERROR with a traceback from our logger
  (``custom_components.pandora_box``) or from anyone whose traceback runs
  through our code (Home Assistant's "Error doing job", asyncio's "Task
  exception was never retrieved"), and our coordinators' "Error fetching" (or
  "Authentication failed while fetching") records while no fault was
  injected on their upstream.  Errors the simulators' aiohttp servers log
  (a fault that stops a server under an open request) are the upstream's
  side: counted apart, by logger name;
* log lines per simulated hour at Home Assistant's default level (the root
  logger at WARNING, as ``hass`` runs without ``-v`` or ``logger:``);
* memory: tracemalloc from before Home Assistant starts; traced memory after
  setup, at the middle and at the end (after a full collection); the growth
  over the second half is ``(end - middle) / middle``.

The last line is ``soak: polls=N faults=N recovered=N events_expected=N
events_fired=N unhandled=N memory_growth_pct=X``.  The exit status is 1 when
a count is off (a fault not recovered, an event missing or repeated, an
unhandled exception) or, for runs of a day or more, when memory grew by 5 %
or more over the second half.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import logging
from pathlib import Path
import random
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_USERNAME, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util.async_ import get_scheduled_timer_handles

from custom_components.pandora_box.api._http import DEFAULT_TIMEOUT
from custom_components.pandora_box.config_flow import fields_of
from custom_components.pandora_box.const import DOMAIN, Kind
from custom_components.pandora_box.coordinator import PandoraConfigEntry, PandoraCoordinator
from custom_components.pandora_box.media.postprocess import EVENT_MEDIA_READY
from custom_components.pandora_box.upstreams.jellyfin.push import TASK_NAME as PUSH_TASK
from custom_components.pandora_box.upstreams.qbittorrent.tracker import (
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_COMPLETED,
    EVENT_TORRENT_REMOVED,
)
from simulators import (
    CloudCmdSimulator,
    JellyfinSimulator,
    PortainerSimulator,
    QBittorrentSimulator,
    Simulator,
)
from tests.faults.cells import (
    FAULTS,
    NO_CACHE,
    Outcome,
    assert_entities_available,
    assert_entities_unavailable,
    assert_upstream_fault,
    entity_states,
    placeholders,
    probe,
    reauth_flows,
    translation_key,
    unavailable_entities,
)
from tests.helpers import KINDS, mock_entry, new_simulator, secret_field, state_of

from .harness import running_hass

OUR_CODE = "custom_components/pandora_box"
OUR_LOGGER = "custom_components.pandora_box"
COORDINATOR_FAILURE = "fetching %s data"
"""In the templates of a coordinator's failed poll ("Error fetching ...", "Authentication
failed while fetching ..."), logged once when a run of failures starts."""
SIMULATOR_LOGGERS = ("aiohttp.server", "aiohttp.web", "simulators")
"""Loggers of the simulators' side (their aiohttp servers): the upstream's errors, not ours."""

EVENTS = {
    "added": EVENT_TORRENT_ADDED,
    "completed": EVENT_TORRENT_COMPLETED,
    "removed": EVENT_TORRENT_REMOVED,
    "media_ready": EVENT_MEDIA_READY,
}
LIBRARY = {"movies": "/library/Movies", "tv": "/library/Shows"}
QBITTORRENT_OPTIONS: dict[str, Any] = {"library_folders": LIBRARY}

NATURAL_POLL = timedelta(minutes=5)
"""Coordinators polling at most this far apart meet a fault in a scheduled poll;
slower ones (TMDB: hourly) in a refresh the fault procedure asks for."""
FAULT_SLOT_S = 20 * 60
"""Simulated time kept free for one fault on one upstream (injection to recovery)."""
WARMUP_S = 10 * 60
COOLDOWN_S = 45 * 60
"""No fault in the first and last minutes; torrents still arrive in the cooldown, so
a job that failed under a fault is retried at a completion with nothing injected."""
STUCK_ROUNDS = 4
"""Rounds (of 20 ms) without progress after which a settle under a hang gives up."""
SETTLE_LIMIT_S = 60.0
"""Longest real wait for the work of one step (counted as a slow settle when hit)."""
FEED_S = 2.0
"""Simulated seconds the simulators' clocks are moved on at least at once: a qBittorrent
download moves linearly, and its advance walks every torrent (the slowest step of a step)."""
PROGRESS_S = 12 * 3600
"""Simulated time between two progress lines on stderr."""
MEMORY_LIMIT_PCT = 5.0
MIB = 1024 * 1024


# -- the clock --------------------------------------------------------------------------------


class SimClock:
    """The loop's and Home Assistant's clock: real time plus an offset that only grows."""

    def __init__(self) -> None:
        """Not installed yet (offset 0)."""
        self.offset = 0.0
        self.started = time.monotonic()
        self.busy = 0
        """Scenario tasks doing work now (not waiting for the clock)."""

    def monotonic(self) -> float:
        """The loop's time."""
        return time.monotonic() + self.offset

    def timestamp(self) -> float:
        """Seconds since the epoch, simulated."""
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        """Home Assistant's ``utcnow``, simulated."""
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    @property
    def elapsed(self) -> float:
        """Simulated seconds since installation."""
        return self.monotonic() - self.started

    @contextlib.contextmanager
    def installed(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        """Drive ``loop`` and Home Assistant's time helpers with this clock."""
        self.started = self.monotonic()
        real_time = loop.time
        setattr(loop, "time", self.monotonic)  # noqa: B010 - an instance attribute on purpose
        try:
            with (
                patch("homeassistant.util.dt.utcnow", self.utcnow),
                patch("homeassistant.helpers.event.time_tracker_utcnow", self.utcnow),
                patch("homeassistant.helpers.event.time_tracker_timestamp", self.timestamp),
            ):
                yield
        finally:
            setattr(loop, "time", real_time)  # noqa: B010

    def jump(self, seconds: float) -> None:
        """Move time on by ``seconds`` at once."""
        self.offset += max(0.0, seconds)

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass (a scenario task waiting is not busy)."""
        self.busy -= 1
        try:
            await asyncio.sleep(seconds)
        finally:
            self.busy += 1


# -- what is counted --------------------------------------------------------------------------


@dataclass(slots=True)
class Ledger:
    """Events fired and expected, per kind and torrent."""

    expected: dict[str, Counter[str]] = field(
        default_factory=lambda: {kind: Counter() for kind in EVENTS}
    )
    fired: dict[str, Counter[str]] = field(
        default_factory=lambda: {kind: Counter() for kind in EVENTS}
    )

    def expect(self, kind: str, torrent_hash: str) -> None:
        """``kind`` must fire once for ``torrent_hash``."""
        self.expected[kind][torrent_hash] += 1

    def saw(self, kind: str, torrent_hash: str) -> None:
        """``kind`` fired for ``torrent_hash``."""
        self.fired[kind][torrent_hash] += 1

    def total(self, which: str) -> int:
        """All events expected or fired."""
        table = self.expected if which == "expected" else self.fired
        return sum(sum(counts.values()) for counts in table.values())

    def wrong(self) -> dict[str, list[str]]:
        """Per kind, the torrents whose count is not what was expected (missing or repeated)."""
        problems: dict[str, list[str]] = {}
        for kind in EVENTS:
            expected, fired = self.expected[kind], self.fired[kind]
            bad = sorted(h for h in set(expected) | set(fired) if expected[h] != fired[h])
            if bad:
                problems[kind] = [f"{h[:8]} {fired[h]}/{expected[h]}" for h in bad]
        return problems

    def complete(self) -> bool:
        """Whether every expected event fired, exactly as often as expected."""
        return not self.wrong()


class LogCounter(logging.Handler):
    """Counts what reaches the root logger; tells our unhandled exceptions apart."""

    def __init__(self, faulty: Callable[[str], bool], titles: dict[str, str]) -> None:
        """``faulty(kind)``: a fault is injected on ``kind`` now; ``titles``: entry title → kind."""
        super().__init__(logging.WARNING)
        self.faulty = faulty
        self.titles = titles
        self.lines: Counter[str] = Counter()
        self.unhandled: list[str] = []
        self.upstream_side = 0
        self.expected_errors = 0
        self.templates: Counter[tuple[str, str]] = Counter()
        """Lines per logger and message template (bounded: templates, not messages)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record."""
        name = record.name
        self.lines["ours" if name.startswith(OUR_LOGGER) else name.split(".")[0]] += 1
        self.templates[name, str(record.msg)[:80]] += 1
        if record.levelno < logging.ERROR:
            return
        if name.startswith(SIMULATOR_LOGGERS):
            self.upstream_side += 1
            return
        traceback = ""
        if record.exc_info and record.exc_info[2] is not None:
            frames = _frames(record.exc_info[2])
            traceback = "\n".join(frames)
        ours = name.startswith(OUR_LOGGER)
        if traceback and (ours or OUR_CODE in traceback):
            self._unhandled(record)
            return
        if ours and COORDINATOR_FAILURE in str(record.msg):
            kind = next((k for t, k in self.titles.items() if t in record.getMessage()), "")
            if kind and self.faulty(kind):
                self.expected_errors += 1
                return
            self._unhandled(record)

    def _unhandled(self, record: logging.LogRecord) -> None:
        if len(self.unhandled) < 1000:
            self.unhandled.append(f"{record.name}: {record.getMessage()[:300]}")


def _frames(tb: Any) -> list[str]:
    """File names of a traceback's frames."""
    files: list[str] = []
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return files


@dataclass(slots=True)
class FaultResult:
    """One injected fault: on which upstream, what the checks said."""

    kind: str
    fault: str
    at: float
    seen: str = ""
    recovered: bool = False
    problem: str = ""


@dataclass(slots=True)
class Figures:
    """What one run measured."""

    duration_s: float
    polls: Counter[str]
    faults: list[FaultResult]
    ledger: Ledger
    logs: LogCounter
    memory: dict[str, int]
    wall_s: float
    slow_settles: int
    torrents: int
    drain_s: float
    issues: list[str]
    """Repair issues open when the simulated duration ended (before the drain)."""

    @property
    def recovered(self) -> int:
        """Recovery checks that passed."""
        return sum(1 for result in self.faults if result.recovered)

    @property
    def growth_pct(self) -> float:
        """Traced memory growth over the second half, in percent."""
        middle, end = self.memory["middle"], self.memory["end"]
        return (end - middle) / middle * 100 if middle else 0.0

    def ok(self) -> bool:
        """Whether the counts hold (memory: for runs of a day or more)."""
        counts_ok = (
            self.recovered == len(self.faults)
            and self.ledger.complete()
            and not self.logs.unhandled
        )
        memory_ok = self.duration_s < 86400 or self.growth_pct < MEMORY_LIMIT_PCT
        return counts_ok and memory_ok


# -- the schedule -----------------------------------------------------------------------------


def fault_plan(rng: random.Random, duration_s: float, rounds: int) -> list[tuple[float, str, str]]:
    """(start, kind, fault) for every fault: each upstream's ``rounds`` x six, apart.

    Per upstream the faults come in a random order at random times with at
    least ``FAULT_SLOT_S`` between two starts.
    """
    plan: list[tuple[float, str, str]] = []
    usable = duration_s - WARMUP_S - COOLDOWN_S
    for kind in KINDS:
        faults = [fault for _ in range(rounds) for fault in FAULTS]
        rng.shuffle(faults)
        slack = usable - len(faults) * FAULT_SLOT_S
        if slack < 0:
            raise SystemExit(
                f"soak: {len(faults)} faults per upstream need "
                f"{len(faults) * FAULT_SLOT_S / 3600:.1f} h besides warm-up and cool-down"
            )
        cuts = sorted(rng.uniform(0, slack) for _ in faults)
        for number, (fault, cut) in enumerate(zip(faults, cuts, strict=True)):
            plan.append((WARMUP_S + cut + number * FAULT_SLOT_S, kind, fault))
    return sorted(plan)


# -- the run ----------------------------------------------------------------------------------


class Soak:
    """One run: the instance, the simulators, the scenario tasks and the counters."""

    def __init__(self, hass: HomeAssistant, clock: SimClock, seed: int, duration_s: float) -> None:
        """Prepare; ``start`` sets the entries up."""
        self.hass = hass
        self.clock = clock
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self.duration_s = duration_s
        self.sims: dict[str, Simulator] = {}
        self.entries: dict[str, PandoraConfigEntry] = {}
        self.ledger = Ledger()
        self.polls: Counter[str] = Counter()
        self.faults: list[FaultResult] = []
        self.active: set[str] = set()
        """Kinds with a fault injected now (until their recovery check)."""
        self.hanging: set[str] = set()
        """Kinds whose requests hang on purpose now."""
        self.logs = LogCounter(lambda kind: kind in self.active, {})
        self.tasks: set[asyncio.Task[None]] = set()
        self.slow_settles = 0
        self.secret_round = 0
        self.torrents = 0
        self.root = Path()
        self._fed = 0.0
        self._next_progress = PROGRESS_S
        self._wall0 = time.monotonic()

    # -- setup ----------------------------------------------------------------------

    async def start(self, scratch: Path) -> None:
        """Start the simulators and set all seven entries up."""
        for kind in KINDS:
            sim = new_simulator(kind, scratch)
            await sim.start()
            self.sims[kind] = sim
        qbittorrent = self.sims["qbittorrent"]
        assert isinstance(qbittorrent, QBittorrentSimulator)
        qbittorrent.advance(30 * 86400)  # its sample downloads finish before Home Assistant starts
        cloudcmd = self.sims["cloudcmd"]
        assert isinstance(cloudcmd, CloudCmdSimulator)
        self.root = Path(cloudcmd.root)
        for kind in KINDS:
            sim = self.sims[kind]
            options = QBITTORRENT_OPTIONS if kind == "qbittorrent" else NO_CACHE
            entry = mock_entry(sim, title=f"soak {kind}", unique_id=f"{kind}:soak", options=options)
            entry.add_to_hass(self.hass)
            self.entries[kind] = entry
            self.logs.titles[f"soak {kind}"] = kind
        for event_kind, event_type in EVENTS.items():
            self.hass.bus.async_listen(event_type, self._counter(event_kind))
        assert await async_setup_component(self.hass, DOMAIN, {})
        await self.settle()
        states = {kind: state_of(entry) for kind, entry in self.entries.items()}
        if any(state is not ConfigEntryState.LOADED for state in states.values()):
            raise SystemExit(f"soak: not every entry loaded: {states}")
        for kind, entry in self.entries.items():
            # the unique id the config flow gives (a reauth checks it is the same server)
            unique_id = f"{kind}:{entry.runtime_data.info.unique_id}"
            self.hass.config_entries.async_update_entry(entry, unique_id=unique_id)

    def rng(self, stream: str) -> random.Random:
        """The random numbers of one part of the scenario (own stream: reproducible by seed)."""
        if stream not in self._streams:
            # a reproducible scenario, not a secret
            self._streams[stream] = random.Random(f"{self.seed}:{stream}")  # noqa: S311
        return self._streams[stream]

    def _counter(self, event_kind: str) -> Callable[[Event[dict[str, Any]]], None]:
        def count(event: Event[dict[str, Any]]) -> None:
            self.ledger.saw(event_kind, str(event.data.get("hash")))

        return count

    def spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run a scenario task (busy until it waits for the clock)."""

        async def run() -> None:
            self.clock.busy += 1
            try:
                await work()
            finally:
                self.clock.busy -= 1

        task = asyncio.get_running_loop().create_task(run(), name=f"soak {name}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- the clock's steps -------------------------------------------------------------

    async def settle(self) -> None:
        """Wait (for real, bounded) until the work the last step started is done."""
        hass = self.hass
        deadline = time.monotonic() + SETTLE_LIMIT_S
        last: set[asyncio.Future[Any]] = set()
        stuck = 0
        while True:
            await asyncio.sleep(0)
            pending = {
                task
                for task in hass._tasks | hass._background_tasks  # noqa: SLF001 - what async_block_till_done waits for, without its unbounded wait
                if not task.done()
                # a Jellyfin entry's push task lives as long as the entry
                and not (isinstance(task, asyncio.Task) and task.get_name().startswith(PUSH_TASK))
            }
            if not pending and self.clock.busy <= 0:
                return
            if time.monotonic() > deadline:
                self.slow_settles += 1
                return
            if self.hanging:
                stuck = stuck + 1 if pending == last else 0
                if stuck >= STUCK_ROUNDS:
                    return
            last = pending
            if pending:
                await asyncio.wait(pending, timeout=0.02 if self.hanging else 1.0)
            else:
                await asyncio.sleep(0.001)

    def next_due(self) -> float | None:
        """When the next timer of the loop is due (loop time)."""
        handles = [
            h.when() for h in get_scheduled_timer_handles(self.hass.loop) if not h.cancelled()
        ]
        return min(handles, default=None)

    def feed(self) -> None:
        """Move the simulators' clocks to the simulated now (in steps of ``FEED_S`` or more)."""
        now = self.clock.elapsed
        if now - self._fed < FEED_S:
            return
        delta, self._fed = now - self._fed, now
        for kind in ("qbittorrent", "jellyfin"):
            sim = self.sims[kind]
            if isinstance(sim, (QBittorrentSimulator, JellyfinSimulator)):
                sim.advance(delta)

    async def run_until(self, end_s: float, done: Callable[[], bool] | None = None) -> None:
        """Step the clock until ``end_s`` simulated seconds (or ``done()``)."""
        while self.clock.elapsed < end_s and not (done is not None and done()):
            await self.settle()
            due = self.next_due()
            now = self.clock.monotonic()
            target = min(due if due is not None else now + 60, self.clock.started + end_s)
            if target > now:
                self.clock.jump(target - now + 0.001)
            self.feed()
            if self.clock.elapsed >= self._next_progress:
                self._next_progress += PROGRESS_S
                self.progress()
            await asyncio.sleep(0)
        await self.settle()

    def progress(self) -> None:
        """One line on stderr: where the run is (stdout keeps the result only)."""
        print(
            f"soak: {self.clock.elapsed / 3600:.0f} h simulated, "
            f"{time.monotonic() - self._wall0:.0f} s wall, "
            f"polls {sum(self.polls.values())}, faults {len(self.faults)}",
            file=sys.stderr,
            flush=True,
        )

    # -- the scenario -------------------------------------------------------------------

    def schedule(self, faults_per_kind: int) -> None:
        """Start the scenario's tasks: torrents, sessions, containers, faults."""
        self.spawn("torrents", self.torrent_arrivals)
        self.spawn("sessions", self.jellyfin_sessions)
        self.spawn("containers", self.container_recreation)
        self.spawn("logins", self.qbittorrent_logouts)
        self.spawn("logs", self.trim_request_logs)
        for at, kind, fault in fault_plan(self.rng("plan"), self.duration_s, faults_per_kind):
            self.spawn(f"{fault} on {kind}", self._fault_at(at, kind, fault))

    def _fault_at(self, at: float, kind: str, fault: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.clock.wait(at - self.clock.elapsed)
            while kind in self.active:  # the last one took longer than its slot: never two
                await self.clock.wait(10)
            await self.inject(kind, fault)

        return run

    async def torrent_arrivals(self) -> None:
        """A torrent every 15 to 90 min, until shortly before the end; some removed later."""
        while True:
            await self.clock.wait(self.rng("torrents").uniform(900, 5400))
            if self.clock.elapsed > self.duration_s - 30 * 60:
                return
            torrent_hash = await self.add_torrent()
            if self.rng("torrents").random() < 0.6:
                self.spawn(f"remove {torrent_hash}", self._remove_later(torrent_hash))

    async def add_torrent(self) -> str:
        """Add a downloading torrent (as another client does) whose files CloudCmd sees."""
        qbittorrent = self.sims["qbittorrent"]
        assert isinstance(qbittorrent, QBittorrentSimulator)
        self.torrents += 1
        rng = self.rng("torrents")
        category = rng.choice(("movies", "tv"))
        name = f"Soak.Title.{self.torrents:04d}.2026.1080p.WEB-DL.x264-SOAK"
        await asyncio.to_thread(_write_content, self.root / "downloads" / category / name)
        torrent_hash = qbittorrent.insert_torrent(
            {
                "name": name,
                "category": category,
                "size": rng.randint(200, 1500) * MIB,
                "dlspeed": 2_000_000,
                "state": "downloading",
            }
        )
        for event_kind in ("added", "completed", "media_ready"):
            self.ledger.expect(event_kind, torrent_hash)
        return torrent_hash

    def open_issues(self) -> list[str]:
        """Our repair issues still open (translation key and id)."""
        return sorted(
            f"{issue.translation_key} ({issue_id})"
            for (domain, issue_id), issue in ir.async_get(self.hass).issues.items()
            if domain == DOMAIN and issue.active
        )

    def _remove_later(self, torrent_hash: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            qbittorrent = self.sims["qbittorrent"]
            assert isinstance(qbittorrent, QBittorrentSimulator)
            while not self.ledger.fired["media_ready"][torrent_hash]:
                await self.clock.wait(600)
            await self.clock.wait(self.rng("removals").uniform(3600, 6 * 3600))
            if self.clock.elapsed > self.duration_s - 10 * 60:
                return
            qbittorrent.remove_torrent(torrent_hash)
            self.ledger.expect("removed", torrent_hash)

        return run

    async def jellyfin_sessions(self) -> None:
        """Someone starts playing every 40 min to 2 h and stops 20 to 90 min later."""
        jellyfin = self.sims["jellyfin"]
        assert isinstance(jellyfin, JellyfinSimulator)
        items = [i.id for i in jellyfin.visible() if i.type in ("Movie", "Episode")]
        while items and jellyfin.sessions:
            rng = self.rng("sessions")
            await self.clock.wait(rng.uniform(2400, 7200))
            session = rng.choice(jellyfin.sessions)
            jellyfin.play(session.id, rng.choice(items))
            await self.clock.wait(rng.uniform(1200, 5400))
            jellyfin.stop_playback(session.id)

    async def container_recreation(self) -> None:
        """A container recreated every 2 to 8 h."""
        portainer = self.sims["portainer"]
        assert isinstance(portainer, PortainerSimulator)
        while True:
            rng = self.rng("containers")
            await self.clock.wait(rng.uniform(2 * 3600, 8 * 3600))
            container = rng.choice(portainer.containers)
            portainer.recreate_container(container.spec.name, container.spec.endpoint_id)

    async def qbittorrent_logouts(self) -> None:
        """The WebUI forgets its sessions every 3 to 12 h (timeout, restart)."""
        qbittorrent = self.sims["qbittorrent"]
        assert isinstance(qbittorrent, QBittorrentSimulator)
        while True:
            await self.clock.wait(self.rng("logins").uniform(3 * 3600, 12 * 3600))
            qbittorrent.expire_sessions()

    async def trim_request_logs(self) -> None:
        """Forget the simulators' request logs hourly (test scaffolding, not the integration)."""
        while True:
            await self.clock.wait(3600)
            for kind, sim in self.sims.items():
                if kind not in self.active:
                    sim.requests.clear()

    # -- faults ------------------------------------------------------------------------

    async def inject(self, kind: str, fault: str) -> None:
        """Inject ``fault`` on ``kind``, check its effect, undo it, check the recovery."""
        result = FaultResult(kind, fault, self.clock.elapsed)
        self.faults.append(result)
        self.active.add(kind)
        sim = self.sims[kind]
        sim.requests.clear()
        try:
            entry = self.entries[kind]
            before = unavailable_entities(self.hass, entry)
            result.seen = await FAULT_STEPS[fault](self, kind)
            await self.recovery(kind, before)
            result.recovered = True
        except AssertionError as err:
            result.problem = str(err).splitlines()[0] if str(err) else "assertion failed"
        finally:
            sim.clear_fault()
            self.hanging.discard(kind)
            await sim.start()  # no-op when running
            self.active.discard(kind)

    def coordinator(self, kind: str) -> PandoraCoordinator[Any] | None:
        """The coordinator of ``kind``'s entry now (a reload makes a new one)."""
        entry = self.entries[kind]
        if state_of(entry) is not ConfigEntryState.LOADED:
            return None
        return entry.runtime_data.coordinator

    def polls_naturally(self, kind: str) -> bool:
        """Whether ``kind`` meets a fault in a scheduled poll (see ``NATURAL_POLL``)."""
        coordinator = self.coordinator(kind)
        return (
            coordinator is not None
            and coordinator.update_interval is not None
            and coordinator.update_interval <= NATURAL_POLL
        )

    async def until(self, check: Callable[[], bool], limit_s: float, step_s: float = 2.0) -> bool:
        """Let simulated time pass until ``check()`` (at most ``limit_s``)."""
        waited = 0.0
        while not check():
            if waited >= limit_s:
                return False
            await self.clock.wait(step_s)
            waited += step_s
        return True

    def poll_limit(self, kind: str) -> float:
        """How long a scheduled poll may take to come (two intervals and the client timeout)."""
        coordinator = self.coordinator(kind)
        interval = coordinator.update_interval if coordinator is not None else None
        seconds = interval.total_seconds() if interval is not None else 60.0
        return 2 * seconds + DEFAULT_TIMEOUT + 5

    async def fault_outcome(self, kind: str) -> Outcome:
        """What the entry makes of the fault now injected: a failed poll or probe."""
        entry = self.entries[kind]
        coordinator = self.coordinator(kind)
        if coordinator is not None and self.polls_naturally(kind):
            failed = await self.until(
                lambda: not coordinator.last_update_success, self.poll_limit(kind)
            )
            assert failed, f"{kind}: no poll failed under the fault"
            return Outcome("poll", coordinator.last_exception)
        task = asyncio.get_running_loop().create_task(probe(self.hass, entry))
        # a hung request ends at the client timeout: let that much simulated time pass
        finished = await self.until(task.done, DEFAULT_TIMEOUT + 5, step_s=0.5)
        assert finished, f"{kind}: the refresh did not end"
        return task.result()

    async def recovery(self, kind: str, before: frozenset[str]) -> None:
        """The entry is loaded, its entities available again and its values fresh."""
        entry = self.entries[kind]
        loaded = await self.until(lambda: state_of(entry) is ConfigEntryState.LOADED, 600)
        assert loaded, f"{kind}: not loaded again ({state_of(entry)})"
        coordinator = self.coordinator(kind)
        if coordinator is not None and self.polls_naturally(kind):
            old = coordinator.data
            fresh = await self.until(
                lambda: coordinator.last_update_success and coordinator.data is not old,
                self.poll_limit(kind),
            )
            assert fresh, f"{kind}: no fresh poll after the fault ({coordinator.last_exception!r})"
        else:
            again = await probe(self.hass, entry)
            assert again.ok, f"{kind}: {again.via} still fails: {again.error!r}"
        await self.clock.wait(1)  # entities write their state after the poll
        assert_entities_available(self.hass, entry, except_for=before)
        assert not reauth_flows(self.hass, entry), f"{kind}: a reauth flow is still open"

    # the six faults: inject, check the effect (as the cell does), undo; return a note

    async def down_at_setup(self, kind: str) -> str:
        """Reloaded while the upstream is down: setup retried, loaded once it is back."""
        sim, entry = self.sims[kind], self.entries[kind]
        await sim.stop()
        await self.hass.config_entries.async_reload(entry.entry_id)
        assert state_of(entry) is ConfigEntryState.SETUP_RETRY, state_of(entry)
        assert not reauth_flows(self.hass, entry)
        await self.clock.wait(self.rng(f"faults {kind}").uniform(30, 300))
        await sim.start()
        return "retry"

    async def outage_recovery(self, kind: str) -> str:
        """Upstream stopped: translated failure, entities unavailable; started again."""
        sim, entry = self.sims[kind], self.entries[kind]
        await sim.stop()
        outcome = await self.fault_outcome(kind)
        assert_upstream_fault(outcome)
        if outcome.via == "poll":
            await self.clock.wait(1)
            assert_polled_entities_down(self.hass, entry)
        await sim.start()
        return f"{outcome.via}: {translation_key(outcome.error)}"

    async def auth_revoked(self, kind: str) -> str:
        """Secret rotated: translated invalid_auth and a reauth flow, completed with the new one."""
        sim, entry = self.sims[kind], self.entries[kind]
        self.secret_round += 1
        secret = f"rotated-{kind}-{self.secret_round}"
        sim.rotate_credentials(**{secret_field(kind): secret})
        if isinstance(sim, QBittorrentSimulator):
            sim.expire_sessions()  # a password change takes effect at the next login
        outcome = await self.fault_outcome(kind)
        await self.clock.wait(1)
        assert not outcome.ok, f"{outcome.via}: revoked credentials went unnoticed"
        assert translation_key(outcome.error) == "invalid_auth", repr(outcome.error)
        flows = reauth_flows(self.hass, entry)
        assert len(flows) == 1, flows
        answer = {secret_field(kind): secret}
        if CONF_USERNAME in fields_of(Kind(kind)):
            answer[CONF_USERNAME] = sim.credentials()[CONF_USERNAME]
        result = await self.hass.config_entries.flow.async_configure(flows[0]["flow_id"], answer)
        assert result.get("reason") == "reauth_successful", result
        return f"{outcome.via}: reauth"

    async def _with_fault(self, kind: str, mode: str) -> Outcome:
        sim = self.sims[kind]
        sim.set_fault(mode)
        if mode == "hang":
            self.hanging.add(kind)
        try:
            outcome = await self.fault_outcome(kind)
        finally:
            sim.clear_fault()
            self.hanging.discard(kind)
        assert_upstream_fault(outcome)
        return outcome

    async def hung(self, kind: str) -> str:
        """No answer: the refresh ends at the client timeout."""
        outcome = await self._with_fault(kind, "hang")
        detail = placeholders(outcome.error).get("error", "")
        assert f"did not answer within {DEFAULT_TIMEOUT:g} s" in detail, detail
        return f"{outcome.via}: timeout"

    async def malformed(self, kind: str) -> str:
        """Half a body: a translated upstream error, no reauth."""
        outcome = await self._with_fault(kind, "malformed")
        assert not reauth_flows(self.hass, self.entries[kind])
        return f"{outcome.via}: {translation_key(outcome.error)}"

    async def oversized(self, kind: str) -> str:
        """A 64 MiB body: refused at the client's cap."""
        outcome = await self._with_fault(kind, "oversized")
        return f"{outcome.via}: {translation_key(outcome.error)}"

    # -- memory ------------------------------------------------------------------------

    @staticmethod
    def traced() -> int:
        """Traced memory now, after a full collection."""
        gc.collect()
        current, _peak = tracemalloc.get_traced_memory()
        return current


FAULT_STEPS: dict[str, Callable[[Soak, str], Awaitable[str]]] = {
    "down_at_setup": Soak.down_at_setup,
    "outage_recovery": Soak.outage_recovery,
    "auth_revoked": Soak.auth_revoked,
    "hung": Soak.hung,
    "malformed": Soak.malformed,
    "oversized": Soak.oversized,
}
assert tuple(FAULT_STEPS) == FAULTS


LOCAL_DATA_DOMAINS = frozenset({"todo"})
"""Entity domains holding local data, available while the upstream is down (the watchlist)."""


def assert_polled_entities_down(hass: HomeAssistant, entry: PandoraConfigEntry) -> None:
    """As the fault cells check an outage, but local data (the watchlist) stays available."""
    registry = er.async_get(hass)
    local = {
        reg.entity_id
        for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
        if reg.domain in LOCAL_DATA_DOMAINS
    }
    if not local:
        assert_entities_unavailable(hass, entry)
        return
    states = entity_states(hass, entry)
    down = {entity_id for entity_id, value in states.items() if value == STATE_UNAVAILABLE}
    assert down >= set(states) - local - connectivity(hass, states), (states, local)


def connectivity(hass: HomeAssistant, states: dict[str, str]) -> set[str]:
    """Connectivity sensors among ``states`` (they say ``off`` rather than unavailable)."""
    return {
        entity_id
        for entity_id in states
        if (current := hass.states.get(entity_id)) is not None
        and current.attributes.get("device_class") == BinarySensorDeviceClass.CONNECTIVITY
    }


def _write_content(folder: Path) -> None:
    """A finished download's files, where CloudCmd sees qBittorrent's save path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "video.mkv").write_bytes(b"\0" * 4096)


async def soak(duration_s: float, seed: int, scratch: Path) -> Figures:
    """Run the soak for ``duration_s`` simulated seconds; return the figures."""
    started = time.perf_counter()
    memory: dict[str, int] = {}
    clock = SimClock()
    original = PandoraCoordinator._async_update_data  # noqa: SLF001 - counted, then called

    async with running_hass(scratch / "config") as hass:
        run = Soak(hass, clock, seed, duration_s)

        async def counted(coordinator: PandoraCoordinator[Any]) -> Any:
            run.polls[coordinator.config_entry.runtime_data.kind.value] += 1
            return await original(coordinator)

        root = logging.getLogger()
        root.addHandler(run.logs)
        try:
            with (
                clock.installed(hass.loop),
                patch.object(PandoraCoordinator, "_async_update_data", counted),
            ):
                await run.start(scratch)
                memory["start"] = run.traced()
                rounds = max(1, round(duration_s / 86400))
                run.schedule(rounds)
                await run.run_until(duration_s / 2)
                memory["middle"] = run.traced()
                await run.run_until(duration_s)
                issues = run.open_issues()
                drain_start = clock.elapsed
                if not run.ledger.complete():
                    # a job that failed under a fault is retried at the next completion
                    await run.add_torrent()
                await run.run_until(duration_s + 2 * 3600, run.ledger.complete)
                drain_s = clock.elapsed - drain_start
                memory["end"] = run.traced()
                for task in list(run.tasks):
                    task.cancel()
                await asyncio.gather(*run.tasks, return_exceptions=True)
                for entry in run.entries.values():
                    await hass.config_entries.async_unload(entry.entry_id)
                await run.settle()
        finally:
            root.removeHandler(run.logs)
            for sim in run.sims.values():
                await sim.stop()
    return Figures(
        duration_s=duration_s,
        polls=run.polls,
        faults=run.faults,
        ledger=run.ledger,
        logs=run.logs,
        memory=memory,
        wall_s=time.perf_counter() - started,
        slow_settles=run.slow_settles,
        torrents=run.torrents,
        drain_s=drain_s,
        issues=issues,
    )


def report(figures: Figures, seed: int) -> list[str]:
    """The output lines; the last is the summary line."""
    hours = figures.duration_s / 3600
    lines = [
        (
            f"Soak: {hours:g} simulated hours, seed {seed}, {len(KINDS)} entries, "
            f"{figures.wall_s:.1f} s wall ({figures.slow_settles} slow settles, "
            f"drain {figures.drain_s:.0f} s)"
        )
    ]
    polls = " ".join(f"{kind}={n}" for kind, n in sorted(figures.polls.items()))
    lines.append(f"polls: {sum(figures.polls.values())} ({polls})")
    by_fault = Counter(result.fault for result in figures.faults)
    lines.append(
        f"faults: {len(figures.faults)} injected, {figures.recovered} recovered ("
        + " ".join(f"{fault}={by_fault[fault]}" for fault in FAULTS)
        + ")"
    )
    lines.extend(
        f"  NOT RECOVERED {result.kind}/{result.fault} at {result.at:.0f} s: {result.problem}"
        for result in figures.faults
        if not result.recovered
    )
    ledger = figures.ledger
    per_kind = " ".join(
        f"{kind}={sum(ledger.fired[kind].values())}/{sum(ledger.expected[kind].values())}"
        for kind in EVENTS
    )
    lines.append(f"events (fired/expected): {per_kind}; torrents {figures.torrents}")
    lines.extend(f"  WRONG {kind}: {', '.join(bad[:10])}" for kind, bad in ledger.wrong().items())
    lines.append(f"repair issues open at the end: {len(figures.issues)}")
    lines.extend(f"  ISSUE {issue}" for issue in figures.issues[:10])
    logs = figures.logs
    lines.append(
        f"unhandled: {len(logs.unhandled)}; upstream-side (simulators' servers): "
        f"{logs.upstream_side}; coordinator errors under injected faults: {logs.expected_errors}"
    )
    lines.extend(f"  UNHANDLED {line}" for line in logs.unhandled[:10])
    total = sum(logs.lines.values())
    sources = " ".join(f"{name}={n}" for name, n in logs.lines.most_common())
    lines.append(
        f"log lines at the default level (WARNING): {total}, "
        f"{total / hours:.1f} per simulated hour ({sources or 'none'})"
    )
    lines.extend(
        f"  {n:>5} {name}: {template}" for (name, template), n in logs.templates.most_common(6)
    )
    memory = figures.memory
    lines.append(
        "memory (tracemalloc): "
        + " ".join(f"{k}={memory[k] / MIB:.1f} MiB" for k in ("start", "middle", "end"))
        + f"; growth over the second half {figures.growth_pct:.2f} %"
    )
    lines.append(
        f"soak: polls={sum(figures.polls.values())} faults={len(figures.faults)} "
        f"recovered={figures.recovered} events_expected={ledger.total('expected')} "
        f"events_fired={ledger.total('fired')} unhandled={len(logs.unhandled)} "
        f"memory_growth_pct={figures.growth_pct:.2f}"
    )
    return lines


async def main(duration_s: float, seed: int) -> int:
    """Run and print."""
    with tempfile.TemporaryDirectory(prefix="pandora-soak-") as scratch:
        figures = await soak(duration_s, seed, Path(scratch))
    for line in report(figures, seed):
        print(line)
    return 0 if figures.ok() else 1


def cli() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--days", type=float, help="simulated days (default 7)")
    length.add_argument("--hours", type=float, help="simulated hours")
    parser.add_argument("--seed", type=int, default=19, help="random seed (default 19)")
    args = parser.parse_args()
    hours = args.hours if args.hours is not None else 24 * (args.days or 7)
    logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])
    tracemalloc.start()
    try:
        return asyncio.run(main(hours * 3600, args.seed))
    finally:
        tracemalloc.stop()


if __name__ == "__main__":
    sys.exit(cli())
