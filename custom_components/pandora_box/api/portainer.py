"""Portainer client: environments, containers, container stats and stacks.

Library decision (see ``shared/upstreams.md``): this client wraps
``pyportainer`` (>=1.0.50,<2), the async, typed library Home Assistant core's
``portainer`` integration uses, instead of subclassing ``HttpClient``.  It is
built on the injected session (TLS is the session's, chosen by the caller),
with ``max_retries=0`` (the coordinator's next poll is the retry) and never
owns or closes a session.  Callers only ever see the frozen dataclasses below
and our three errors; no pyportainer model or exception leaves this module.
``ValueError`` is raised, before anything is sent, only for caller mistakes: a
malformed URL, an unknown action, or a container reference that is not a
Docker id or name (it becomes part of the proxied path, so ``../`` and ``/``
are refused).

Decisions made after reading pyportainer 1.0.50 and Portainer's source:

* *Errors.*  pyportainer raises ``PortainerAuthenticationError`` (401),
  ``PortainerNotFoundError`` (404), ``PortainerConnectionError`` (every other
  status, and transport errors, the aiohttp error as ``__cause__``),
  ``PortainerTimeoutError`` and a bare ``PortainerError`` (a 200 that is not
  JSON).  Parsing is not guarded: a truncated body leaks ``JSONDecodeError``,
  a body of the wrong shape leaks mashumaro's ``MissingField`` /
  ``InvalidFieldValue`` (``LookupError`` / ``ValueError``) or a ``TypeError``.
  ``_call`` maps all of them in one place: 401 is invalid auth (the bouncer's
  "A valid authorization token is missing" / "Invalid JWT token"); 403 is
  ``PermissionDeniedError``, never a reauth: the key is good but its user may
  not do this (``bouncer.go`` answers 403 "Access denied" on admin-only routes,
  the Docker proxy's ``RewriteAccessDeniedResponse`` "access denied to
  resource" for a container the user has no access to, ``stack_start.go`` /
  ``stack_stop.go`` "stack management is disabled for non-admin users", and
  "Permission denied to access endpoint"; Portainer 2.23); 5xx, transport
  errors and timeouts are cannot-connect; other statuses and bad bodies are
  ``ResponseError`` (with the status where there was one).  pyportainer
  drops the error body, so our session proxy raises the error status itself
  (the same ``ClientResponseError`` pyportainer expects) with Portainer's
  ``message``/``details`` (Docker's ``message`` on proxied container routes)
  attached, and our error ends with "Portainer said: …" (one line, at most
  200 characters).
* *Timeouts.*  pyportainer's own ``request_timeout`` covers only the status
  line: the body is read after it.  Every call is therefore also wrapped in
  ``asyncio.timeout``.  Stack start/stop run ``docker compose up/down`` on the
  Portainer host and may take far longer than a read, so they get their own
  ``action_timeout``.
* *Size cap.*  pyportainer reads whole bodies; our session proxy reads them
  first, in chunks, under the cap.  The requests we send ourselves (the
  legacy status, ``/system/df`` in both of Docker's shapes, and the image
  pull, whose progress stream is read line by line, each line capped, the
  whole pull under ``pull_timeout``) are capped the same way.
* *Images and updates.*  ``async_image`` (Docker's image inspect: every
  ``RepoDigests`` entry) and ``async_registry_digest`` (Docker's distribution
  inspect, one registry request) are the two halves Portainer's own status
  check compares (``api/docker/images/status.go``); the caller decides how
  often (``upstreams/portainer/updates.py``).  ``async_recreate_container``
  is Portainer's recreate route, which keeps the whole configuration and
  restores the old container when it fails (``api/docker/container.go``).
* *Identity.*  ``GET /api/system/status`` is public (``{"Version",
  "InstanceID", "DemoEnvironment"}``) and proves the answer comes from
  Portainer; Portainer releases older than the ``/system`` routes only have
  the (now deprecated, same body) ``GET /api/status``, which pyportainer does
  not call, so our one private request helper reads it on a 404.  The key is
  then checked with the authenticated ``GET /api/endpoints``.  ``unique_id``
  is the ``InstanceID``.
* *Container actions.*  Docker answers 304 when a container already is in the
  requested state; pyportainer returns ``None`` for it, and so do we.
* *Stack actions.*  Portainer answers 400 "Stack is already active/inactive";
  the body is not available through pyportainer, so on a 400 we read the
  stack and treat "already in that state" as success.  Note that Portainer
  stops a compose stack with ``docker compose down``: its containers are
  removed, and starting it again creates them with new ids.  Identify
  containers by environment id + name, never by id.
* *Stats.*  pyportainer asks Docker for ``stream=false&one-shot=true``, so
  ``precpu_stats`` is empty; CPU % is then computed against the previous
  sample of the same container this client saw (as ``docker stats`` does
  between two reads), and is ``None`` on the first read.  Memory follows the
  current Docker CLI: usage minus ``total_inactive_file`` on cgroup v1, minus
  ``inactive_file`` on cgroup v2 (Docker 19.03 and older subtracted
  ``cache``; the CLI dropped that because ``cache`` includes active pages).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import json as jsonlib
import re
from typing import Any, Final, Literal, cast

import aiohttp
from pyportainer import Portainer
from pyportainer.exceptions import (
    PortainerAuthenticationError,
    PortainerConnectionError,
    PortainerError,
    PortainerNotFoundError,
    PortainerTimeoutError,
)
from pyportainer.image_pull import ImagePullProgress
from pyportainer.models.docker import DockerContainer, DockerContainerStats
from pyportainer.models.docker_inspect import DockerInspect
from pyportainer.models.image_pull import DockerImagePullEvent
from pyportainer.models.portainer import Endpoint as LibEndpoint
from pyportainer.models.stacks import Stack as LibStack
from yarl import URL

from ._http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    bad_answer,
    origin,
    parse_base_url,
    read_capped,
    transport_error,
)
from .errors import (
    CannotConnectError,
    InvalidAuthError,
    PandoraError,
    PermissionDeniedError,
    ResponseError,
)
from .models import UpstreamInfo

DEFAULT_ACTION_TIMEOUT: Final = 120.0
"""Seconds a stack start/stop may take (Portainer runs ``docker compose`` meanwhile)."""
DEFAULT_PULL_TIMEOUT: Final = 600.0
"""Seconds an image pull, a recreate or a stack update (pulls included) may take."""
MAX_PULL_LINE: Final = 64 * 1024
"""Bytes of one line of Docker's pull progress stream."""

