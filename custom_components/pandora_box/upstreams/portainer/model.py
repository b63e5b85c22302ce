"""What the Portainer coordinator holds, and how one poll reads it.

Identity.  Docker gives a container a new id whenever it is recreated (a
``docker compose pull && up``, Watchtower, Portainer's "recreate"), which is
where Home Assistant's Portainer integrations have broken for their users:
entities keyed by the id turned "unavailable" and came back as duplicates,
and commands went to an id that no longer existed.  Here a container is
identified by its environment and its *name*, and the Docker id is only
looked up from the latest poll when a command is sent.  For a compose
container the name is its compose project and service (``pandora/jellyfin``;
a scaled replica adds ``/2``): that survives a compose v1 → v2 rename of the
container, and while compose recreates a container the old one is briefly
renamed ``<short id>_<name>`` but keeps its labels, so it is the same
identity rather than a new container for one poll.  Two containers of one
identity (that moment) are resolved to the running one, then the newest.
One-off containers (``docker compose run``) carry the service's labels too,
so they are identified by their own name instead.

Stopped stacks.  Portainer stops a compose stack with ``docker compose
down``, which *removes* its containers; starting it creates new ones.  If
vanished containers lost their devices, every stop of a stack would delete
the devices, entities and history of all its services, and a start would
create them again under new entity ids.  So a container of a stack that
Portainer still knows and that is inactive is kept: it stays in the data
with ``container=None`` (state ``removed``); its state and image sensors
stay available, everything that needs a live container is unavailable.
When the stack starts again, its new containers take the same identities.
A container that vanishes otherwise (a standalone one removed, a service
dropped from an active stack, a stack deleted in Portainer) is gone: its
device is removed.  Across a restart of Home Assistant the kept containers
are rebuilt from the device registry (``seed_from_registry``).

Unreachable environments.  An environment Portainer reports down (or whose
Docker does not answer) does not fail the whole poll: its containers are
carried over from the previous poll, unavailable, and never counted as
gone.

Stats and start times.  CPU and memory are read for running containers
only, and the inspect (start time, restart count, OOM, image id) only when
a container is new, changed state, or its ``Status`` says it started again
since; all of them run concurrently, at most ``stats_concurrency`` at a
time, each call under its own ``stats_timeout``, so one slow container
costs its own numbers for one poll, never the others'.  Per poll at most
``STATS_PER_POLL`` stats and ``INSPECTS_PER_POLL`` inspects are sent: a
bigger fleet is sampled in turns (the longest unsampled first) and keeps
its previous numbers meanwhile, so a poll's cost has a fixed bound (the
pass ends within ``ceil(bound / concurrency) * timeout``).  CPU % stays
right across turns: it is the delta since that container's previous sample.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
import re
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ...api.errors import CannotConnectError, PandoraError
from ...api.portainer import (
    Container,
    ContainerDetails,
    ContainerStats,
    DiskUsage,
    DockerInfo,
    Endpoint,
    PortainerClient,
    Stack,
    Volume,
)
from ...const import DOMAIN
from .updates import ImageStatus, UpdateChecker

STATS_CONCURRENCY: Final = 6
"""Stats and inspect calls in flight at once (each is a Docker API call on the host)."""
STATS_PER_POLL: Final = 40
"""Stats calls per poll at most: a bigger fleet is sampled in turns (oldest sample first)."""
INSPECTS_PER_POLL: Final = 20
"""Inspect calls per poll at most (containers never inspected first)."""
STATS_TIMEOUT: Final = 5.0
"""Seconds one stats or inspect call may take before its container goes without."""

STATE_REMOVED: Final = "removed"
"""Our state for a container its stopped stack removed (not a Docker state)."""
CONTAINER_STATES: Final = (
    "created",
    "running",
    "paused",
    "restarting",
    "removing",
    "exited",
    "dead",
    STATE_REMOVED,
)
ACTIVE_STATES: Final = frozenset({"running", "paused", "restarting"})

_PROJECT = "com.docker.compose.project"
_SERVICE = "com.docker.compose.service"
_NUMBER = "com.docker.compose.container-number"
_ONEOFF = "com.docker.compose.oneoff"

ENDPOINT_PREFIX: Final = "endpoint_"
CONTAINER_PREFIX: Final = "container_"
STACK_PREFIX: Final = "stack_"
VOLUME_PREFIX: Final = "volume_"

HEALTH_STATES: Final = ("healthy", "unhealthy", "starting")
CONTAINER_EVENTS: Final = (
    "start",
    "die",
    "kill",
    "oom",
    "pause",
    "unpause",
    "restart",
    *(f"health_status_{health}" for health in HEALTH_STATES),
)
"""Docker's container event names the event entities fire (see ``container_events``)."""


