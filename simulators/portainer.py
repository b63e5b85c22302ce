"""Portainer CE 2.x simulator: environments, the Docker proxy, stacks, images, updates.

Serves what ``pyportainer`` 1.0.50 sends for our client and for Home
Assistant core's ``portainer`` integration (so ``benchmarks/portainer_poll.py``
runs both against it), the way Portainer and the Docker Engine behind it
answer (a simulated Docker 29.1, API 1.52):

* ``GET /api/status`` and ``GET /api/system/status`` (public) →
  ``{"Version", "InstanceID", "DemoEnvironment"}``; ``GET /api/system/version``
  (authenticated).
* ``X-API-Key`` auth on everything else (header, or an ``X-API-Key`` query
  parameter of any case: ``bouncer.go`` ``extractAPIKey``), as Portainer
  2.23's bouncer answers (``api/http/security/bouncer.go``
  ``mwAuthenticateFirst``, L300-334; the body is libhttp's ``WriteError``,
  ``pkg/libhttp/error/error.go`` L59, ``{"message", "details"}`` with the
  capitalised ``httperrors.ErrUnauthorized``, "Unauthorized"):
  no key → 401 ``{"message": "A valid authorization token is missing",
  "details": "Unauthorized"}`` (L320); a wrong key → ``apiKeyLookup``
  returns ``ErrInvalidKey`` (L421-423) and every lookup error is answered 401
  ``{"message": "Invalid JWT token", "details": "Unauthorized"}`` (L307), the
  same text for a bad API key as for a bad JWT.
* ``GET /api/endpoints`` (``X-Total-Count`` header), ``GET /api/endpoints/{id}``.
* The Docker proxy under ``/api/endpoints/{id}/docker/``:
  ``GET containers/json`` (``all``, ``filters`` with ``label``, ``status``,
  ``name``, ``id``), ``POST containers/{id}/start|stop|restart|pause|unpause``
  (204; 304 when already in that state), ``GET containers/{id}/stats``
  (``stream``, ``one-shot``: with one-shot ``precpu_stats`` is empty, as on
  Docker) in the cgroup v2 shape (v1 on request), ``GET containers/{id}/json``
  (inspect: ``State`` with ``StartedAt``, ``Config``); unknown container → 404
  ``{"message": "No such container: …"}``; a down environment → 502.
* Docker's system, image and volume routes under the same proxy, as the
  Engine API v1.52 reference (docs.docker.com/reference/api/engine/version/v1.52)
  describes them and moby's routers answer: ``GET info`` (``Containers*``,
  ``Images``, ``ServerVersion``, ``KernelVersion``, ``OperatingSystem``,
  ``OSType``, ``OSVersion``, ``Architecture``, ``NCPU``, ``MemTotal``,
  ``Swarm``), ``GET version`` (``ApiVersion``), ``GET system/df`` (API 1.52's
  ``ImageUsage``/``ContainerUsage``/``VolumeUsage``/``BuildCacheUsage`` with
  ``Items`` when ``verbose``; ``legacy_df`` gives the older ``LayersSize``,
  ``Images``, ``Containers``, ``Volumes`` lists), ``GET volumes``
  (``{"Volumes", "Warnings"}``), ``POST volumes/prune`` (anonymous volumes
  only unless ``filters`` ``all``, Docker 23+) and ``POST images/prune``
  (``filters`` ``dangling``, ``until``; ``{"ImagesDeleted",
  "SpaceReclaimed"}``), ``GET images/{name}/json`` (image inspect: ``Id``,
  ``RepoTags`` and every ``RepoDigests`` entry), ``GET
  distribution/{name}/json`` (what the registry has now: ``Descriptor``
  ``digest``; 403 "pull access denied …" for a repository the registry
  refuses, which pyportainer's ``container_image_status`` treats as "nothing
  to compare"), ``POST images/create?fromImage=…`` (the JSON-lines pull
  progress, ``Pulling fs layer`` / ``Downloading`` with ``progressDetail`` /
  ``Pull complete``; an unknown repository is a 404 before the stream, a
  failure during it an ``error`` line inside the 200 answer), ``POST
  containers/{id}/kill`` (409 when not running; exit code 137), and ``GET
  events`` (a stream that stays open; changes are seen by polling).  The
  container list's ``Status`` carries the health check's state (``Up 2 hours
  (healthy)``, ``(health: starting)``, ``(unhealthy)``; hidden while paused),
  and ``ImageID`` the image the container runs; inspect adds ``RestartCount``,
  ``State.OOMKilled``, ``State.Health``, ``HostConfig`` and ``Config.Env``.
* Portainer's own recreate, ``POST /api/docker/{env}/containers/{id}/recreate``
  with ``{"PullImage"}`` (``api/http/handler/docker/containers/recreate.go``;
  the work is ``api/docker/container.go`` ``Recreate``): pull when asked (a
  failed pull changes nothing: 500 "Error recreating container"), stop,
  rename ``-old``, create from the old configuration, reconnect, start,
  remove the old one; ``fail_recreate`` makes it fail after the stop, and as
  Portainer's ``serviceRestore`` it then renames the old container back and
  starts it again.  A non-admin is refused with ``bouncer``'s 403
  "Permission denied to force update service" (``AuthorizedEndpointOperation``).
* ``GET /api/stacks/{id}/file`` (``{"StackFileContent"}``) and the stack
  update ``PUT /api/stacks/{id}?endpointId=N`` (``stack_update.go``;
  ``StackFileContent``, ``Env``, ``Prune``, ``PullImage`` or 2.36's
  ``RepullImageAndRedeploy``): pulls every image when asked and recreates
  the containers whose image changed, as ``docker compose up`` does; a
  non-admin gets the stack-management 403 below.
* ``GET /api/stacks`` (``filters`` ``{"EndpointID", "SwarmID"}``),
  ``GET /api/stacks/{id}``, ``POST /api/stacks/{id}/start|stop?endpointId=N``
  → the stack (200); already so → 400 "Stack is already active/inactive".
  Like Portainer, stopping a compose stack runs ``docker compose down``: its
  containers are removed, and starting it creates them again with new ids
  (``stop_removes_containers=False`` keeps them, stopped, instead).

A key of a user who is not an administrator: ``deny()`` (``POST
/_sim/denied``) refuses, after the key check, what Portainer 2.23 refuses
such a user: stack start/stop with 403 ``{"message": "stack management is
disabled for non-admin users", "details": "Stack management is disabled for
non-admin users"}`` (``api/http/handler/stacks/stack_start.go`` L79,
``stack_stop.go`` L90; the body is ``pkg/libhttp/error`` ``writeErrorResponse``),
and container actions with 403 ``{"message": "access denied to resource"}``
(the Docker proxy's ``RewriteAccessDeniedResponse``,
``api/http/proxy/factory/utils/response.go`` L73, for a container without an
access the user holds, ``docker/access_control.go`` L187); any other denied
path answers the bouncer's 403 ``{"message": "Access denied", "details":
"Unauthorized"}`` (``api/http/security/bouncer.go`` L232, admin-only routes).
Listing stays open (Portainer filters lists instead of refusing them).

Stats are deterministic but move with every read (CPU and memory follow a
fixed pattern per container); ``set_stats`` pins exact numbers for tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field, replace
import hashlib
import json
from pathlib import Path
import re
import time
from typing import Any, ClassVar, Self
import uuid

from aiohttp import web

from .base import Handler, Simulator

DEFAULT_API_KEY = "ptr_p8Vd3kq0ZrW1s6yJxN2bTfL9mAhC4eGuQ7oRiS5vKwE="
DEFAULT_INSTANCE_ID = "6f1c3b2e-8a4d-4e7f-9b0a-2d5c7e9f1a3b"
DEFAULT_VERSION = "2.27.6"
DOCKER_VERSION = "29.1.3"
DOCKER_API_VERSION = "1.52"
KERNEL_VERSION = "6.12.57+deb13-amd64"
COMPOSE_VERSION = "2.32.4"

HOST_MEMORY = 8_232_525_824
"""Bytes of memory on the simulated host: Docker's ``limit`` without a container limit."""
ONLINE_CPUS = 4
SAMPLE_SECONDS = 10
"""Seconds between two natural stats samples (the coordinator's poll, say)."""
_NS = 1_000_000_000
_LOAD_PATTERN = (1.0, 1.35, 0.7, 1.15, 0.85, 1.2)
_MEMORY_PATTERN = (1.0, 1.04, 0.97, 1.08, 1.01, 0.95)

ENDPOINT_DOCKER = 1
ENDPOINT_AGENT = 2
STACK_SWARM = 1
STACK_COMPOSE = 2
STATUS_UP = 1
STATUS_DOWN = 2
STACK_ACTIVE = 1
STACK_INACTIVE = 2

_NO_TOKEN = {"message": "A valid authorization token is missing", "details": "Unauthorized"}
_BAD_TOKEN = {"message": "Invalid JWT token", "details": "Unauthorized"}
_ZERO_DATE = "0001-01-01T00:00:00Z"
_ANY_IPV4 = "0.0.0.0"  # noqa: S104 - how Docker lists a published port, nothing binds here