COMPOSE_PROJECT_LABEL: Final = "com.docker.compose.project"

ENDPOINT_STATUS_UP: Final = 1
STACK_STATUS_ACTIVE: Final = 1

type ContainerAction = Literal["start", "stop", "restart", "pause", "unpause", "kill"]
type StackAction = Literal["start", "stop"]

CONTAINER_ACTIONS: Final = frozenset({"start", "stop", "restart", "pause", "unpause", "kill"})
STACK_ACTIONS: Final = frozenset({"start", "stop"})

# Docker accepts a full or short id or a name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
# Anything else could climb out of the proxied path, so it never leaves here.
_CONTAINER_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# An image id or reference: registry[:port]/path:tag or @sha256:… (no "..", no "//").
_IMAGE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/@-]*")

# What pyportainer's parsing (json + mashumaro) raises on a body of the wrong shape.
_PARSE_ERRORS = (ValueError, LookupError, TypeError, AttributeError)

SERVICE: Final = "Portainer"


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """A Portainer environment (Docker host, agent, Kubernetes …)."""

    id: int
    name: str
    type: int | None
    """Portainer's environment type: 1 Docker, 2 Agent, 4 Edge agent, 5-7 Kubernetes."""
    url: str | None
    status_up: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    """One Docker container of an environment, running or not."""

    id: str
    """Docker's id: it changes whenever the container is recreated."""
    name: str
    """The name without Docker's leading slash: stable, use it as the key."""
    image: str | None
    state: str | None
    """Docker's state: running, exited, paused, restarting, created, removing, dead."""
    status: str | None
    """Docker's human status, e.g. ``Up 3 hours`` or ``Exited (0) 2 days ago``."""
    created: datetime | None
    stack: str | None
    """The compose project the container belongs to, if any."""
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def health(self) -> str | None:
        """``healthy``, ``unhealthy`` or ``starting`` from ``Status``; ``None`` without a check.

        Docker's list writes the health check's state into ``Status``
        (``Up 2 hours (healthy)``, ``Up 3 seconds (health: starting)``), so it
        needs no inspect per container and poll.
        """
        match = _HEALTH.search(self.status or "")
        return match["health"] if match else None


