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
* *Size cap.*  pyportainer reads whole bodies; our cap cannot be imposed on it
  without owning the session.  The timeout bounds how long a hostile upstream
  can stream, and an oversized body never has the expected shape, so it ends
  as ``ResponseError``.  The one request we send ourselves is capped.
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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
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
from pyportainer.models.docker import DockerContainer, DockerContainerStats
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

COMPOSE_PROJECT_LABEL: Final = "com.docker.compose.project"

ENDPOINT_STATUS_UP: Final = 1
STACK_STATUS_ACTIVE: Final = 1

type ContainerAction = Literal["start", "stop", "restart"]
type StackAction = Literal["start", "stop"]

CONTAINER_ACTIONS: Final = frozenset({"start", "stop", "restart"})
STACK_ACTIONS: Final = frozenset({"start", "stop"})

# Docker accepts a full or short id or a name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
# Anything else could climb out of the proxied path, so it never leaves here.
_CONTAINER_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

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
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Wrap ``pyportainer.Portainer`` on ``session``; ``url`` is validated here."""
        self._session = session
        self._base = parse_base_url(url)
        self._api_key = api_key
        self._timeout = timeout
        self._action_timeout = action_timeout
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

    async def async_container_started_at(
        self, endpoint_id: int, container_id: str
    ) -> datetime | None:
        """When a container last started (Docker's ``State.StartedAt``, from inspect).

        The container list has no start time, only the human ``Status``; the
        inspect route has the exact one.  ``None`` when it never started.
        """
        ref = _container_ref(container_id)
        raw = await self._call(lambda: self._api.inspect_container(endpoint_id, ref))
        return self._parse(lambda: _docker_time(raw.state.started_at if raw.state else None))

    async def async_container_action(
        self, endpoint_id: int, container_id: str, action: ContainerAction
    ) -> None:
        """Start, stop or restart a container; already in that state is fine (304)."""
        if action not in CONTAINER_ACTIONS:
            raise ValueError(f"unknown container action {action!r}")
        ref = _container_ref(container_id)
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "start": lambda: self._api.start_container(endpoint_id, ref),
            "stop": lambda: self._api.stop_container(endpoint_id, ref),
            "restart": lambda: self._api.restart_container(endpoint_id, ref),
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

    async def _get_json(self, path: str) -> Any:
        """GET ``/api/<path>`` as pyportainer would, with a size cap.

        Raises aiohttp's errors; ``_call`` maps them like pyportainer's.
        """
        base_path = self._base.path.rstrip("/")
        url = self._base.with_path(f"{base_path}/api/{path}")
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