def container_ident(container: Container) -> str:
    """The stable part of a container's identity (see the module docstring)."""
    labels = container.labels
    project, service = labels.get(_PROJECT), labels.get(_SERVICE)
    if not project or not service or labels.get(_ONEOFF, "").lower() == "true":
        return container.name
    number = labels.get(_NUMBER, "1")
    suffix = "" if number in ("", "1") else f"/{number}"
    # "/" cannot occur in a Docker name, so this never equals a standalone name.
    return f"{project}/{service}{suffix}"


def endpoint_key(endpoint_id: int) -> str:
    """Device key of an environment."""
    return f"{ENDPOINT_PREFIX}{endpoint_id}"


def container_key(endpoint_id: int, ident: str) -> str:
    """Device key of a container: environment + name, never the Docker id."""
    return f"{CONTAINER_PREFIX}{endpoint_id}_{ident}"


def stack_key(endpoint_id: int, name: str) -> str:
    """Device key of a stack: environment + stack name."""
    return f"{STACK_PREFIX}{endpoint_id}_{name}"


def volume_key(endpoint_id: int, name: str) -> str:
    """Device key of a volume: environment + volume name."""
    return f"{VOLUME_PREFIX}{endpoint_id}_{name}"


def parse_container_key(key: str) -> tuple[int, str] | None:
    """``(endpoint id, ident)`` of a container key, ``None`` if it is not one."""
    if not key.startswith(CONTAINER_PREFIX):
        return None
    endpoint, sep, ident = key.removeprefix(CONTAINER_PREFIX).partition("_")
    if not sep or not endpoint.isdigit() or not ident:
        return None
    return int(endpoint), ident


