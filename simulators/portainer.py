"""Portainer CE 2.x simulator: environments, the Docker proxy, stacks.

Serves what ``pyportainer`` 1.0.50 sends for our client, the way Portainer
and the Docker Engine behind it answer:

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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
import hashlib
import json
from pathlib import Path
import time
from typing import Any, ClassVar, Self
import uuid

from aiohttp import web

from .base import Handler, Simulator

DEFAULT_API_KEY = "ptr_p8Vd3kq0ZrW1s6yJxN2bTfL9mAhC4eGuQ7oRiS5vKwE="
DEFAULT_INSTANCE_ID = "6f1c3b2e-8a4d-4e7f-9b0a-2d5c7e9f1a3b"
DEFAULT_VERSION = "2.27.6"
DOCKER_VERSION = "27.5.1"
DOCKER_API_VERSION = "1.47"
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
            volumes=(("/srv/pandora/config/jellyfin", "/config"), ("/srv/media", "/media")),
            stack="pandora",
            memory_mib=620,
            cpu_load=0.35,
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
    ) -> None:
        """Build the state; ``stacks`` names the compose projects Portainer manages.

        ``stacks`` defaults to every compose project among ``containers``;
        ``with_down_endpoint`` adds an agent environment (Id 2, "nas") that is
        down; ``legacy_status_only`` drops ``/api/system/*`` (Portainer before
        those routes had only ``/api/status``); ``docker_one_shot=False`` is a
        Docker older than API 1.41, which ignores ``one-shot`` and always fills
        ``precpu_stats``; ``extra_containers`` adds that many standalone
        containers (every third one stopped) for fleet-sized tests.
        """
        super().__init__()
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

    def set_stats(self, name: str, endpoint_id: int = 1, **values: Any) -> None:
        """Pin what the stats route answers for ``name`` (see ``PinnedStats``)."""
        self.container(name, endpoint_id).pinned = PinnedStats(**values)

    # -- state changes ---------------------------------------------------------------

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
        )
        self.containers.append(container)
        return container

    def _start(self, c: SimContainer) -> None:
        c.state = "running"
        c.started_at = time.time()

    def _stop(self, c: SimContainer) -> None:
        c.state = "exited"
        c.exit_code = 0
        c.finished_at = time.time()

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
            f"{docker}/containers/{{cid}}/{{action:start|stop|restart|pause|unpause}}",
            guard(self._container_action),
        )
        r.add_get("/api/stacks", guard(self._stacks))
        r.add_get(r"/api/stacks/{sid:\d+}", guard(self._stack))
        r.add_post(r"/api/stacks/{sid:\d+}/{action:start|stop}", guard(self._stack_action))

    # Portainer's own answers

    @staticmethod
    def _error(status: int, message: str, details: str | None = None) -> web.Response:
        return web.json_response({"message": message, "details": details or message}, status=status)

    restricted: ClassVar[tuple[str, ...]] = (
        r"/api/stacks/\d+/(start|stop)$",
        r"/api/endpoints/\d+/docker/containers/[^/]+/(start|stop|restart|pause|unpause)$",
    )

    def denied_response(self, request: web.Request) -> web.Response:
        """What Portainer answers a user who is not an administrator (module docstring)."""
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
            return f"Up {human_duration(now - c.started_at)}"
        if c.state == "paused":
            return f"Up {human_duration(now - c.started_at)} (Paused)"
        if c.state == "created":
            return "Created"
        return f"Exited ({c.exit_code}) {human_duration(now - c.finished_at)} ago"

    def _labels(self, c: SimContainer) -> dict[str, str]:
        spec = c.spec
        labels = {"org.opencontainers.image.title": spec.name}
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
            "ImageID": f"sha256:{_hex(spec.image)}",
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
                    "Type": "bind",
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
                    "OOMKilled": False,
                    "Dead": False,
                    "Pid": 1000 + len(c.spec.name) if c.state == "running" else 0,
                    "ExitCode": c.exit_code,
                    "Error": "",
                    "StartedAt": _ZERO_DATE if never_started else _iso(c.started_at),
                    "FinishedAt": _iso(c.finished_at) if c.finished_at else _ZERO_DATE,
                },
                "Image": f"sha256:{_hex(c.spec.image)}",
                "Name": f"/{c.spec.name}",
                "RestartCount": 0,
                "Driver": "overlay2",
                "Platform": "linux",
                "Config": {
                    "Hostname": c.id[:12],
                    "Image": c.spec.image,
                    "Labels": self._labels(c),
                },
            }
        )

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