@dataclass(slots=True)
class SimEndpoint:
    """A Portainer environment."""

    id: int
    name: str
    type: int = ENDPOINT_DOCKER
    url: str = "unix:///var/run/docker.sock"
    up: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSpec:
    """What a container is made from (a compose service or a ``docker run``)."""

    name: str
    image: str
    command: str = "/init"
    ports: tuple[tuple[int, int], ...] = ()
    """(container port, host port) pairs, TCP."""
    volumes: tuple[tuple[str, str], ...] = ()
    """(host path, container path) bind mounts."""
    stack: str | None = None
    """Compose project name; ``None`` for a standalone container."""
    endpoint_id: int = 1
    running: bool = True
    memory_mib: int = 128
    """Typical memory use (before page cache) while running."""
    cpu_load: float = 0.05
    """Typical CPU use while running, in cores."""
    healthcheck: bool = False
    """Whether the image has a ``HEALTHCHECK`` (``Status`` then says its state)."""
    labels: tuple[tuple[str, str], ...] = ()
    """Extra labels (the image's OCI labels end up on the container too)."""
    env: tuple[str, ...] = ("TZ=Europe/Berlin",)
    restart_policy: str = "unless-stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class PinnedStats:
    """Exact numbers the stats route answers for one container (see ``set_stats``)."""

    cpu_total: int
    system_cpu: int
    online_cpus: int = ONLINE_CPUS
    memory_usage: int = 0
    memory_limit: int = HOST_MEMORY
    inactive_file: int = 0
    cache: int = 0
    cgroup: int = 2


@dataclass(slots=True)
class SimContainer:
    """A container's live state."""

    id: str
    spec: ServiceSpec
    created: int
    state: str
    started_at: float
    finished_at: float
    exit_code: int = 0
    samples: int = 0
    cpu_total: int = 0
    system_cpu: int = 0
    previous: tuple[int, int] = (0, 0)
    """(cpu_total, system_cpu) of the previous sample, for ``one-shot=false``."""
    pinned: PinnedStats | None = None
    image_id: str = ""
    """The local image it runs (``sha256:…``)."""
    health: str | None = None
    """``healthy``, ``unhealthy`` or ``starting`` when the image has a health check."""
    oom_killed: bool = False
    restart_count: int = 0
    extra_networks: tuple[str, ...] = ()
    """Networks connected after creation (kept by a recreate)."""


@dataclass(slots=True)
class SimImage:
    """A local image of the Docker host."""

    id: str
    repo_tags: list[str]
    repo_digests: list[str]
    created: float
    size: int = 80_000_000


@dataclass(slots=True)
class SimVolume:
    """A Docker volume."""

    name: str
    endpoint_id: int = 1
    driver: str = "local"
    size: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    created: float = 0.0


@dataclass(slots=True)
class SimStack:
    """A Portainer stack and the services it deploys."""

    id: int
    name: str
    endpoint_id: int = 1
    type: int = STACK_COMPOSE
    active: bool = True
    created: int = 0
    services: list[ServiceSpec] = field(default_factory=list)


def media_stack() -> list[ServiceSpec]:
    """The default containers: the Pandora media stack and one stopped standalone."""
    return [
        ServiceSpec(
            name="qbittorrent",
            image="lscr.io/linuxserver/qbittorrent:5.0.4",
            ports=((8080, 8080), (6881, 6881)),
            volumes=(("/srv/pandora/config/qbittorrent", "/config"), ("/srv/media", "/media")),
            stack="pandora",
            memory_mib=310,
            cpu_load=0.18,
            labels=(
                ("org.opencontainers.image.version", "5.0.4-r0-ls381"),
                ("org.opencontainers.image.created", "2025-03-01T06:34:12+00:00"),
            ),
        ),
        ServiceSpec(
            name="jackett",
            image="lscr.io/linuxserver/jackett:0.22.1512",
            ports=((9117, 9117),),
            volumes=(("/srv/pandora/config/jackett", "/config"),),
            stack="pandora",
            memory_mib=145,
            cpu_load=0.02,
        ),
        ServiceSpec(
            name="jellyfin",
            image="jellyfin/jellyfin:10.10.7",
            command="/jellyfin/jellyfin",
            ports=((8096, 8096),),
            volumes=(
                ("/srv/pandora/config/jellyfin", "/config"),
                ("/srv/media", "/media"),
                ("pandora_jellyfin-cache", "/cache"),
            ),
            stack="pandora",
            memory_mib=620,
            cpu_load=0.35,
            healthcheck=True,
            labels=(("org.opencontainers.image.version", "10.10.7"),),
        ),
        ServiceSpec(
            name="cloudcmd",
            image="coderaiser/cloudcmd:18.8.11",
            command="cloudcmd",
            ports=((8000, 8000),),
            volumes=(("/srv/media", "/media"),),
            stack="pandora",
            memory_mib=75,
            cpu_load=0.01,
        ),
        ServiceSpec(
            name="watchtower",
            image="containrrr/watchtower:1.7.1",
            command="/watchtower",
            running=False,
            memory_mib=20,
            cpu_load=0.0,
        ),
    ]


def repository_of(reference: str) -> str:
    """The repository of an image reference (``lscr.io/x/y:1.0`` → ``lscr.io/x/y``)."""
    name = reference.partition("@")[0]
    head, sep, tail = name.rpartition("/")
    if ":" in tail:
        tail = tail.partition(":")[0]
    return f"{head}{sep}{tail}"


def human_duration(seconds: float) -> str:
    """Docker's ``HumanDuration``: how ``Status`` says how long ago something was."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(s / 3600 + 0.5)  # Go's HumanDuration rounds half up
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def _hex(*parts: object) -> str:
    """A 64-hex-digit id derived from ``parts`` (Docker ids look like this)."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