@dataclass(frozen=True, slots=True, kw_only=True)
class PortainerEndpointData:
    """One environment and whether its Docker answered this poll."""

    endpoint: Endpoint
    reachable: bool
    running: int | None
    total: int | None
    info: DockerInfo | None = None
    """Docker's ``/info`` (and API version), ``None`` while out of reach."""
    disk: DiskUsage | None = None
    """The latest ``/system/df`` (read every ``DISK_INTERVAL``, in the background)."""

    @property
    def key(self) -> str:
        """Device key."""
        return endpoint_key(self.endpoint.id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortainerVolumeData:
    """One Docker volume of an environment (from ``/system/df``)."""

    endpoint_id: int
    volume: Volume

    @property
    def key(self) -> str:
        """Device key."""
        return volume_key(self.endpoint_id, self.volume.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortainerContainerData:
    """One container, by stable identity; ``container`` is ``None`` once removed."""

    key: str
    endpoint_id: int
    name: str
    """Docker's name as last seen (the device's name)."""
    stack: str | None
    image: str | None
    container: Container | None
    """Docker's view this poll (or the last one, when not ``reachable``)."""
    reachable: bool = True
    """Whether its environment answered this poll."""
    stats: ContainerStats | None = None
    started_at: datetime | None = None
    details: ContainerDetails | None = None
    """Docker's inspect, read when the container changed (cached otherwise)."""
    update: ImageStatus | None = None
    """Whether its registry has a newer image (see ``updates.py``)."""
    events: tuple[str, ...] = ()
    """What Docker did to it since the previous poll (``container_events``)."""

    @property
    def health(self) -> str | None:
        """The health check's state, ``None`` without one (or once removed)."""
        return self.container.health if self.container is not None else None

    @property
    def reference(self) -> str | None:
        """The image reference it was created from (inspect's, else the list's)."""
        if self.details is not None and self.details.image_reference:
            return self.details.image_reference
        return self.image

    @property
    def docker_id(self) -> str | None:
        """The current (ephemeral) Docker id, for commands."""
        return self.container.id if self.container is not None else None

    @property
    def state(self) -> str | None:
        """Docker's state, ``removed`` once its stack removed it."""
        if self.container is None:
            return STATE_REMOVED
        return self.container.state if self.container.state in CONTAINER_STATES else None

    @property
    def running(self) -> bool:
        """Whether the container runs (paused and restarting count as running)."""
        return self.container is not None and self.container.state in ACTIVE_STATES


@dataclass(frozen=True, slots=True, kw_only=True)
class PortainerStackData:
    """One stack with counts of the containers Docker has for it."""

    stack: Stack
    running: int | None
    total: int | None
    updates: tuple[ImageStatus, ...] = ()
    """The image status of each of its containers that has one."""
    outdated: tuple[str, ...] = ()
    """Names of its containers whose registry has a newer image."""

    @property
    def key(self) -> str:
        """Device key."""
        return stack_key(self.stack.endpoint_id, self.stack.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortainerData:
    """Everything one poll of a Portainer entry read, keyed by device key."""

    endpoints: dict[str, PortainerEndpointData]
    containers: dict[str, PortainerContainerData]
    stacks: dict[str, PortainerStackData]
    volumes: dict[str, PortainerVolumeData] = field(default_factory=dict)
    poll: int = 0
    """Counts polls, so event entities fire each poll's events once."""

    def device_keys(self) -> set[str]:
        """Keys of every device this data describes."""
        return {*self.endpoints, *self.containers, *self.stacks, *self.volumes}


_UP = re.compile(r"Up (?P<text>.+?)(?: \([^)]*\))*$")
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}


def uptime_upper_bound(status: str | None) -> float | None:
    """At most how many seconds Docker's ``Status`` ("Up 3 hours") says it has run.

    Docker writes Go's ``HumanDuration`` (rounded; "About an hour" up to
    1.5 h); ``None`` when the status is not an "Up …" one we can read.
    """
    match = _UP.match(status or "")
    if match is None:
        return None
    text = match["text"]
    fixed = {"Less than a second": 1.0, "About a minute": 120.0, "About an hour": 5400.0}
    if text in fixed:
        return fixed[text]
    count, _, unit = text.partition(" ")
    size = _UNIT_SECONDS.get(unit.removesuffix("s"))
    if not count.isdigit() or size is None:
        return None
    if size == 3600:  # hours are rounded half up
        return (int(count) + 0.5) * size
    return (int(count) + 1) * size


class PortainerFetcher:
    """Reads one Portainer instance per poll and remembers what identity needs."""

    def __init__(self, client: PortainerClient, entry_id: str) -> None:
        """Poll ``client`` for the entry ``entry_id``."""
        self.client = client
        self.entry_id = entry_id
        self.stats_concurrency = STATS_CONCURRENCY
        self.stats_timeout = STATS_TIMEOUT
        self.stats_per_poll = STATS_PER_POLL
        self.inspects_per_poll = INSPECTS_PER_POLL
        self._sampled: dict[str, int] = {}
        self._last_stats: dict[str, ContainerStats] = {}
        self.updates = UpdateChecker()
        self._remembered: dict[str, PortainerContainerData] = {}
        # Docker id -> (state, inspect) of the last inspect.
        self._started: dict[str, tuple[str | None, ContainerDetails]] = {}
        self._info: dict[int, DockerInfo] = {}
        self.disk: dict[int, DiskUsage] = {}
        """The latest ``/system/df`` per environment (``async_read_disk``)."""
        self._poll = 0

    def seed_from_registry(self, hass: HomeAssistant) -> None:
        """Remember the containers of the entry's devices, so kept ones survive a restart."""
        prefix = f"{self.entry_id}_"
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), self.entry_id):
            for domain, identifier in device.identifiers:
                if domain != DOMAIN or not identifier.startswith(prefix):
                    continue
                key = identifier.removeprefix(prefix)
                if (parsed := parse_container_key(key)) is None:
                    continue
                endpoint_id, ident = parsed
                self._remembered[key] = PortainerContainerData(
                    key=key,
                    endpoint_id=endpoint_id,
                    name=device.name or ident,
                    stack=ident.split("/", 1)[0] if "/" in ident else None,
                    image=None,
                    container=None,
                )

    def forget_start(self, docker_id: str) -> None:
        """Inspect ``docker_id`` again next poll (after a command)."""
        self._started.pop(docker_id, None)

    async def async_fetch(self) -> PortainerData:
        """Read environments, stacks, every container, and stats of running ones."""
        endpoints = await self.client.async_endpoints(max_age=10.0)
        stacks = await self.client.async_stacks()
        listed = await asyncio.gather(*(self._containers(e) for e in endpoints))
        containers: dict[str, PortainerContainerData] = {}
        unreachable: set[int] = set()
        for endpoint, found in zip(endpoints, listed, strict=True):
            if found is None:
                unreachable.add(endpoint.id)
                continue
            containers.update(self._by_identity(endpoint.id, found, stacks))
        reachable = [e for e in endpoints if e.id not in unreachable]
        infos = await asyncio.gather(*(self._docker_info(e.id) for e in reachable))
        self._info = {e.id: i for e, i in zip(reachable, infos, strict=True) if i is not None}
        await self._read_details(containers)
        await self._check_updates(containers)
        for key, data in containers.items():
            events = container_events(self._remembered.get(key), data)
            if events:
                containers[key] = replace(data, events=events)
        self._carry_over(containers, unreachable, stacks)
        self._remembered = {k: replace(v, events=()) for k, v in containers.items()}
        self._started = {
            c.docker_id: self._started[c.docker_id]
            for c in containers.values()
            if c.docker_id is not None and c.docker_id in self._started
        }
        self._poll += 1
        return self.with_disk(
            PortainerData(
                endpoints={
                    endpoint_key(e.id): replace(
                        _endpoint_data(e, e.id not in unreachable, containers),
                        info=self._info.get(e.id) if e.id not in unreachable else None,
                    )
                    for e in endpoints
                },
                containers=containers,
                stacks={
                    stack_key(s.endpoint_id, s.name): _stack_data(s, unreachable, containers)
                    for s in stacks
                },
                poll=self._poll,
            )
        )

    def with_disk(self, data: PortainerData) -> PortainerData:
        """``data`` with the latest disk usage and the volumes it lists."""
        endpoints = {
            key: replace(e, disk=self.disk.get(e.endpoint.id)) for key, e in data.endpoints.items()
        }
        volumes: dict[str, PortainerVolumeData] = {}
        for endpoint_id, usage in self.disk.items():
            if endpoint_key(endpoint_id) not in endpoints:
                continue  # the environment is gone
            for volume in usage.volumes:
                item = PortainerVolumeData(endpoint_id=endpoint_id, volume=volume)
                volumes[item.key] = item
        return replace(data, endpoints=endpoints, volumes=volumes)

    async def async_read_disk(self, endpoint_ids: Iterable[int]) -> None:
        """Read ``/system/df`` of each environment, one at a time (it is heavy on the host).

        An environment that fails keeps its previous numbers.
        """
        for endpoint_id in endpoint_ids:
            try:
                self.disk[endpoint_id] = await self.client.async_disk_usage(endpoint_id)
            except PandoraError:
                continue

    async def _docker_info(self, endpoint_id: int) -> DockerInfo | None:
        """Docker's ``/info`` of an environment; ``None`` (for this poll) if it fails."""
        try:
            async with asyncio.timeout(self.stats_timeout):
                return await self.client.async_docker_info(endpoint_id, self._info.get(endpoint_id))
        except PandoraError, TimeoutError:
            return self._info.get(endpoint_id)

    async def _containers(self, endpoint: Endpoint) -> list[Container] | None:
        """Every container of an environment; ``None`` when its Docker is out of reach."""
        if not endpoint.status_up:
            return None
        try:
            return await self.client.async_containers(endpoint.id)
        except CannotConnectError:
            # Portainer answered the environment list, so it is this environment
            # (Portainer's proxy answers 502): the others carry on.
            return None

    def _by_identity(
        self, endpoint_id: int, found: Iterable[Container], stacks: Iterable[Stack]
    ) -> dict[str, PortainerContainerData]:
        """Key containers by identity; of two with one identity keep the running, then newest."""
        chosen: dict[str, Container] = {}
        for container in found:
            key = container_key(endpoint_id, container_ident(container))
            other = chosen.get(key)
            if other is None or _preference(container) > _preference(other):
                chosen[key] = container
        return {
            key: PortainerContainerData(
                key=key,
                endpoint_id=endpoint_id,
                name=c.name,
                stack=c.stack,
                image=c.image,
                container=c,
            )
            for key, c in chosen.items()
        }

    async def _read_details(self, containers: dict[str, PortainerContainerData]) -> None:
        """Stats of running containers and inspects where needed: bounded per poll, timed.

        At most ``stats_per_poll`` stats (the longest unsampled first) and
        ``inspects_per_poll`` inspects (containers never inspected first) are
        sent per poll, so a poll's cost does not grow with the fleet; a
        container left out this poll keeps its previous numbers.
        """
        gate = asyncio.Semaphore(self.stats_concurrency)

        async def bounded[T](call: Callable[[], Awaitable[T]]) -> T | None:
            async with gate:
                try:
                    async with asyncio.timeout(self.stats_timeout):
                        return await call()
                except PandoraError, TimeoutError:
                    # This container goes without for one poll; the rest do not wait.
                    return None

        present = [c for c in containers.values() if c.container is not None]
        now = dt_util.utcnow()

        def stale(data: PortainerContainerData) -> bool:
            assert data.container is not None
            cached = self._started.get(data.container.id)
            return cached is None or _restarted_since(cached, data.container, now)

        to_inspect = sorted(
            (c for c in present if stale(c)),
            key=lambda c: c.docker_id in self._started,  # never inspected first
        )[: self.inspects_per_poll]
        inspect_keys = {c.key for c in to_inspect}
        running = sorted(
            (c for c in present if c.running),
            key=lambda c: self._sampled.get(c.docker_id or "", -1),
        )
        sample_keys = {c.key for c in running[: self.stats_per_poll]}

        async def details(data: PortainerContainerData) -> PortainerContainerData:
            container = data.container
            assert container is not None
            cached = self._started.get(container.id)
            if data.key in sample_keys:
                self._sampled[container.id] = self._poll
                stats_call = bounded(
                    lambda: self.client.async_container_stats(data.endpoint_id, container.id)
                )
            else:
                stats_call = _value(self._last_stats.get(container.id) if data.running else None)
            if data.key not in inspect_keys:
                stats = await stats_call
                return _with(data, stats, cached[1] if cached is not None else None)
            stats, inspected = await asyncio.gather(
                stats_call,
                bounded(
                    lambda: self.client.async_container_details(data.endpoint_id, container.id)
                ),
            )
            if inspected is not None:
                self._started[container.id] = (container.state, inspected)
            elif cached is not None:
                inspected = cached[1]
            return _with(data, stats, inspected)

        for data in await asyncio.gather(*(details(c) for c in present)):
            containers[data.key] = data
        ids = {c.docker_id for c in containers.values() if c.docker_id is not None}
        self._last_stats = {
            c.docker_id: c.stats
            for c in containers.values()
            if c.docker_id is not None and c.stats is not None
        }
        self._sampled = {k: v for k, v in self._sampled.items() if k in ids}

    async def _check_updates(self, containers: dict[str, PortainerContainerData]) -> None:
        """Bounded registry checks (``updates.py``), then each container's status."""
        wanted = [
            (c.endpoint_id, c.details.image_id, reference)
            for c in containers.values()
            if c.details is not None and c.details.image_id and (reference := c.reference)
        ]
        await self.updates.async_check(self.client, wanted)
        for key, data in containers.items():
            if data.details is None:
                continue
            status = self.updates.status(data.endpoint_id, data.details.image_id, data.reference)
            if status is not None:
                containers[key] = replace(data, update=status)

    def _carry_over(
        self,
        containers: dict[str, PortainerContainerData],
        unreachable: set[int],
        stacks: Iterable[Stack],
    ) -> None:
        """Keep remembered containers of unreachable environments and of stopped stacks."""
        inactive = {(s.endpoint_id, s.name) for s in stacks if not s.active}
        for key, old in self._remembered.items():
            if key in containers:
                continue
            if old.endpoint_id in unreachable:
                containers[key] = replace(old, reachable=False, stats=None, started_at=None)
            elif old.stack is not None and (old.endpoint_id, old.stack) in inactive:
                containers[key] = replace(
                    old, container=None, reachable=True, stats=None, started_at=None
                )