_HEALTH = re.compile(r"\((?:health: )?(?P<health>healthy|unhealthy|starting)\)")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerDetails:
    """What only Docker's container inspect tells (read when a container changes)."""

    started_at: datetime | None
    restart_count: int | None
    oom_killed: bool | None
    exit_code: int | None
    image_id: str | None
    """The id (``sha256:…``) of the image the container runs: it stays when the tag moves."""
    image_reference: str | None
    """What the container was created from (``Config.Image``, e.g. ``jellyfin/jellyfin:10.10``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DockerInfo:
    """Docker's ``/info`` and ``/version`` of one environment."""

    docker_version: str | None
    api_version: str | None
    kernel_version: str | None
    operating_system: str | None
    os_type: str | None
    os_version: str | None
    architecture: str | None
    cpus: int | None
    memory_total: int | None
    containers: int | None
    containers_running: int | None
    containers_paused: int | None
    containers_stopped: int | None
    images: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    """A Docker volume with its size (``/system/df``)."""

    name: str
    driver: str | None
    size: int | None
    """Bytes; ``None`` when Docker did not measure it (``-1``)."""
    ref_count: int | None
    mountpoint: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DiskUsage:
    """Docker's ``/system/df`` of one environment: totals and what is reclaimable."""

    containers_total: int | None
    containers_reclaimable: int | None
    images_total: int | None
    images_reclaimable: int | None
    volumes_total: int | None
    volumes_reclaimable: int | None
    volumes: tuple[Volume, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageDetails:
    """A local image (Docker's image inspect): its id and every registry digest it has."""

    id: str
    repo_digests: tuple[str, ...]
    """``repository@sha256:…`` for every repository the image was pulled from or pushed to."""
    repo_tags: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PruneResult:
    """What a prune removed."""

    deleted: int
    space_reclaimed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerStats:
    """One resource sample of a container, computed as ``docker stats`` does."""

    cpu_percent: float | None
    """CPU use since the previous sample, 100 per core; ``None`` without one."""
    memory_bytes: int | None
    """Memory in use without reclaimable page cache; ``None`` when not running."""
    memory_limit: int | None
    """The container's limit, or the host's memory without a limit."""
    memory_percent: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Stack:
    """A Portainer stack (compose project, swarm stack or Kubernetes manifest)."""

    id: int
    name: str
    type: int | None
    """1 Swarm, 2 Compose, 3 Kubernetes."""
    endpoint_id: int
    active: bool


@dataclass(frozen=True, slots=True)
class _CpuSample:
    """What CPU % needs from one sample."""

    total: int
    system: int


class _CappedSession:
    """The part of ``aiohttp.ClientSession`` pyportainer uses, with our size cap.

    pyportainer awaits ``session.request(...)`` and then ``response.json()``,
    which reads the whole body whatever its size.  This proxy reads the body
    first, in chunks, and refuses it past ``max_bytes`` (or at once when
    ``Content-Length`` says so); the bytes read are left on the response as
    aiohttp's own ``read()`` leaves them, so ``json()``/``text()`` use them.
    Streaming calls (image pulls) are not used by this client.
    """

    def __init__(
        self, session: aiohttp.ClientSession, max_bytes: int, client: PortainerClient
    ) -> None:
        """Wrap ``session``; errors name ``client``'s Portainer."""
        self._session = session
        self._max_bytes = max_bytes
        self._client = client

    async def request(self, method: str, url: Any, **kwargs: Any) -> aiohttp.ClientResponse:
        """Send the request and read its body under the cap."""
        response = await self._session.request(method, url, **kwargs)
        try:
            body = await read_capped(response, self._max_bytes, SERVICE, self._client.origin)
        except ResponseError:  # over the cap
            response.release()
            raise
        if response.status >= 400:
            # What raise_for_status() would raise (pyportainer maps it the same
            # way), carrying the message Portainer put in the body.
            response.release()
            raise _StatusError(
                response.request_info,
                response.history,
                status=response.status,
                message=response.reason or "",
                headers=response.headers,
                detail=_error_detail(body),
            )
        response._body = body  # noqa: SLF001 - what ClientResponse.read() would store
        return response


class _StatusError(aiohttp.ClientResponseError):
    """An error status, with Portainer's (or Docker's) message from the body."""

    def __init__(self, *args: Any, detail: str | None, **kwargs: Any) -> None:
        """Keep ``detail`` next to what ``ClientResponseError`` keeps."""
        super().__init__(*args, **kwargs)
        self.detail = detail


MAX_DETAIL: Final = 200
"""Characters of an upstream error message kept in ours."""


def _error_detail(body: bytes) -> str | None:
    """``message`` (and ``details`` when it adds something) of an error body, one line.

    Portainer answers errors as ``{"message": ..., "details": ...}``; Docker,
    proxied for container routes, as ``{"message": ...}``.
    """
    try:
        data = jsonlib.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    parts = [
        " ".join(value.split())
        for key in ("message", "details")
        if isinstance(value := data.get(key), str) and value.strip()
    ]
    text = "; ".join(dict.fromkeys(parts))
    if not text:
        return None
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _portainer_right(detail: str | None) -> str:
    """The right a Portainer 403 says is missing, from its message (Portainer 2.23's texts)."""
    text = (detail or "").lower()
    if "stack management" in text:
        return "Portainer administrator rights (stack management)"
    if "access denied to resource" in text:
        return "access to this container in Portainer (an administrator or its owner)"
    if "endpoint" in text or "environment" in text:
        return "access to this Portainer environment"
    return "Portainer administrator rights"


class PortainerClient:
    """Typed async access to one Portainer instance through pyportainer."""

    service: Final = SERVICE

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        api_key: str,
        timeout: float = DEFAULT_TIMEOUT,
        action_timeout: float = DEFAULT_ACTION_TIMEOUT,
        pull_timeout: float = DEFAULT_PULL_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Wrap ``pyportainer.Portainer`` on ``session``; ``url`` is validated here."""
        self._session = session
        self._base = parse_base_url(url)
        self._api_key = api_key
        self._timeout = timeout
        self._action_timeout = action_timeout
        self._pull_timeout = pull_timeout
        self._max_bytes = max_bytes
        self._api = Portainer(
            api_url=str(self._base),
            api_key=api_key,
            # pyportainer reads whole bodies; the proxy caps them first
            session=cast("aiohttp.ClientSession", _CappedSession(session, max_bytes, self)),
            request_timeout=timeout,
            max_retries=0,
        )
        self._cpu_samples: dict[tuple[int, str], _CpuSample] = {}
        self._checked_endpoints: tuple[float, list[Endpoint]] | None = None

    @property
    def base_url(self) -> URL:
        """Portainer's base URL (no trailing slash, no ``/api``)."""
        return self._base

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of Portainer, safe to log and show."""
        return origin(self._base)

    # -- public surface ---------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Identify the Portainer instance and check the API key.

        The public status route proves this is Portainer and names it; the
        authenticated environment list proves the key.
        """
        try:
            status = await self._call(self._api.portainer_system_status)
            instance_id, version = status.instance_id, status.version
        except ResponseError as err:
            if err.status != 404:
                raise
            # Portainer before the /system routes only has the deprecated /status.
            legacy = await self._call(lambda: self._get_json("status"))
            if not isinstance(legacy, dict):
                raise self._bad("a status that is not a JSON object") from None
            instance_id, version = legacy.get("InstanceID"), legacy.get("Version")
        if not isinstance(version, str) or not version:
            raise self._bad("a status without a version: is this Portainer?")
        # The key check reads the environments; the first poll, a moment
        # later, may take them instead of asking Portainer again.
        self._checked_endpoints = (asyncio.get_running_loop().time(), await self.async_endpoints())
        unique_id = instance_id if isinstance(instance_id, str) and instance_id else None
        return UpstreamInfo(
            unique_id=unique_id or str(self._base),
            name=f"Portainer {version}",
            version=version,
        )

    async def async_endpoints(self, *, max_age: float = 0.0) -> list[Endpoint]:
        """Return every environment the key's user may see.

        ``max_age`` > 0 accepts, once, the list the credential check read that
        many seconds ago at most (setup then asks Portainer only once).
        """
        checked, self._checked_endpoints = self._checked_endpoints, None
        if checked is not None and asyncio.get_running_loop().time() - checked[0] <= max_age:
            return checked[1]
        raw = await self._call(self._api.get_endpoints)
        return self._parse(lambda: [_endpoint(item) for item in raw])

    async def async_containers(self, endpoint_id: int) -> list[Container]:
        """Return every container of ``endpoint_id``, stopped ones included."""
        raw = await self._call(lambda: self._api.get_containers(endpoint_id))
        containers = self._parse(lambda: [_container(item) for item in raw])
        # Forget CPU samples of containers that are gone (recreated, removed).
        alive = {c.id for c in containers} | {c.name for c in containers}
        for key in [k for k in self._cpu_samples if k[0] == endpoint_id and k[1] not in alive]:
            del self._cpu_samples[key]
        return containers

    async def async_container_stats(self, endpoint_id: int, container_id: str) -> ContainerStats:
        """Return one resource sample of a container (see the module docstring)."""
        ref = _container_ref(container_id)
        raw = await self._call(lambda: self._api.container_stats(endpoint_id, ref))
        key = (endpoint_id, ref)
        previous = self._cpu_samples.get(key)
        stats, sample = self._parse(lambda: _stats(raw, previous))
        if sample is None:
            self._cpu_samples.pop(key, None)
        else:
            self._cpu_samples[key] = sample
        return stats

    async def async_container_details(
        self, endpoint_id: int, container_id: str
    ) -> ContainerDetails:
        """What Docker's inspect tells of a container: start, restarts, OOM, its image.

        The container list has no start time (only the human ``Status``), no
        restart count, no OOM flag and no image id; the inspect route has them.
        """
        ref = _container_ref(container_id)
        raw = await self._call(lambda: self._api.inspect_container(endpoint_id, ref))
        return self._parse(lambda: _details(raw))

    async def async_container_started_at(
        self, endpoint_id: int, container_id: str
    ) -> datetime | None:
        """When a container last started (Docker's ``State.StartedAt``); ``None`` if never."""
        return (await self.async_container_details(endpoint_id, container_id)).started_at

    async def async_docker_info(
        self, endpoint_id: int, known: DockerInfo | None = None
    ) -> DockerInfo:
        """Docker's ``/info`` of an environment, with ``/version``'s API version.

        ``/version`` is read again only when ``/info`` reports another Docker
        version than ``known`` (an upgrade), so a poll costs one request.
        """
        info = await self._call(lambda: self._api.docker_info(endpoint_id))
        api_version = known.api_version if known is not None else None
        if known is None or known.docker_version != info.server_version or api_version is None:
            version = await self._call(lambda: self._api.docker_version(endpoint_id))
            api_version = version.api_version
        return self._parse(
            lambda: DockerInfo(
                docker_version=info.server_version,
                api_version=api_version,
                kernel_version=info.kernel_version,
                operating_system=info.operating_system,
                os_type=info.os_type,
                os_version=info.os_version,
                architecture=info.architecture,
                cpus=info.ncpu,
                memory_total=info.mem_total,
                containers=info.containers,
                containers_running=info.containers_running,
                containers_paused=info.containers_paused,
                containers_stopped=info.containers_stopped,
                images=info.images,
            )
        )

    async def async_disk_usage(self, endpoint_id: int) -> DiskUsage:
        """Docker's ``/system/df`` (slow on big hosts: the caller reads it rarely).

        pyportainer only reads the shape of Docker API 1.52 (``ImageUsage`` …);
        older engines answer ``LayersSize``, ``Images``, ``Containers`` and
        ``Volumes`` lists, so this reads the JSON itself and accepts both.
        """
        raw = await self._call(
            lambda: self._get_json(
                f"endpoints/{endpoint_id}/docker/system/df", query={"verbose": "true"}
            ),
            seconds=self._action_timeout,
        )
        if not isinstance(raw, dict):
            raise self._bad("disk usage that is not a JSON object")
        return self._parse(lambda: _disk_usage(raw))

    async def async_image(self, endpoint_id: int, image: str) -> ImageDetails:
        """Docker's image inspect of ``image`` (an id or a reference): its registry digests."""
        ref = _image_ref(image)
        raw = await self._call(lambda: self._api.get_image(endpoint_id, ref))
        return self._parse(
            lambda: ImageDetails(
                id=raw.id,
                repo_digests=tuple(str(d) for d in raw.repo_digests or ()),
                repo_tags=tuple(str(t) for t in raw.repo_tags or ()),
            )
        )

    async def async_registry_digest(self, endpoint_id: int, reference: str) -> str | None:
        """The digest the registry has for ``reference`` now (Docker's distribution inspect).

        Docker asks the registry (with the credentials Portainer adds), so
        this costs one registry request: callers bound and cache it.
        """
        ref = _image_ref(reference)
        raw = await self._call(lambda: self._api.get_image_information(endpoint_id, ref))
        digest = raw.descriptor.digest if raw.descriptor else None
        return digest if isinstance(digest, str) and digest else None

    async def async_pull_image(self, endpoint_id: int, reference: str) -> AsyncIterator[float]:
        """Pull ``reference``, yielding the overall progress (0-100) as Docker reports it.

        Docker streams one JSON object per line and reports a failed pull as
        an ``error`` line inside a 200 answer: that raises ``ResponseError``.
        This reads the stream itself (pyportainer's streaming reader would
        bypass our size cap); each line is capped, the whole pull is bounded
        by ``pull_timeout``.
        """
        ref = _image_ref(reference)
        progress = ImagePullProgress()
        base_path = self._base.path.rstrip("/")
        url = self._base.with_path(
            f"{base_path}/api/endpoints/{endpoint_id}/docker/images/create"
        ).with_query(fromImage=ref)
        headers = {"Accept": "application/json", "X-API-Key": self._api_key}
        try:
            async with asyncio.timeout(self._pull_timeout):
                async with self._session.post(url, headers=headers) as resp:
                    if resp.status >= 400:
                        body = await read_capped(resp, self._max_bytes, SERVICE, self.origin)
                        raise self._status_error(resp.status, _error_detail(body))
                    while line := await resp.content.readline():
                        if len(line) > MAX_PULL_LINE:
                            raise self._bad("an image pull line that is too long")
                        if not (text := line.strip()):
                            continue
                        event = self._parse(lambda: DockerImagePullEvent.from_json(text))
                        if event.error:
                            detail = " ".join(str(event.error).split())[:MAX_DETAIL]
                            raise ResponseError(
                                f"{SERVICE} at {self.origin} could not pull {ref}. "
                                f"Docker said: {detail}",
                                status=None,
                            )
                        yield progress.update(event)
        except PandoraError:
            raise
        except TimeoutError as err:
            raise CannotConnectError(
                f"{SERVICE} at {self.origin} did not finish pulling {ref} within "
                f"{self._pull_timeout:g} s"
            ) from err
        except aiohttp.ClientError as err:
            raise self._transport_error(err) from err

    async def async_recreate_container(
        self, endpoint_id: int, container_id: str, *, pull: bool
    ) -> str:
        """Recreate a container with all its settings through Portainer; returns the new id.

        Portainer's own route (``POST /api/docker/{env}/containers/{id}/recreate``,
        ``api/docker/container.go`` ``Recreate``) pulls first when asked (a
        failed pull touches nothing), stops the container, renames it
        ``<name>-old``, creates the new one from the old ``Config`` and
        ``HostConfig`` (environment, mounts, labels, restart policy, ports),
        reconnects every network and starts it; if any step after the rename
        fails it renames the old one back, reconnects and starts it again.
        """
        ref = _container_ref(container_id)
        limit = timedelta(seconds=self._pull_timeout)
        raw = await self._call(
            lambda: self._api.container_recreate(
                endpoint_id=endpoint_id, container_id=ref, timeout=limit, pull_image=pull
            ),
            seconds=self._pull_timeout,
        )
        return raw.id

    async def async_prune_images(
        self, endpoint_id: int, *, dangling: bool, until: timedelta | None = None
    ) -> PruneResult:
        """Remove unused images (only untagged ones with ``dangling``), older than ``until``."""
        raw = await self._call(
            lambda: self._api.images_prune(endpoint_id, until, dangling=dangling),
            seconds=self._action_timeout,
        )
        return PruneResult(
            deleted=len(raw.images_deleted or ()), space_reclaimed=raw.space_reclaimed or 0
        )

    async def async_prune_volumes(self, endpoint_id: int) -> PruneResult:
        """Remove anonymous volumes no container uses (Docker's default prune)."""
        raw = await self._call(
            lambda: self._api.prune_volumes(endpoint_id), seconds=self._action_timeout
        )
        if not isinstance(raw, dict):
            return PruneResult(deleted=0, space_reclaimed=0)
        deleted = raw.get("VolumesDeleted") or []
        space = raw.get("SpaceReclaimed") or 0
        return PruneResult(
            deleted=len(deleted) if isinstance(deleted, list) else 0,
            space_reclaimed=space if isinstance(space, int) else 0,
        )

    async def async_update_stack(self, stack_id: int, endpoint_id: int) -> Stack:
        """Pull every image of a stack and redeploy it (Portainer's stack update).

        pyportainer re-sends the stack's current file and environment
        (``PUT /api/stacks/{id}?endpointId=N`` with ``PullImage``), or asks a
        git stack to redeploy from its repository.
        """
        limit = timedelta(seconds=self._pull_timeout)
        raw = await self._call(
            lambda: self._api.update_stack(endpoint_id, stack_id, pull_image=True, timeout=limit),
            seconds=self._pull_timeout,
        )
        return self._parse(lambda: _stack(raw))

    async def async_container_action(
        self, endpoint_id: int, container_id: str, action: ContainerAction
    ) -> None:
        """Start, stop, restart, pause, resume or kill a container; already so is fine (304)."""
        if action not in CONTAINER_ACTIONS:
            raise ValueError(f"unknown container action {action!r}")
        ref = _container_ref(container_id)
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "start": lambda: self._api.start_container(endpoint_id, ref),
            "stop": lambda: self._api.stop_container(endpoint_id, ref),
            "restart": lambda: self._api.restart_container(endpoint_id, ref),
            "pause": lambda: self._api.pause_container(endpoint_id, ref),
            "unpause": lambda: self._api.unpause_container(endpoint_id, ref),
            "kill": lambda: self._api.kill_container(endpoint_id, ref),
        }
        # Docker's stop grace period is 10 s, inside the default read timeout.
        await self._call(calls[action])

    async def async_stacks(self) -> list[Stack]:
        """Return every stack the key's user may see."""
        raw = await self._call(self._api.get_stacks)
        return self._parse(lambda: [_stack(item) for item in raw])

    async def async_stack_action(
        self, stack_id: int, endpoint_id: int, action: StackAction
    ) -> Stack:
        """Start or stop a stack and return it; already in that state is fine."""
        if action not in STACK_ACTIONS:
            raise ValueError(f"unknown stack action {action!r}")
        limit = timedelta(seconds=self._action_timeout)
        call = self._api.start_stack if action == "start" else self._api.stop_stack
        try:
            raw = await self._call(
                lambda: call(endpoint_id, stack_id, limit), seconds=self._action_timeout
            )
        except ResponseError as err:
            if err.status != 400:
                raise
            # "Stack is already active/inactive" is a 400: check the state, not the wording.
            fetched = await self._call(lambda: self._api.get_stack(stack_id))
            current = self._parse(lambda: _stack(fetched))
            if current.active != (action == "start"):
                raise
            return current
        return self._parse(lambda: _stack(raw))

    # -- the one error mapping ---------------------------------------------------------

    async def _call[T](
        self, call: Callable[[], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        """Run one pyportainer (or helper) call and map whatever it raises.

        The extra ``asyncio.timeout`` also bounds reading the body, which
        pyportainer's own timeout does not cover.
        """
        limit = self._timeout if seconds is None else seconds
        try:
            async with asyncio.timeout(limit):
                return await call()
        except PandoraError:
            raise
        except (PortainerTimeoutError, TimeoutError) as err:
            raise CannotConnectError(
                f"{SERVICE} at {self.origin} did not answer within {limit:g} s"
            ) from err
        except PortainerAuthenticationError as err:
            raise self._status_error(401, _detail_of(err.__cause__)) from err
        except PortainerNotFoundError as err:
            raise self._status_error(404, _detail_of(err.__cause__)) from err
        except PortainerConnectionError as err:
            raise self._transport_error(err.__cause__) from err
        except PortainerError as err:
            # pyportainer's only bare PortainerError here: a 200 that is not JSON.
            raise self._bad("an answer that is not JSON: is the URL Portainer's?") from err
        except aiohttp.ClientError as err:
            raise self._transport_error(err) from err
        except _PARSE_ERRORS as err:
            raise self._bad("an answer that is not valid JSON of the expected shape") from err

    def _parse[R](self, build: Callable[[], R]) -> R:
        """Convert pyportainer's models into ours; a field of the wrong type is a bad answer."""
        try:
            return build()
        except _PARSE_ERRORS as err:
            raise self._bad("an answer with fields of the wrong type") from err

    def _transport_error(self, cause: BaseException | None) -> PandoraError:
        """Map an aiohttp error (or pyportainer's wrapped cause) onto ours."""
        if isinstance(cause, aiohttp.ContentTypeError):
            return self._bad("an answer that is not JSON: is the URL Portainer's?")
        if isinstance(cause, aiohttp.ClientResponseError):
            return self._status_error(cause.status, _detail_of(cause))
        return transport_error(SERVICE, self.origin, cause)

    def _status_error(self, status: int, detail: str | None = None) -> PandoraError:
        """Map an HTTP error status onto ours, with Portainer's own message when it sent one."""
        said = f" Portainer said: {detail}" if detail else ""
        if status == 401:
            return InvalidAuthError(
                f"{SERVICE} at {self.origin} rejected the API key (HTTP 401); create a new "
                f"access token in Portainer (My account > Access tokens).{said}"
            )
        if status == 403:
            return PermissionDeniedError(
                f"{SERVICE} at {self.origin} does not allow this to the token's user "
                f"(HTTP 403); use an access token of an administrator or of a user who "
                f"may manage this environment.{said}",
                right=_portainer_right(detail),
            )
        if status >= 500:
            return CannotConnectError(
                f"{SERVICE} at {self.origin} answered HTTP {status}; it or the Docker "
                f"environment behind it may be starting up or failing.{said}"
            )
        if status == 404:
            return ResponseError(
                f"{SERVICE} at {self.origin} does not know this resource (HTTP 404); it may "
                f"have been removed or recreated.{said}",
                status=404,
            )
        return ResponseError(
            f"{SERVICE} at {self.origin} refused the request (HTTP {status}).{said}",
            status=status,
        )

    def _bad(self, what: str) -> ResponseError:
        """Build the error for an answer that does not have the expected shape."""
        return bad_answer(SERVICE, self.origin, what)

    # -- the one private request (a route pyportainer does not call) -------------------

    async def _get_json(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        """GET ``/api/<path>`` as pyportainer would, with a size cap.

        Raises aiohttp's errors; ``_call`` maps them like pyportainer's.
        """
        base_path = self._base.path.rstrip("/")
        url = self._base.with_path(f"{base_path}/api/{path}").with_query(query or {})
        headers = {"Accept": "application/json", "X-API-Key": self._api_key}
        async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
            resp.raise_for_status()
            if resp.status != 200 or "json" not in resp.content_type:
                raise self._bad("an answer that is not JSON: is the URL Portainer's?")
            body = await read_capped(resp, self._max_bytes, SERVICE, self.origin)
        return jsonlib.loads(body)


# -- parsing at the edge ------------------------------------------------------------------


def _detail_of(error: BaseException | None) -> str | None:
    """The upstream's message carried by an error status from our session proxy."""
    return error.detail if isinstance(error, _StatusError) else None


def _container_ref(container_id: str) -> str:
    """Return ``container_id`` if it is a Docker id or name, else raise ``ValueError``."""
    if not isinstance(container_id, str) or not _CONTAINER_REF.fullmatch(container_id):
        raise ValueError("not a Docker container id or name")
    return container_id


def _image_ref(image: str) -> str:
    """Return ``image`` if it is an image id or reference, else raise ``ValueError``."""
    if (
        not isinstance(image, str)
        or not _IMAGE_REF.fullmatch(image)
        or ".." in image
        or "//" in image
        or len(image) > 512
    ):
        raise ValueError("not a Docker image id or reference")
    return image


def _details(raw: DockerInspect) -> ContainerDetails:
    """Convert pyportainer's container inspect."""
    state = raw.state
    image = raw.image if isinstance(raw.image, str) and raw.image else None
    config_image = raw.config.image if raw.config is not None else None
    return ContainerDetails(
        started_at=_docker_time(state.started_at if state else None),
        restart_count=raw.restart_count,
        oom_killed=state.oom_killed if state else None,
        exit_code=state.exit_code if state else None,
        image_id=image,
        image_reference=config_image if isinstance(config_image, str) and config_image else None,
    )


def _size(value: object) -> int | None:
    """A byte count of Docker's (``-1`` means not measured)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _disk_usage(raw: dict[str, Any]) -> DiskUsage:
    """``/system/df`` in either shape (API 1.52 summaries, or the older lists)."""
    summaries = {
        key: raw.get(key) if isinstance(raw.get(key), dict) else None
        for key in ("ContainerUsage", "ImageUsage", "VolumeUsage")
    }
    volume_items: list[Any]
    if all(summaries.values()):
        containers, images, volumes = (
            cast("dict[str, Any]", summaries[k])
            for k in ("ContainerUsage", "ImageUsage", "VolumeUsage")
        )
        volume_items = list(volumes.get("Items") or [])
        usage = DiskUsage(
            containers_total=_size(containers.get("TotalSize")),
            containers_reclaimable=_size(containers.get("Reclaimable")),
            images_total=_size(images.get("TotalSize")),
            images_reclaimable=_size(images.get("Reclaimable")),
            volumes_total=_size(volumes.get("TotalSize")),
            volumes_reclaimable=_size(volumes.get("Reclaimable")),
        )
    else:
        # Docker before API 1.52: sum the lists as the docker CLI does.
        container_items = [c for c in raw.get("Containers") or [] if isinstance(c, dict)]
        image_items = [i for i in raw.get("Images") or [] if isinstance(i, dict)]
        volume_items = list(raw.get("Volumes") or [])
        unused_images = [i for i in image_items if not i.get("Containers")]
        volume_sizes = [_volume(v) for v in volume_items if isinstance(v, dict)]
        usage = DiskUsage(
            containers_total=sum(_size(c.get("SizeRw")) or 0 for c in container_items),
            containers_reclaimable=sum(
                _size(c.get("SizeRw")) or 0 for c in container_items if c.get("State") != "running"
            ),
            images_total=_size(raw.get("LayersSize")),
            images_reclaimable=sum(
                (_size(i.get("Size")) or 0) - max(_size(i.get("SharedSize")) or 0, 0)
                for i in unused_images
            ),
            volumes_total=sum(v.size or 0 for v in volume_sizes),
            volumes_reclaimable=sum(v.size or 0 for v in volume_sizes if not v.ref_count),
        )
    parsed = tuple(_volume(v) for v in volume_items if isinstance(v, dict))
    return replace(usage, volumes=parsed)


def _volume(raw: dict[str, Any]) -> Volume:
    """One volume of ``/system/df``."""
    found = raw.get("UsageData")
    usage: dict[str, Any] = found if isinstance(found, dict) else {}
    name = raw["Name"]
    if not isinstance(name, str) or not name:
        raise ValueError("a volume without a name")
    ref_count = usage.get("RefCount")
    return Volume(
        name=name,
        driver=raw.get("Driver") if isinstance(raw.get("Driver"), str) else None,
        size=_size(usage.get("Size")),
        ref_count=ref_count if isinstance(ref_count, int) and ref_count >= 0 else None,
        mountpoint=raw.get("Mountpoint") if isinstance(raw.get("Mountpoint"), str) else None,
    )


def _endpoint(raw: LibEndpoint) -> Endpoint:
    """Convert pyportainer's environment."""
    return Endpoint(
        id=raw.id,
        name=raw.name or f"Environment {raw.id}",
        type=raw.type,
        url=raw.url or None,
        status_up=raw.status == ENDPOINT_STATUS_UP,
    )


def _container(raw: DockerContainer) -> Container:
    """Convert pyportainer's container list entry."""
    names = [n.lstrip("/") for n in raw.names if isinstance(n, str) and n.strip("/")]
    # Legacy links add names like "/web/db"; the container's own has no inner slash.
    name = next((n for n in names if "/" not in n), names[0] if names else raw.id[:12])
    labels = {str(k): str(v) for k, v in (raw.labels or {}).items()}
    return Container(
        id=raw.id,
        name=name,
        image=raw.image or None,
        state=raw.state or None,
        status=raw.status or None,
        created=_timestamp(raw.created),
        stack=labels.get(COMPOSE_PROJECT_LABEL) or None,
        labels=labels,
    )


def _timestamp(value: str | None) -> datetime | None:
    """Docker's ``Created`` (unix seconds; pyportainer makes it a string) as UTC."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(float(value)), tz=UTC)
    except ValueError, OverflowError, OSError:
        return None


_DOCKER_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})")


def _docker_time(value: str | None) -> datetime | None:
    """Docker's RFC 3339 time with nanoseconds as UTC; its zero time (never) is ``None``."""
    if not value or (match := _DOCKER_TIME.fullmatch(value)) is None:
        return None
    whole, fraction, zone = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]
    parsed = datetime.fromisoformat(f"{whole}.{micro}{'+00:00' if zone == 'Z' else zone}")
    if parsed.year <= 1:
        return None
    return parsed.astimezone(UTC)


def _stack(raw: LibStack) -> Stack:
    """Convert pyportainer's stack."""
    return Stack(
        id=raw.id,
        name=raw.name,
        type=raw.type,
        endpoint_id=raw.endpoint_id,
        active=raw.status == STACK_STATUS_ACTIVE,
    )


def _stats(
    raw: DockerContainerStats, previous: _CpuSample | None
) -> tuple[ContainerStats, _CpuSample | None]:
    """Compute a sample as ``docker stats`` does; also return the CPU sample to keep."""
    cpu = raw.cpu_stats
    memory = raw.memory_stats
    running = cpu.system_cpu_usage > 0 or memory.limit > 0
    if not running:
        # Docker answers zeros for a container that is not running.
        return ContainerStats(
            cpu_percent=None, memory_bytes=None, memory_limit=None, memory_percent=None
        ), None
    sample = _CpuSample(cpu.cpu_usage.total_usage, cpu.system_cpu_usage)
    pre = raw.precpu_stats
    if pre is not None and pre.system_cpu_usage > 0:
        previous = _CpuSample(pre.cpu_usage.total_usage, pre.system_cpu_usage)
    cpu_percent: float | None = None
    if previous is not None and sample.system > previous.system:
        cores = cpu.online_cpus or len(cpu.cpu_usage.percpu_usage) or 1
        cpu_delta = sample.total - previous.total
        system_delta = sample.system - previous.system
        cpu_percent = cpu_delta / system_delta * cores * 100.0 if cpu_delta > 0 else 0.0
    details = memory.stats
    used = memory.usage
    if 0 < details.total_inactive_file < used:  # cgroup v1
        used -= details.total_inactive_file
    elif details.inactive_file < used:  # cgroup v2
        used -= details.inactive_file
    limit = memory.limit or None
    return ContainerStats(
        cpu_percent=cpu_percent,
        memory_bytes=used,
        memory_limit=limit,
        memory_percent=used / limit * 100.0 if limit else None,
    ), sample