class PortainerSimulator(Simulator):
    """A stateful Portainer with one Docker environment running a media stack."""

    kind: ClassVar[str] = "portainer"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    @classmethod
    def for_demo(cls, *, root: Path, secret: str) -> Self:
        """A demo Portainer with a random instance id, so two demo runs are two servers."""
        return cls(api_key=f"ptr_{secret}", instance_id=str(uuid.uuid4()))

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        instance_id: str = DEFAULT_INSTANCE_ID,
        version: str = DEFAULT_VERSION,
        endpoints: Sequence[SimEndpoint] | None = None,
        containers: Sequence[ServiceSpec] | None = None,
        stacks: Sequence[str] | None = None,
        with_down_endpoint: bool = False,
        stop_removes_containers: bool = True,
        legacy_status_only: bool = False,
        docker_one_shot: bool = True,
        extra_containers: int = 0,
        legacy_df: bool = False,
    ) -> None:
        """Build the state; ``stacks`` names the compose projects Portainer manages.

        ``stacks`` defaults to every compose project among ``containers``;
        ``with_down_endpoint`` adds an agent environment (Id 2, "nas") that is
        down; ``legacy_status_only`` drops ``/api/system/*`` (Portainer before
        those routes had only ``/api/status``); ``docker_one_shot=False`` is a
        Docker older than API 1.41, which ignores ``one-shot`` and always fills
        ``precpu_stats``; ``extra_containers`` adds that many standalone
        containers (every third one stopped) for fleet-sized tests;
        ``legacy_df`` answers ``/system/df`` as Docker before API 1.52 did.
        """
        super().__init__()
        self.legacy_df = legacy_df
        self.registry: dict[str, str] = {}
        """Reference → the digest its registry has now (``publish_image`` moves it)."""
        self.images: dict[str, SimImage] = {}
        self.volumes: dict[tuple[int, str], SimVolume] = {}
        self.fail_recreate: str | None = None
        """Set to make the next recreate fail after the old container was renamed."""
        self.fail_pull: str | None = None
        """Set to make pulls fail part-way with this error line."""
        self.api_key = api_key
        self.instance_id = instance_id
        self.version = version
        self.stop_removes_containers = stop_removes_containers
        self.legacy_status_only = legacy_status_only
        self.docker_one_shot = docker_one_shot
        self.endpoints: dict[int, SimEndpoint] = {
            e.id: replace(e) for e in (endpoints or [SimEndpoint(1, "local")])
        }
        if with_down_endpoint:
            self.endpoints[2] = SimEndpoint(
                2, "nas", type=ENDPOINT_AGENT, url="tcp://192.168.1.20:9001", up=False
            )
        self._generation = 0
        now = time.time()
        self.containers: list[SimContainer] = []
        specs = list(media_stack() if containers is None else containers)
        specs += [
            ServiceSpec(
                name=f"worker-{i:04d}",
                image="busybox:1.37",
                command="sleep infinity",
                running=i % 3 != 0,
                memory_mib=4,
                cpu_load=0.001,
            )
            for i in range(extra_containers)
        ]
        for age, spec in enumerate(specs, start=1):
            self._create(spec, created=now - 86400 * 3 - age * 60, started=now - 3600 * 5)
        for spec in specs:
            for host, _target in spec.volumes:
                if not host.startswith("/"):
                    self._volume(host, spec)
        for name, size in (("portainer_data", 3_145_728), ("pandora_jellyfin-cache", 734_003_200)):
            self.volumes[(1, name)] = SimVolume(
                name,
                size=size,
                created=now - 86400 * 30,
                labels={"com.docker.compose.project": "pandora"}
                if name.startswith("pandora")
                else {},
            )
        orphan = _hex("anonymous volume")
        self.volumes[(1, orphan)] = SimVolume(
            orphan,
            size=12_582_912,
            created=now - 86400 * 9,
            labels={"com.docker.volume.anonymous": ""},
        )
        names = list(dict.fromkeys(s.stack for s in specs if s.stack)) if stacks is None else stacks
        self.stacks: dict[int, SimStack] = {}
        for stack_id, name in enumerate(names, start=1):
            services = [s for s in specs if s.stack == name]
            endpoint_id = services[0].endpoint_id if services else 1
            self.stacks[stack_id] = SimStack(
                stack_id,
                name,
                endpoint_id=endpoint_id,
                active=any(s.running for s in services) or not services,
                created=int(now) - 86400 * 3,
                services=services,
            )

    # -- test helpers ----------------------------------------------------------------

    def container(self, name: str, endpoint_id: int = 1) -> SimContainer:
        """Return the container called ``name`` (``KeyError`` if there is none)."""
        for c in self.containers:
            if c.spec.name == name and c.spec.endpoint_id == endpoint_id:
                return c
        raise KeyError(name)

    def has_container(self, name: str, endpoint_id: int = 1) -> bool:
        """Return whether a container called ``name`` exists."""
        return any(
            c.spec.name == name and c.spec.endpoint_id == endpoint_id for c in self.containers
        )

    def recreate_container(self, name: str, endpoint_id: int = 1) -> str:
        """Replace a container by a new one of the same name, as ``docker compose up`` does.

        Returns the new id; the new container runs.
        """
        old = self.container(name, endpoint_id)
        self.containers.remove(old)
        now = time.time()
        return self._create(replace(old.spec, running=True), created=now, started=now).id

    def add_container(self, spec: ServiceSpec) -> SimContainer:
        """Create a container from ``spec`` now (``docker run``, or a new compose service)."""
        now = time.time()
        stack = next(
            (
                st
                for st in self.stacks.values()
                if st.name == spec.stack and st.endpoint_id == spec.endpoint_id
            ),
            None,
        )
        if stack is not None and spec.name not in {sv.name for sv in stack.services}:
            stack.services.append(spec)
        for host, _target in spec.volumes:
            if not host.startswith("/"):
                self._volume(host, spec)  # docker creates a named volume on first use
        return self._create(spec, created=now, started=now)

    def remove_container(self, name: str, endpoint_id: int = 1) -> None:
        """Remove a container (``docker rm -f``); its stack, if any, keeps the service."""
        self.containers.remove(self.container(name, endpoint_id))

    def add_stack(self, name: str, services: Sequence[ServiceSpec], endpoint_id: int = 1) -> int:
        """Deploy a new compose stack with ``services`` (all running); returns its id."""
        stack_id = max(self.stacks, default=0) + 1
        specs = [replace(sv, stack=name, endpoint_id=endpoint_id) for sv in services]
        self.stacks[stack_id] = SimStack(
            stack_id, name, endpoint_id=endpoint_id, created=int(time.time()), services=specs
        )
        for spec in specs:
            self.add_container(spec)
        return stack_id

    def set_endpoint_up(self, endpoint_id: int, up: bool = True) -> None:
        """Mark an environment up (Status 1) or down (Status 2, its proxy answers 502)."""
        self.endpoints[endpoint_id].up = up

    def publish_image(self, reference: str) -> str:
        """Push a new image for ``reference`` to its registry; returns the new digest."""
        self._generation += 1
        digest = f"sha256:{_hex('digest', reference, self._generation)}"
        self.registry[reference] = digest
        return digest

    def set_stats(self, name: str, endpoint_id: int = 1, **values: Any) -> None:
        """Pin what the stats route answers for ``name`` (see ``PinnedStats``)."""
        self.container(name, endpoint_id).pinned = PinnedStats(**values)

    # -- state changes ---------------------------------------------------------------

    def _local_image(self, reference: str) -> SimImage:
        """The local image ``reference`` names, pulled (as it was at the start) if missing."""
        for image in self.images.values():
            if reference in image.repo_tags:
                return image
        digest = self.registry.setdefault(reference, f"sha256:{_hex('digest', reference)}")
        image = SimImage(
            id=f"sha256:{_hex('image', reference, digest)}",
            repo_tags=[reference],
            repo_digests=[f"{repository_of(reference)}@{digest}"],
            created=time.time() - 86400 * 20,
        )
        self.images[image.id] = image
        return image

    def _volume(self, name: str, spec: ServiceSpec) -> SimVolume:
        key = (spec.endpoint_id, name)
        if key not in self.volumes:
            self.volumes[key] = SimVolume(
                name, endpoint_id=spec.endpoint_id, size=50_000_000, created=time.time()
            )
        return self.volumes[key]

    def _create(self, spec: ServiceSpec, *, created: float, started: float) -> SimContainer:
        self._generation += 1
        container = SimContainer(
            id=_hex(self.instance_id, spec.endpoint_id, spec.name, self._generation),
            spec=spec,
            created=int(created),
            state="running" if spec.running else "exited",
            started_at=started,
            finished_at=started + 60 if not spec.running else 0.0,
            system_cpu=1_000_000 * _NS + self._generation * 7 * _NS,
            cpu_total=int(spec.cpu_load * 3600 * _NS),
            image_id=self._local_image(spec.image).id,
            health="healthy" if spec.healthcheck and spec.running else None,
        )
        self.containers.append(container)
        return container

    def _start(self, c: SimContainer) -> None:
        c.state = "running"
        c.started_at = time.time()
        c.oom_killed = False
        if c.spec.healthcheck:
            c.health = "starting"

    def _stop(self, c: SimContainer, exit_code: int = 0) -> None:
        c.state = "exited"
        c.exit_code = exit_code
        c.finished_at = time.time()
        c.health = None if c.spec.healthcheck else c.health

    def crash_and_restart(self, name: str, endpoint_id: int = 1) -> None:
        """The restart policy brings a crashed container back (``RestartCount`` + 1)."""
        c = self.container(name, endpoint_id)
        c.restart_count += 1
        self._start(c)

    def kill_by_oom(self, name: str, endpoint_id: int = 1) -> None:
        """The kernel's OOM killer ends the container (exit 137, ``OOMKilled``)."""
        c = self.container(name, endpoint_id)
        self._stop(c, exit_code=137)
        c.oom_killed = True

    # -- routes ----------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        """Add Portainer's routes and the Docker proxy's."""
        r = app.router
        guard = self._protected
        r.add_get("/api/status", self._status)
        if not self.legacy_status_only:
            r.add_get("/api/system/status", self._status)
            r.add_get("/api/system/version", guard(self._system_version))
        r.add_get("/api/endpoints", guard(self._endpoints))
        r.add_get(r"/api/endpoints/{eid:\d+}", guard(self._endpoint))
        docker = r"/api/endpoints/{eid:\d+}/docker"
        r.add_get(f"{docker}/containers/json", guard(self._containers))
        r.add_get(f"{docker}/containers/{{cid}}/stats", guard(self._stats))
        r.add_get(f"{docker}/containers/{{cid}}/json", guard(self._inspect))
        r.add_post(
            f"{docker}/containers/{{cid}}/{{action:start|stop|restart|pause|unpause|kill}}",
            guard(self._container_action),
        )
        r.add_get(f"{docker}/info", guard(self._info))
        r.add_get(f"{docker}/version", guard(self._version))
        r.add_get(f"{docker}/system/df", guard(self._system_df))
        r.add_get(f"{docker}/volumes", guard(self._volumes))
        r.add_post(f"{docker}/volumes/prune", guard(self._prune_volumes))
        r.add_post(f"{docker}/images/prune", guard(self._prune_images))
        r.add_post(f"{docker}/images/create", guard(self._pull))
        r.add_get(f"{docker}/images/{{name:.+}}/json", guard(self._image_inspect))
        r.add_get(f"{docker}/distribution/{{name:.+}}/json", guard(self._distribution))
        r.add_get(f"{docker}/events", guard(self._events))
        r.add_post(r"/api/docker/{eid:\d+}/containers/{cid}/recreate", guard(self._recreate))
        r.add_get("/api/stacks", guard(self._stacks))
        r.add_get(r"/api/stacks/{sid:\d+}", guard(self._stack))
        r.add_put(r"/api/stacks/{sid:\d+}", guard(self._stack_update))
        r.add_get(r"/api/stacks/{sid:\d+}/file", guard(self._stack_file))
        r.add_post(r"/api/stacks/{sid:\d+}/{action:start|stop}", guard(self._stack_action))

    # Portainer's own answers

    @staticmethod
    def _error(status: int, message: str, details: str | None = None) -> web.Response:
        return web.json_response({"message": message, "details": details or message}, status=status)

    restricted: ClassVar[tuple[str, ...]] = (
        r"/api/stacks/\d+/(start|stop)$",
        r"/api/stacks/\d+$",  # PUT: the stack update (GET stays open, see denied_response)
        r"/api/endpoints/\d+/docker/containers/[^/]+/(start|stop|restart|pause|unpause|kill)$",
        r"/api/docker/\d+/containers/[^/]+/recreate$",
        r"/api/endpoints/\d+/docker/(images|volumes)/prune$",
    )

    def refusal(self, request: web.Request) -> web.StreamResponse | None:
        """Only a stack's update (PUT) is refused on ``/api/stacks/{id}``, not reading it."""
        if request.method == "GET" and re.fullmatch(r"/api/stacks/\d+", request.path):
            return None
        return super().refusal(request)

    def denied_response(self, request: web.Request) -> web.Response:
        """What Portainer answers a user who is not an administrator (module docstring)."""
        if request.path.startswith("/api/docker/"):
            return self._error(403, "Permission denied to force update service", "Access denied")
        if request.path.startswith("/api/stacks/"):
            return self._error(
                403,
                "stack management is disabled for non-admin users",
                "Stack management is disabled for non-admin users",
            )
        if "/docker/" in request.path:
            return web.json_response({"message": "access denied to resource"}, status=403)
        return self._error(403, "Access denied", "Unauthorized")

    def _protected(self, handler: Handler) -> Handler:
        """Portainer's bouncer: ``handler`` answers 401 unless ``X-API-Key`` is the key."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            key = request.headers.get("X-API-Key") or next(
                (v for k, v in request.query.items() if k.lower() == "x-api-key"), ""
            )
            if not key:
                return web.json_response(_NO_TOKEN, status=401)
            if key != self.api_key:
                return web.json_response(_BAD_TOKEN, status=401)
            if (refused := self.refusal(request)) is not None:
                return refused
            return await handler(request)

        return guarded

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "Version": self.version,
                "InstanceID": self.instance_id,
                "DemoEnvironment": {"enabled": False, "users": None, "environments": None},
            }
        )

    async def _system_version(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "UpdateAvailable": False,
                "LatestVersion": "",
                "ServerVersion": self.version,
                "ServerEdition": "CE",
                "VersionSupport": "STS",
                "DatabaseVersion": self.version,
                "Build": {
                    "BuildNumber": "1",
                    "ImageTag": self.version,
                    "GitCommit": _hex("portainer", self.version)[:7],
                    "GoVersion": "go1.23.7",
                },
                "Dependencies": {
                    "DockerVersion": f"v{DOCKER_VERSION}",
                    "ComposeVersion": f"v{COMPOSE_VERSION}",
                    "HelmVersion": "v3.17.1",
                    "KubectlVersion": "v1.32.2",
                },
            }
        )

    def _endpoint_json(self, e: SimEndpoint) -> dict[str, Any]:
        on = [c for c in self.containers if c.spec.endpoint_id == e.id]
        running = sum(c.state == "running" for c in on)
        snapshot = {
            "Time": int(time.time()),
            "DockerVersion": DOCKER_VERSION,
            "Swarm": False,
            "TotalCPU": ONLINE_CPUS,
            "TotalMemory": HOST_MEMORY,
            "ContainerCount": len(on),
            "RunningContainerCount": running,
            "StoppedContainerCount": len(on) - running,
            "HealthyContainerCount": 0,
            "UnhealthyContainerCount": 0,
            "VolumeCount": 3,
            "ImageCount": len({c.spec.image for c in on}),
            "ServiceCount": 0,
            "StackCount": sum(s.endpoint_id == e.id for s in self.stacks.values()),
            "NodeCount": 1,
            "GpuUseAll": False,
            "GpuUseList": [],
            "IsPodman": False,
        }
        return {
            "Id": e.id,
            "Name": e.name,
            "Type": e.type,
            "ContainerEngine": "docker",
            "URL": e.url,
            "GroupId": 1,
            "PublicURL": "",
            "Gpus": [],
            "TLSConfig": {"TLS": False, "TLSSkipVerify": False},
            "AzureCredentials": {"ApplicationID": "", "TenantID": "", "AuthenticationKey": ""},
            "TagIds": [],
            "Status": STATUS_UP if e.up else STATUS_DOWN,
            "Snapshots": [snapshot] if e.up else [],
            "UserAccessPolicies": {},
            "TeamAccessPolicies": {},
            "EdgeID": "",
            "EdgeKey": "",
            "EdgeCheckinInterval": 0,
            "Kubernetes": {"Snapshots": [], "Configuration": {}, "Flags": {}},
            "ComposeSyntaxMaxVersion": "",
            "SecuritySettings": {
                "allowBindMountsForRegularUsers": True,
                "allowPrivilegedModeForRegularUsers": True,
                "allowVolumeBrowserForRegularUsers": False,
                "allowHostNamespaceForRegularUsers": True,
                "allowDeviceMappingForRegularUsers": True,
                "allowStackManagementForRegularUsers": True,
                "allowContainerCapabilitiesForRegularUsers": True,
                "allowSysctlSettingForRegularUsers": True,
                "enableHostManagementFeatures": False,
            },
            "LastCheckInDate": 0,
            "QueryDate": 0,
            "Heartbeat": False,
            "UserTrusted": False,
            "Edge": {"AsyncMode": False, "PingInterval": 0, "SnapshotInterval": 0},
            "Agent": {"Version": DEFAULT_VERSION if e.type == ENDPOINT_AGENT else ""},
            "EnableGPUManagement": False,
            "IsEdgeDevice": False,
        }

    async def _endpoints(self, request: web.Request) -> web.Response:
        body = [self._endpoint_json(e) for e in sorted(self.endpoints.values(), key=lambda e: e.id)]
        return web.json_response(body, headers={"X-Total-Count": str(len(body))})

    def _find_endpoint(self, request: web.Request) -> SimEndpoint | web.Response:
        endpoint = self.endpoints.get(int(request.match_info["eid"]))
        if endpoint is None:
            return self._error(
                404,
                "Unable to find an environment with the specified identifier inside the database",
                "object not found inside the database",
            )
        return endpoint

    async def _endpoint(self, request: web.Request) -> web.Response:
        endpoint = self._find_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        return web.json_response(self._endpoint_json(endpoint))

    # The Docker proxy

    def _docker_endpoint(self, request: web.Request) -> SimEndpoint | web.Response:
        """The environment, and whether its Docker answers at all."""
        endpoint = self._find_endpoint(request)
        if isinstance(endpoint, SimEndpoint) and not endpoint.up:
            # Portainer's reverse proxy cannot reach the environment's Docker.
            return web.Response(status=502)
        return endpoint

    @staticmethod
    def _docker_json(body: Any, status: int = 200) -> web.Response:
        return web.json_response(
            body,
            status=status,
            headers={
                "Api-Version": DOCKER_API_VERSION,
                "Docker-Experimental": "false",
                "Ostype": "linux",
                "Server": f"Docker/{DOCKER_VERSION} (linux)",
            },
        )

    def _docker_empty(self, status: int) -> web.Response:
        return web.Response(
            status=status,
            headers={
                "Api-Version": DOCKER_API_VERSION,
                "Server": f"Docker/{DOCKER_VERSION} (linux)",
            },
        )

    def _find_container(self, endpoint_id: int, ref: str) -> SimContainer | web.Response:
        """Docker's look-up: full id, name, or an unambiguous id prefix."""
        on = [c for c in self.containers if c.spec.endpoint_id == endpoint_id]
        for c in on:
            if ref in (c.id, c.spec.name, f"/{c.spec.name}"):
                return c
        matches = [c for c in on if ref and c.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        return self._docker_json({"message": f"No such container: {ref}"}, status=404)

    def _status_text(self, c: SimContainer) -> str:
        now = time.time()
        if c.state == "running":
            # Docker's list shows the health check's state (container/state.go String()).
            health = {"starting": " (health: starting)", "healthy": " (healthy)"}.get(
                c.health or "", " (unhealthy)" if c.health == "unhealthy" else ""
            )
            return f"Up {human_duration(now - c.started_at)}{health}"
        if c.state == "paused":
            return f"Up {human_duration(now - c.started_at)} (Paused)"
        if c.state == "created":
            return "Created"
        return f"Exited ({c.exit_code}) {human_duration(now - c.finished_at)} ago"

    def _labels(self, c: SimContainer) -> dict[str, str]:
        spec = c.spec
        labels = {"org.opencontainers.image.title": spec.name, **dict(spec.labels)}
        if spec.stack is None:
            return labels
        stack = next((s for s in self.stacks.values() if s.name == spec.stack), None)
        workdir = f"/data/compose/{stack.id if stack else 0}"
        return labels | {
            "com.docker.compose.config-hash": _hex(spec),
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "",
            "com.docker.compose.image": f"sha256:{_hex(spec.image)}",
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": spec.stack,
            "com.docker.compose.project.config_files": f"{workdir}/docker-compose.yml",
            "com.docker.compose.project.working_dir": workdir,
            "com.docker.compose.service": spec.name,
            "com.docker.compose.version": COMPOSE_VERSION,
        }

    def _container_json(self, c: SimContainer, index: int) -> dict[str, Any]:
        spec = c.spec
        running = c.state in ("running", "paused")
        network = f"{spec.stack}_default" if spec.stack else "bridge"
        ports: list[dict[str, Any]] = []
        for private, public in spec.ports:
            if running:
                ports.append(
                    {"IP": _ANY_IPV4, "PrivatePort": private, "PublicPort": public, "Type": "tcp"}
                )
                ports.append(
                    {"IP": "::", "PrivatePort": private, "PublicPort": public, "Type": "tcp"}
                )
            else:
                ports.append({"PrivatePort": private, "Type": "tcp"})
        return {
            "Id": c.id,
            "Names": [f"/{spec.name}"],
            "Image": spec.image,
            "ImageID": c.image_id,
            "Command": spec.command,
            "Created": c.created,
            "Ports": ports,
            "Labels": self._labels(c),
            "State": c.state,
            "Status": self._status_text(c),
            "HostConfig": {"NetworkMode": network},
            "NetworkSettings": {
                "Networks": {
                    network: {
                        "IPAMConfig": None,
                        "Links": None,
                        "Aliases": None,
                        "MacAddress": f"02:42:ac:12:00:{index + 2:02x}" if running else "",
                        "DriverOpts": None,
                        "NetworkID": _hex("network", network),
                        "EndpointID": _hex("endpoint", c.id) if running else "",
                        "Gateway": "172.18.0.1" if running else "",
                        "IPAddress": f"172.18.0.{index + 2}" if running else "",
                        "IPPrefixLen": 16 if running else 0,
                        "IPv6Gateway": "",
                        "GlobalIPv6Address": "",
                        "GlobalIPv6PrefixLen": 0,
                        "DNSNames": None,
                    }
                }
            },
            "Mounts": [
                {
                    "Type": "bind" if source.startswith("/") else "volume",
                    "Source": source,
                    "Destination": target,
                    "Mode": "",
                    "RW": True,
                    "Propagation": "rprivate",
                }
                for source, target in spec.volumes
            ],
        }

    @staticmethod
    def _filters(raw: str | None) -> dict[str, list[str]]:
        """Docker's ``filters``: ``{"label": ["a=b"]}``, or the older ``{"label": {"a=b": true}}``.

        Raises ``ValueError`` or ``TypeError`` for anything else.
        """
        if not raw:
            return {}
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise TypeError("filters must be a JSON object")
        return {k: list(v) if isinstance(v, (list, dict)) else [str(v)] for k, v in data.items()}

    def _matches(self, c: SimContainer, filters: dict[str, list[str]]) -> bool:
        labels = self._labels(c)
        for want in filters.get("label", []):
            key, sep, value = want.partition("=")
            if key not in labels or (sep and labels[key] != value):
                return False
        if (states := filters.get("status")) and c.state not in states:
            return False
        if (names := filters.get("name")) and not any(n.lstrip("/") in c.spec.name for n in names):
            return False
        return not ((ids := filters.get("id")) and not any(c.id.startswith(i) for i in ids))

    async def _containers(self, request: web.Request) -> web.Response:
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        show_all = request.query.get("all", "") in ("1", "true", "True")
        try:
            filters = self._filters(request.query.get("filters"))
        except (ValueError, TypeError) as err:
            return self._docker_json({"message": f"invalid filter: {err}"}, status=400)
        on = [c for c in self.containers if c.spec.endpoint_id == endpoint.id]
        # Docker lists the newest container first.
        on.sort(key=lambda c: c.created, reverse=True)
        body = [
            self._container_json(c, i)
            for i, c in enumerate(on)
            if (show_all or c.state == "running") and self._matches(c, filters)
        ]
        return self._docker_json(body)

    async def _container_action(self, request: web.Request) -> web.Response:
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        c = self._find_container(endpoint.id, request.match_info["cid"])
        if isinstance(c, web.Response):
            return c
        match request.match_info["action"]:
            case "start":
                if c.state in ("running", "paused"):
                    return self._docker_empty(304)
                self._start(c)
            case "stop":
                if c.state not in ("running", "paused"):
                    return self._docker_empty(304)
                self._stop(c)
            case "restart":
                self._start(c)
            case "kill":
                if c.state not in ("running", "paused"):
                    return self._docker_json(
                        {
                            "message": f"Cannot kill container: {c.id}: "
                            f"container {c.id} is not running"
                        },
                        status=409,
                    )
                self._stop(c, exit_code=137)
            case "pause":
                if c.state != "running":
                    return self._docker_json(
                        {"message": f"Container {c.id} is not running"}, status=409
                    )
                c.state = "paused"
            case _:  # unpause
                if c.state != "paused":
                    return self._docker_json(
                        {"message": f"Container {c.id} is not paused"}, status=500
                    )
                c.state = "running"
        return self._docker_empty(204)

    async def _inspect(self, request: web.Request) -> web.Response:
        """Docker's container inspect, with the fields a client reads."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        c = self._find_container(endpoint.id, request.match_info["cid"])
        if isinstance(c, web.Response):
            return c
        never_started = c.state == "created"
        return self._docker_json(
            {
                "Id": c.id,
                "Created": _iso(c.created),
                "Path": c.spec.command,
                "Args": [],
                "State": {
                    "Status": c.state,
                    "Running": c.state in ("running", "paused"),
                    "Paused": c.state == "paused",
                    "Restarting": False,
                    "OOMKilled": c.oom_killed,
                    "Dead": False,
                    "Pid": 1000 + len(c.spec.name) if c.state == "running" else 0,
                    "ExitCode": c.exit_code,
                    "Error": "",
                    "StartedAt": _ZERO_DATE if never_started else _iso(c.started_at),
                    "FinishedAt": _iso(c.finished_at) if c.finished_at else _ZERO_DATE,
                    **(
                        {"Health": {"Status": c.health, "FailingStreak": 0, "Log": []}}
                        if c.health
                        else {}
                    ),
                },
                "Image": c.image_id,
                "Name": f"/{c.spec.name}",
                "RestartCount": c.restart_count,
                "Driver": "overlay2",
                "Platform": "linux",
                "HostConfig": self._host_config(c),
                "Config": {
                    "Hostname": c.id[:12],
                    "Image": c.spec.image,
                    "Env": list(c.spec.env),
                    "Cmd": [c.spec.command],
                    "Labels": self._labels(c),
                    "ExposedPorts": {f"{p}/tcp": {} for p, _h in c.spec.ports},
                },
                "NetworkSettings": {
                    "Networks": {
                        name: {"NetworkID": _hex("network", name), "Aliases": [c.spec.name]}
                        for name in self._networks(c)
                    }
                },
            }
        )

    def _networks(self, c: SimContainer) -> list[str]:
        """The networks a container is connected to."""
        return [f"{c.spec.stack}_default" if c.spec.stack else "bridge", *c.extra_networks]

    @staticmethod
    def _host_config(c: SimContainer) -> dict[str, Any]:
        spec = c.spec
        return {
            "Binds": [f"{host}:{target}" for host, target in spec.volumes],
            "PortBindings": {
                f"{p}/tcp": [{"HostIp": "", "HostPort": str(h)}] for p, h in spec.ports
            },
            "RestartPolicy": {"Name": spec.restart_policy, "MaximumRetryCount": 0},
            "NetworkMode": f"{spec.stack}_default" if spec.stack else "bridge",
        }

    async def _stats(self, request: web.Request) -> web.Response:
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        c = self._find_container(endpoint.id, request.match_info["cid"])
        if isinstance(c, web.Response):
            return c
        one_shot = self.docker_one_shot and request.query.get("one-shot", "false") in (
            "1",
            "true",
            "True",
        )
        return self._docker_json(self._stats_json(c, one_shot=one_shot))

    def _stats_json(self, c: SimContainer, *, one_shot: bool) -> dict[str, Any]:
        """One sample in Docker's shape (cgroup v2 unless pinned to v1)."""
        throttling = {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
        zero_cpu = {
            "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "throttling_data": throttling,
        }
        base: dict[str, Any] = {
            "name": f"/{c.spec.name}",
            "id": c.id,
            "blkio_stats": {
                "io_service_bytes_recursive": None,
                "io_serviced_recursive": None,
                "io_queue_recursive": None,
                "io_service_time_recursive": None,
                "io_wait_time_recursive": None,
                "io_merged_recursive": None,
                "io_time_recursive": None,
                "sectors_recursive": None,
            },
            "num_procs": 0,
            "storage_stats": {},
        }
        if c.state != "running":
            # What Docker answers for a container that is not running.
            return base | {
                "read": _ZERO_DATE,
                "preread": _ZERO_DATE,
                "pids_stats": {},
                "cpu_stats": zero_cpu,
                "precpu_stats": zero_cpu,
                "memory_stats": {},
            }
        pin = c.pinned
        if pin is None:
            c.previous = (c.cpu_total, c.system_cpu)
            c.samples += 1
            load = c.spec.cpu_load * _LOAD_PATTERN[c.samples % len(_LOAD_PATTERN)]
            c.system_cpu += ONLINE_CPUS * SAMPLE_SECONDS * _NS
            c.cpu_total += int(load * SAMPLE_SECONDS * _NS)
            usage = int(c.spec.memory_mib * 1024 * 1024 * _MEMORY_PATTERN[c.samples % 6] * 1.25)
            pin = PinnedStats(
                cpu_total=c.cpu_total,
                system_cpu=c.system_cpu,
                memory_usage=usage,
                inactive_file=usage // 5,
            )
        cpu_total, system_cpu = pin.cpu_total, pin.system_cpu
        kernel = cpu_total // 4
        cpu_usage: dict[str, Any] = {
            "total_usage": cpu_total,
            "usage_in_kernelmode": kernel,
            "usage_in_usermode": cpu_total - kernel,
        }
        if pin.cgroup == 1:
            share = cpu_total // pin.online_cpus
            cpu_usage["percpu_usage"] = [share] * pin.online_cpus
        cpu_stats = {
            "cpu_usage": cpu_usage,
            "system_cpu_usage": system_cpu,
            "online_cpus": pin.online_cpus,
            "throttling_data": throttling,
        }
        # Without one-shot Docker waits for a second sample, so precpu is filled
        # from the first read on (a pinned sample has no natural predecessor).
        if one_shot or c.samples < 1:
            precpu: dict[str, Any] = zero_cpu
            preread = _ZERO_DATE
        else:
            pre_total, pre_system = c.previous
            precpu = {
                "cpu_usage": {
                    "total_usage": pre_total,
                    "usage_in_kernelmode": pre_total // 4,
                    "usage_in_usermode": pre_total - pre_total // 4,
                },
                "system_cpu_usage": pre_system,
                "online_cpus": pin.online_cpus,
                "throttling_data": throttling,
            }
            preread = _iso(time.time() - 1)
        return base | {
            "read": _iso(time.time()),
            "preread": preread,
            "pids_stats": {"current": 12 + len(c.spec.name), "limit": 18446744073709551615},
            "cpu_stats": cpu_stats,
            "precpu_stats": precpu,
            "memory_stats": _memory_stats(pin),
            "networks": {
                "eth0": {
                    "rx_bytes": 1_000_000 + c.samples * 52_345,
                    "rx_packets": 8_000 + c.samples * 41,
                    "rx_errors": 0,
                    "rx_dropped": 0,
                    "tx_bytes": 400_000 + c.samples * 12_345,
                    "tx_packets": 5_000 + c.samples * 23,
                    "tx_errors": 0,
                    "tx_dropped": 0,
                }
            },
        }

    # Docker's system, image, volume and distribution routes

    async def _info(self, request: web.Request) -> web.Response:
        """Docker's ``GET /info`` (the fields clients read)."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        on = [c for c in self.containers if c.spec.endpoint_id == endpoint.id]
        running = sum(c.state == "running" for c in on)
        paused = sum(c.state == "paused" for c in on)
        return self._docker_json(
            {
                "ID": _hex("engine", endpoint.id)[:36],
                "Containers": len(on),
                "ContainersRunning": running,
                "ContainersPaused": paused,
                "ContainersStopped": len(on) - running - paused,
                "Images": len(self._images_of(endpoint.id)),
                "Driver": "overlay2",
                "MemoryLimit": True,
                "SwapLimit": True,
                "NFd": 42,
                "NGoroutines": 64,
                "LoggingDriver": "json-file",
                "CgroupDriver": "systemd",
                "CgroupVersion": "2",
                "KernelVersion": KERNEL_VERSION,
                "OperatingSystem": "Debian GNU/Linux 13 (trixie)",
                "OSVersion": "13",
                "OSType": "linux",
                "Architecture": "x86_64",
                "NCPU": ONLINE_CPUS,
                "MemTotal": HOST_MEMORY,
                "IndexServerAddress": "https://index.docker.io/v1/",
                "Name": endpoint.name,
                "ServerVersion": DOCKER_VERSION,
                "Swarm": {
                    "NodeID": "",
                    "NodeAddr": "",
                    "LocalNodeState": "inactive",
                    "ControlAvailable": False,
                    "Error": "",
                    "RemoteManagers": None,
                },
                "Warnings": None,
            }
        )

    async def _version(self, request: web.Request) -> web.Response:
        """Docker's ``GET /version``."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        return self._docker_json(
            {
                "Platform": {"Name": "Docker Engine - Community"},
                "Version": DOCKER_VERSION,
                "ApiVersion": DOCKER_API_VERSION,
                "MinAPIVersion": "1.24",
                "GitCommit": _hex("docker", DOCKER_VERSION)[:7],
                "GoVersion": "go1.24.9",
                "Os": "linux",
                "Arch": "amd64",
                "KernelVersion": KERNEL_VERSION,
                "BuildTime": "2025-12-01T10:00:00.000000000+00:00",
            }
        )

    def _images_of(self, endpoint_id: int) -> list[SimImage]:
        """The local images (one host's: the simulator keeps one image store)."""
        return list(self.images.values())

    def _volume_json(self, v: SimVolume, *, usage: bool) -> dict[str, Any]:
        used = sum(
            1
            for c in self.containers
            if c.spec.endpoint_id == v.endpoint_id and any(h == v.name for h, _t in c.spec.volumes)
        )
        body: dict[str, Any] = {
            "CreatedAt": _iso(v.created).split(".")[0] + "Z",
            "Driver": v.driver,
            "Labels": v.labels or None,
            "Mountpoint": f"/var/lib/docker/volumes/{v.name}/_data",
            "Name": v.name,
            "Options": None,
            "Scope": "local",
        }
        if usage:
            body["UsageData"] = {"RefCount": used, "Size": v.size}
        return body

    async def _volumes(self, request: web.Request) -> web.Response:
        """Docker's ``GET /volumes`` (``{"Volumes": [...], "Warnings": null}``)."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        vols = [v for (eid, _n), v in sorted(self.volumes.items()) if eid == endpoint.id]
        return self._docker_json(
            {"Volumes": [self._volume_json(v, usage=False) for v in vols], "Warnings": None}
        )

    async def _system_df(self, request: web.Request) -> web.Response:
        """Docker's ``GET /system/df``: API 1.52 summaries, or the older lists."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        verbose = request.query.get("verbose", "") in ("1", "true", "True")
        on = [c for c in self.containers if c.spec.endpoint_id == endpoint.id]
        vols = [v for (eid, _n), v in sorted(self.volumes.items()) if eid == endpoint.id]
        volumes = [self._volume_json(v, usage=True) for v in vols]
        used_images = {c.image_id for c in on}
        images = [
            {
                "Id": i.id,
                "RepoTags": i.repo_tags,
                "RepoDigests": i.repo_digests,
                "Created": int(i.created),
                "Size": i.size,
                "SharedSize": 0,
                "Containers": sum(c.image_id == i.id for c in on),
            }
            for i in self._images_of(endpoint.id)
        ]
        containers = [
            {
                "Id": c.id,
                "Names": [f"/{c.spec.name}"],
                "Image": c.spec.image,
                "ImageID": c.image_id,
                "State": c.state,
                "SizeRw": 4096 * (1 + len(c.spec.name)),
                "SizeRootFs": 0,
            }
            for c in on
        ]
        if self.legacy_df:
            return self._docker_json(
                {
                    "LayersSize": sum(i["Size"] for i in images),
                    "Images": images,
                    "Containers": containers,
                    "Volumes": volumes,
                    "BuildCache": [],
                }
            )

        def summary(
            items: list[dict[str, Any]], size: str, active: Any, reclaim: Any
        ) -> dict[str, Any]:
            body: dict[str, Any] = {
                "ActiveCount": sum(1 for i in items if active(i)),
                "TotalCount": len(items),
                "TotalSize": sum(
                    i[size] if size != "UsageData" else i[size]["Size"] for i in items
                ),
                "Reclaimable": sum(reclaim(i) for i in items),
            }
            if verbose:
                body["Items"] = items
            return body

        return self._docker_json(
            {
                "ImageUsage": summary(
                    images,
                    "Size",
                    lambda i: i["Id"] in used_images,
                    lambda i: 0 if i["Id"] in used_images else i["Size"],
                ),
                "ContainerUsage": summary(
                    containers,
                    "SizeRw",
                    lambda c: c["State"] == "running",
                    lambda c: 0 if c["State"] == "running" else c["SizeRw"],
                ),
                "VolumeUsage": summary(
                    volumes,
                    "UsageData",
                    lambda v: v["UsageData"]["RefCount"] > 0,
                    lambda v: 0 if v["UsageData"]["RefCount"] else v["UsageData"]["Size"],
                ),
                "BuildCacheUsage": {
                    "ActiveCount": 0,
                    "TotalCount": 0,
                    "TotalSize": 0,
                    "Reclaimable": 0,
                },
            }
        )

    def _find_image(self, ref: str) -> SimImage | None:
        """Docker's image look-up: id (with or without ``sha256:``, or a prefix) or a tag."""
        if ref in self.images:
            return self.images[ref]
        for image in self.images.values():
            if ref in image.repo_tags or (
                image.id.removeprefix("sha256:").startswith(ref.removeprefix("sha256:"))
                and len(ref.removeprefix("sha256:")) >= 12
            ):
                return image
        return None

    async def _image_inspect(self, request: web.Request) -> web.Response:
        """Docker's ``GET /images/{name}/json``: ``RepoTags`` and every ``RepoDigests`` entry."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        name = request.match_info["name"]
        image = self._find_image(name)
        if image is None:
            return self._docker_json({"message": f"No such image: {name}"}, status=404)
        return self._docker_json(
            {
                "Id": image.id,
                "RepoTags": image.repo_tags,
                "RepoDigests": image.repo_digests,
                "Parent": "",
                "Comment": "",
                "Created": _iso(image.created),
                "DockerVersion": "",
                "Author": "",
                "Architecture": "amd64",
                "Os": "linux",
                "Size": image.size,
                "RootFS": {"Type": "layers", "Layers": [f"sha256:{_hex('layer', image.id)}"]},
                "Metadata": {"LastTagTime": _ZERO_DATE},
            }
        )

    async def _distribution(self, request: web.Request) -> web.Response:
        """Docker's ``GET /distribution/{name}/json``: what the registry has now.

        Docker answers 403 when the registry refuses (a private or unknown
        repository), which pyportainer treats as "nothing to compare".
        """
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        name = request.match_info["name"]
        digest = self.registry.get(name)
        if digest is None:
            return self._docker_json(
                {
                    "message": f"pull access denied for {repository_of(name)}, repository does "
                    "not exist or may require 'docker login': denied: requested access to the "
                    "resource is denied"
                },
                status=403,
            )
        return self._docker_json(
            {
                "Descriptor": {
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": digest,
                    "size": 10_229,
                },
                "Platforms": [{"architecture": "amd64", "os": "linux"}],
            }
        )

    def _pulled(self, reference: str) -> SimImage:
        """Make the registry's current image of ``reference`` the local one (a pull)."""
        digest = self.registry.setdefault(reference, f"sha256:{_hex('digest', reference)}")
        image_id = f"sha256:{_hex('image', reference, digest)}"
        for other in self.images.values():
            if reference in other.repo_tags and other.id != image_id:
                other.repo_tags.remove(reference)  # the old image is left dangling
        image = self.images.get(image_id)
        if image is None:
            image = self.images[image_id] = SimImage(
                id=image_id,
                repo_tags=[reference],
                repo_digests=[f"{repository_of(reference)}@{digest}"],
                created=time.time(),
            )
        elif reference not in image.repo_tags:
            image.repo_tags.append(reference)
        return image

    async def _pull(self, request: web.Request) -> web.StreamResponse:
        """Docker's ``POST /images/create?fromImage=…[&tag=…]``: a JSON-lines progress stream.

        An unknown repository is a 404 before the stream starts; a failure
        during the pull is an ``error`` line inside the 200 stream, as Docker does.
        """
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        reference = request.query.get("fromImage", "")
        if tag := request.query.get("tag"):
            reference = f"{reference}:{tag}"
        if not reference:
            return self._docker_json({"message": "fromImage or fromSrc is required"}, 400)
        if reference not in self.registry and not any(
            reference in i.repo_tags for i in self.images.values()
        ):
            return self._docker_json(
                {
                    "message": f"pull access denied for {repository_of(reference)}, repository "
                    "does not exist or may require 'docker login'"
                },
                status=404,
            )
        response = web.StreamResponse(
            headers={"Content-Type": "application/json", "Api-Version": DOCKER_API_VERSION}
        )
        await response.prepare(request)
        layers = [_hex("layer", reference, n)[:12] for n in range(3)]
        tag_part = reference.rpartition(":")[2]

        async def line(body: dict[str, Any]) -> None:
            await response.write(json.dumps(body).encode() + b"\r\n")

        await line({"status": f"Pulling from {repository_of(reference)}", "id": tag_part})
        for layer in layers:
            await line({"status": "Pulling fs layer", "progressDetail": {}, "id": layer})
        total = 25_000_000
        for layer in layers:
            for current in (total // 4, total // 2, total):
                await line(
                    {
                        "status": "Downloading",
                        "progressDetail": {"current": current, "total": total},
                        "progress": f"[=>  ] {current}/{total}",
                        "id": layer,
                    }
                )
                await asyncio.sleep(0)
            if self.fail_pull is not None:
                await line({"errorDetail": {"message": self.fail_pull}, "error": self.fail_pull})
                await response.write_eof()
                return response
            await line({"status": "Download complete", "progressDetail": {}, "id": layer})
            await line({"status": "Pull complete", "progressDetail": {}, "id": layer})
        image = self._pulled(reference)
        digest = image.repo_digests[0].partition("@")[2]
        await line({"status": f"Digest: {digest}"})
        await line({"status": f"Status: Downloaded newer image for {reference}"})
        await response.write_eof()
        return response

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Docker's ``GET /events``: a stream that stays open; nothing happens here.

        The simulator's changes are seen by polling; the stream exists so a
        client that listens (Home Assistant core's) connects as it would.
        """
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        response = web.StreamResponse(
            headers={"Content-Type": "application/json", "Api-Version": DOCKER_API_VERSION}
        )
        await response.prepare(request)
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await self._release.wait()
        return response

    def _prune_request(
        self, request: web.Request
    ) -> tuple[SimEndpoint, dict[str, list[str]]] | web.Response:
        """A prune's environment and ``filters``, or the error Docker answers."""
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        try:
            return endpoint, self._filters(request.query.get("filters"))
        except (ValueError, TypeError) as err:
            return self._docker_json({"message": f"invalid filter: {err}"}, status=400)

    async def _prune_images(self, request: web.Request) -> web.Response:
        """Docker's ``POST /images/prune`` (``filters``: ``dangling``, ``until``)."""
        found = self._prune_request(request)
        if isinstance(found, web.Response):
            return found
        _endpoint, filters = found  # one image store for the host
        dangling_only = filters.get("dangling", ["true"])[0] in ("1", "true", "True")
        until = filters.get("until")
        cutoff = float(until[0]) if until else None
        in_use = {c.image_id for c in self.containers}
        deleted: list[dict[str, str]] = []
        reclaimed = 0
        for image in list(self.images.values()):
            if image.id in in_use or (dangling_only and image.repo_tags):
                continue
            if cutoff is not None and image.created >= cutoff:
                continue
            deleted += [{"Untagged": t} for t in image.repo_tags]
            deleted.append({"Deleted": image.id})
            reclaimed += image.size
            del self.images[image.id]
        return self._docker_json({"ImagesDeleted": deleted or None, "SpaceReclaimed": reclaimed})

    async def _prune_volumes(self, request: web.Request) -> web.Response:
        """Docker's ``POST /volumes/prune``: unused anonymous volumes (named ones with ``all``)."""
        found = self._prune_request(request)
        if isinstance(found, web.Response):
            return found
        endpoint, filters = found
        every = filters.get("all", ["false"])[0] in ("1", "true", "True")
        used = {h for c in self.containers for h, _t in c.spec.volumes}
        deleted: list[str] = []
        reclaimed = 0
        for key, volume in list(self.volumes.items()):
            anonymous = "com.docker.volume.anonymous" in volume.labels
            if key[0] != endpoint.id or volume.name in used or not (every or anonymous):
                continue
            deleted.append(volume.name)
            reclaimed += volume.size
            del self.volumes[key]
        return self._docker_json({"VolumesDeleted": deleted or None, "SpaceReclaimed": reclaimed})

    async def _recreate(self, request: web.Request) -> web.Response:
        """Portainer's ``POST /api/docker/{env}/containers/{id}/recreate`` (``{"PullImage"}``).

        As ``api/docker/container.go`` ``Recreate``: pull when asked (a
        failed pull changes nothing), stop, rename ``-old``, create from the
        same configuration, reconnect networks, start, remove the old one; a
        failure after the rename restores the old container and starts it.
        """
        endpoint = self._docker_endpoint(request)
        if isinstance(endpoint, web.Response):
            return endpoint
        try:
            payload = await request.json()
            if not isinstance(payload, dict):
                raise TypeError
        except ValueError, TypeError:
            return self._error(400, "Invalid request payload", "invalid JSON")
        c = self._find_container(endpoint.id, request.match_info["cid"])
        if isinstance(c, web.Response):
            return self._error(
                500, "Error recreating container", "fetch container information error"
            )
        if payload.get("PullImage"):
            if self.fail_pull is not None or c.spec.image not in self.registry:
                return self._error(
                    500, "Error recreating container", f"pull image error {c.spec.image}"
                )
            self._pulled(c.spec.image)
        was_running = c.state in ("running", "paused")
        self._stop(c)
        if self.fail_recreate is not None:
            # the restore: rename back, reconnect, start the old container
            if was_running:
                self._start(c)
            return self._error(500, "Error recreating container", self.fail_recreate)
        self.containers.remove(c)
        now = time.time()
        new = self._create(replace(c.spec, running=True), created=now, started=now)
        new.extra_networks = c.extra_networks
        return web.json_response(
            {
                "Id": new.id,
                "Name": f"/{new.spec.name}",
                "Image": new.image_id,
                "State": {"Status": new.state, "Running": True},
                "Config": {"Image": new.spec.image, "Labels": self._labels(new)},
            }
        )

    # Stacks

    def _stack_json(self, s: SimStack) -> dict[str, Any]:
        workdir = f"/data/compose/{s.id}"
        return {
            "Id": s.id,
            "Name": s.name,
            "Type": s.type,
            "EndpointId": s.endpoint_id,
            "SwarmId": "",
            "EntryPoint": "docker-compose.yml",
            "Env": [{"name": "TZ", "value": "Europe/Berlin"}],
            "ResourceControl": {
                "Id": s.id + 1,
                "ResourceId": f"{s.endpoint_id}_{s.name}",
                "SubResourceIds": [],
                "Type": 6,
                "UserAccesses": [],
                "TeamAccesses": [],
                "Public": False,
                "AdministratorsOnly": True,
                "System": False,
            },
            "Status": STACK_ACTIVE if s.active else STACK_INACTIVE,
            "ProjectPath": workdir,
            "CreationDate": s.created,
            "CreatedBy": "admin",
            "UpdateDate": 0,
            "UpdatedBy": "",
            "AdditionalFiles": None,
            "AutoUpdate": None,
            "Option": None,
            "GitConfig": None,
            "FromAppTemplate": False,
            "Namespace": "",
            "IsComposeFormat": False,
        }

    async def _stacks(self, request: web.Request) -> web.Response:
        try:
            filters = json.loads(request.query.get("filters") or "{}")
            if not isinstance(filters, dict):
                raise TypeError
        except ValueError, TypeError:
            return self._error(400, "Invalid query parameter: filters", "invalid JSON")
        stacks = [
            s
            for s in sorted(self.stacks.values(), key=lambda s: s.id)
            if filters.get("EndpointID") in (None, s.endpoint_id)
            and filters.get("SwarmID") in (None, "")
        ]
        return web.json_response([self._stack_json(s) for s in stacks])

    def _find_stack(self, request: web.Request) -> SimStack | web.Response:
        stack = self.stacks.get(int(request.match_info["sid"]))
        if stack is None:
            return self._error(
                404,
                "Unable to find a stack with the specified identifier inside the database",
                "object not found inside the database",
            )
        return stack

    async def _stack(self, request: web.Request) -> web.Response:
        stack = self._find_stack(request)
        if isinstance(stack, web.Response):
            return stack
        return web.json_response(self._stack_json(stack))

    async def _stack_action(self, request: web.Request) -> web.Response:
        stack = self._find_stack(request)
        if isinstance(stack, web.Response):
            return stack
        try:
            endpoint_id = int(request.query["endpointId"])
        except KeyError, ValueError:
            return self._error(
                400, "Invalid query parameter: endpointId", "Invalid query parameter"
            )
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            return self._error(
                404,
                "Unable to find an environment with the specified identifier inside the database",
                "object not found inside the database",
            )
        if not endpoint.up:
            return self._error(500, "Unable to start stack", "environment is unreachable")
        if request.match_info["action"] == "start":
            if stack.active:
                return self._error(400, "Stack is already active")
            self._compose_up(stack)
        else:
            if not stack.active:
                return self._error(400, "Stack is already inactive")
            self._compose_down(stack)
        return web.json_response(self._stack_json(stack))

    def _compose_file(self, stack: SimStack) -> str:
        lines = ["services:"]
        for spec in stack.services:
            lines += [f"  {spec.name}:", f"    image: {spec.image}", "    restart: unless-stopped"]
        return "\n".join(lines) + "\n"

    async def _stack_file(self, request: web.Request) -> web.Response:
        """Portainer's ``GET /api/stacks/{id}/file`` → ``{"StackFileContent"}``."""
        stack = self._find_stack(request)
        if isinstance(stack, web.Response):
            return stack
        return web.json_response({"StackFileContent": self._compose_file(stack)})

    async def _stack_update(self, request: web.Request) -> web.Response:
        """Portainer's ``PUT /api/stacks/{id}?endpointId=N`` (``stack_update.go``).

        Redeploys with ``StackFileContent`` and ``Env``; ``PullImage`` (or the
        2.36 name ``RepullImageAndRedeploy``) pulls every image first, and
        ``docker compose up`` recreates the containers whose image changed.
        """
        stack = self._find_stack(request)
        if isinstance(stack, web.Response):
            return stack
        try:
            endpoint_id = int(request.query["endpointId"])
        except KeyError, ValueError:
            return self._error(
                400, "Invalid query parameter: endpointId", "Invalid query parameter"
            )
        try:
            payload = await request.json()
            if not isinstance(payload, dict) or not isinstance(
                payload.get("StackFileContent"), str
            ):
                raise TypeError
        except ValueError, TypeError:
            return self._error(400, "Invalid request payload", "Invalid stack file content")
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None or not endpoint.up:
            return self._error(500, "Unable to update stack", "environment is unreachable")
        pull = bool(payload.get("PullImage") or payload.get("RepullImageAndRedeploy"))
        if pull and self.fail_pull is not None:
            return self._error(
                500, "Failed to deploy a stack", f"compose pull failed: {self.fail_pull}"
            )
        now = time.time()
        existing = {c.spec.name: c for c in self._stack_containers(stack)}
        for spec in stack.services:
            image = self._pulled(spec.image) if pull else self._local_image(spec.image)
            old = existing.get(spec.name)
            if old is not None and old.image_id == image.id and old.state == "running":
                continue
            if old is not None:
                self.containers.remove(old)
            self._create(replace(spec, running=True), created=now, started=now)
        stack.active = True
        return web.json_response(self._stack_json(stack))

    def _stack_containers(self, stack: SimStack) -> list[SimContainer]:
        return [
            c
            for c in self.containers
            if c.spec.stack == stack.name and c.spec.endpoint_id == stack.endpoint_id
        ]

    def _compose_up(self, stack: SimStack) -> None:
        """``docker compose up -d``: start what exists, create what is missing."""
        existing = {c.spec.name: c for c in self._stack_containers(stack)}
        now = time.time()
        for spec in stack.services:
            if (c := existing.get(spec.name)) is not None:
                if c.state != "running":
                    self._start(c)
            else:
                self._create(replace(spec, running=True), created=now, started=now)
        stack.active = True

    def _compose_down(self, stack: SimStack) -> None:
        """``docker compose down`` (or only stop, when so configured)."""
        for c in self._stack_containers(stack):
            if self.stop_removes_containers:
                self.containers.remove(c)
            elif c.state != "exited":
                self._stop(c)
        stack.active = False


def _memory_stats(pin: PinnedStats) -> dict[str, Any]:
    """Docker's ``memory_stats`` for cgroup v2 (or v1)."""
    usage = pin.memory_usage
    if pin.cgroup == 1:
        rss = max(usage - pin.cache, 0)
        stats = {
            "active_anon": rss,
            "active_file": max(pin.cache - pin.inactive_file, 0),
            "cache": pin.cache,
            "hierarchical_memory_limit": pin.memory_limit,
            "inactive_anon": 0,
            "inactive_file": pin.inactive_file,
            "mapped_file": pin.cache // 4,
            "rss": rss,
            "rss_huge": 0,
            "total_active_anon": rss,
            "total_active_file": max(pin.cache - pin.inactive_file, 0),
            "total_cache": pin.cache,
            "total_inactive_anon": 0,
            "total_inactive_file": pin.inactive_file,
            "total_mapped_file": pin.cache // 4,
            "total_rss": rss,
            "total_rss_huge": 0,
            "total_unevictable": 0,
            "unevictable": 0,
        }
        return {
            "usage": usage,
            "max_usage": usage + 4096,
            "stats": stats,
            "limit": pin.memory_limit,
        }
    file = pin.inactive_file * 2
    anon = max(usage - file, 0)
    stats = {
        "active_anon": anon // 8,
        "active_file": file - pin.inactive_file,
        "anon": anon,
        "anon_thp": 0,
        "file": file,
        "file_dirty": 0,
        "file_mapped": file // 10,
        "file_writeback": 0,
        "inactive_anon": anon - anon // 8,
        "inactive_file": pin.inactive_file,
        "kernel_stack": 180_224,
        "pgactivate": 1_024,
        "pgdeactivate": 0,
        "pgfault": 250_000,
        "pglazyfree": 0,
        "pglazyfreed": 0,
        "pgmajfault": 12,
        "pgrefill": 0,
        "pgscan": 0,
        "pgsteal": 0,
        "shmem": 0,
        "slab": 1_500_000,
        "slab_reclaimable": 1_100_000,
        "slab_unreclaimable": 400_000,
        "sock": 0,
        "thp_collapse_alloc": 0,
        "thp_fault_alloc": 0,
        "unevictable": 0,
        "workingset_activate": 0,
        "workingset_nodereclaim": 0,
        "workingset_refault": 0,
    }
    return {"usage": usage, "stats": stats, "limit": pin.memory_limit}


def _iso(ts: float) -> str:
    """Docker's RFC 3339 timestamp with nanoseconds."""
    whole = int(ts)
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((ts - whole) * 1e9):09d}Z"
    )