def _preference(container: Container) -> tuple[bool, float]:
    """Order of two containers of one identity: running first, then the newest."""
    created = container.created.timestamp() if container.created else 0.0
    return container.state in ACTIVE_STATES, created


async def _value[T](value: T) -> T:
    """``value``, as an awaitable (a container not sampled this poll keeps its numbers)."""
    return value


def _restarted_since(
    cached: tuple[str | None, ContainerDetails], container: Container, now: datetime
) -> bool:
    """Whether the cached inspect of a container can no longer be right."""
    state, details = cached
    if state != container.state:
        return True
    started = details.started_at
    if started is None:
        return container.state in ACTIVE_STATES
    bound = uptime_upper_bound(container.status)
    # Up for less than the time since the start we know: it started again.
    return bound is not None and (now - started).total_seconds() > bound + 2


def _with(
    data: PortainerContainerData, stats: ContainerStats | None, details: ContainerDetails | None
) -> PortainerContainerData:
    """``data`` with this poll's stats and inspect."""
    return replace(
        data, stats=stats, details=details, started_at=details.started_at if details else None
    )


def container_events(
    old: PortainerContainerData | None, new: PortainerContainerData
) -> tuple[str, ...]:
    """What Docker did to a container between two polls, in Docker's event names.

    Polling sees states, not Docker's ``/events`` stream, so this names what
    the difference proves: it started (``start``; also a recreated
    container), ended (``die``, after ``kill`` for exit code 137, after
    ``oom`` when the kernel's OOM killer ended it), was paused or resumed,
    restarted (its start time or restart count moved while it ran), or its
    health check changed (``health_status_<state>``).  Events between two
    polls that cancel out (a quick restart while stopped) are not seen.
    """
    if old is None or new.container is None:
        return ()
    before = old.container.state if old.container is not None else None
    after = new.container.state
    events: list[str] = []
    running = {"running", "restarting"}
    if after in running and before not in running and before != "paused":
        events.append("start")
    elif before in (*running, "paused") and after in ("exited", "dead"):
        details = new.details
        if details is not None and details.oom_killed:
            events.append("oom")
        elif details is not None and details.exit_code == 137:
            events.append("kill")
        events.append("die")
    elif before == "running" and after == "paused":
        events.append("pause")
    elif before == "paused" and after == "running":
        events.append("unpause")
    elif before in running and after in running:
        old_details, details = old.details, new.details
        if old.docker_id != new.docker_id:
            events.append("start")
        elif (
            old_details is not None
            and details is not None
            and (
                (details.started_at or 0) != (old_details.started_at or 0)
                or (details.restart_count or 0) > (old_details.restart_count or 0)
            )
        ):
            events.append("restart")
    health = new.health
    # Docker's list hides the health while paused ("Up 2 hours (Paused)"): not a change.
    if health is not None and health != old.health and before != "paused":
        events.append(f"health_status_{health}")
    return tuple(events)


def _endpoint_data(
    endpoint: Endpoint, reachable: bool, containers: dict[str, PortainerContainerData]
) -> PortainerEndpointData:
    """An environment with its container counts (``None`` while out of reach)."""
    if not reachable:
        return PortainerEndpointData(endpoint=endpoint, reachable=False, running=None, total=None)
    present = [
        c for c in containers.values() if c.endpoint_id == endpoint.id and c.container is not None
    ]
    return PortainerEndpointData(
        endpoint=endpoint,
        reachable=True,
        running=sum(c.running for c in present),
        total=len(present),
    )


def _stack_data(
    stack: Stack, unreachable: set[int], containers: dict[str, PortainerContainerData]
) -> PortainerStackData:
    """A stack with the counts and image statuses of its containers Docker has now."""
    if stack.endpoint_id in unreachable:
        return PortainerStackData(stack=stack, running=None, total=None)
    present = [
        c
        for c in containers.values()
        if c.endpoint_id == stack.endpoint_id and c.stack == stack.name and c.container is not None
    ]
    ordered = sorted(present, key=lambda c: c.key)
    return PortainerStackData(
        stack=stack,
        running=sum(c.running for c in present),
        total=len(present),
        updates=tuple(c.update for c in ordered if c.update is not None),
        outdated=tuple(c.name for c in ordered if c.update and c.update.update_available),
    )
