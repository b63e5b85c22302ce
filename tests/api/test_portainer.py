"""The Portainer client (pyportainer underneath) against the Portainer simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from pyportainer.exceptions import PortainerError
from pyportainer.models.docker import DockerContainer
import pytest

from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    PandoraError,
    PermissionDeniedError,
    ResponseError,
)
from custom_components.pandora_box.api.portainer import (
    Container,
    ContainerStats,
    Endpoint,
    PortainerClient,
    PruneResult,
    Stack,
    _container,
    _docker_time,
    _error_detail,
)
from simulators.portainer import HOST_MEMORY, PortainerSimulator, human_duration

MIB = 1024 * 1024


@pytest.fixture
async def sim() -> AsyncIterator[PortainerSimulator]:
    """A Portainer simulator with a second environment that is down."""
    simulator = PortainerSimulator(with_down_endpoint=True)
    await simulator.start()
    yield simulator
    await simulator.stop()


def client(
    session: aiohttp.ClientSession, sim: PortainerSimulator, **kwargs: Any
) -> PortainerClient:
    """A client of ``sim`` with its current key unless ``api_key`` is given."""
    kwargs.setdefault("api_key", sim.api_key)
    return PortainerClient(session, sim.url, **kwargs)


def by_name(containers: list[Container]) -> dict[str, Container]:
    return {c.name: c for c in containers}


# -- construction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://portainer.lan", "http://", "http://admin:pw@portainer.lan", "not a url"]
)
def test_bad_url_is_value_error(session: aiohttp.ClientSession, url: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the reason text varies by URL
        PortainerClient(session, url, api_key="ptr_x")


def test_base_url_and_origin(session: aiohttp.ClientSession) -> None:
    api = PortainerClient(session, "https://portainer.lan:9443/", api_key="ptr_x")
    assert str(api.base_url) == "https://portainer.lan:9443/"
    assert api.origin == "https://portainer.lan:9443"


# -- get_info ------------------------------------------------------------------------------


async def test_get_info(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    info = await client(session, sim).async_get_info()
    assert info.unique_id == sim.instance_id
    assert info.name == "Portainer 2.27.6"
    assert info.version == "2.27.6"
    # Identity from the public route, the key checked with an authenticated one.
    assert sim.count("/api/system/status") == 1
    assert sim.count("/api/endpoints") == 1
    assert not session.closed  # the library must never close the injected session


async def test_get_info_on_portainer_without_system_routes(
    session: aiohttp.ClientSession,
) -> None:
    sim = PortainerSimulator(legacy_status_only=True, version="2.11.1", instance_id="abc-123")
    await sim.start()
    try:
        info = await client(session, sim).async_get_info()
    finally:
        await sim.stop()
    assert (info.unique_id, info.name, info.version) == ("abc-123", "Portainer 2.11.1", "2.11.1")
    assert sim.count("/api/status") == 1


async def test_get_info_bad_key(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    with pytest.raises(InvalidAuthError) as err:
        await client(session, sim, api_key="ptr_wrong").async_get_info()
    assert "ptr_wrong" not in str(err.value)
    assert "access token" in str(err.value)
    assert "Portainer said: Invalid JWT token; Unauthorized" in str(err.value)


async def test_get_info_without_key(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    """No key at all: Portainer's "missing" text, still invalid auth."""
    with pytest.raises(InvalidAuthError) as err:
        await client(session, sim, api_key="").async_get_info()
    assert "Portainer said: A valid authorization token is missing; Unauthorized" in str(err.value)


async def test_get_info_after_key_rotation(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    await api.async_get_info()
    old_key = sim.api_key
    sim.rotate_credentials(api_key="ptr_newkey")
    with pytest.raises(InvalidAuthError) as err:
        await api.async_get_info()
    assert old_key not in str(err.value)


async def test_get_info_of_something_else(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    sim.set_fault("status", status=404)  # a web server without Portainer's routes
    with pytest.raises(ResponseError) as err:
        await client(session, sim).async_get_info()
    assert err.value.status == 404
    assert sim.count("/api/status") == 1  # the legacy route was tried too


async def test_get_info_plain_text_answer(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    sim.set_fault("status", status=200)  # 200 text/plain: not Portainer
    with pytest.raises(ResponseError, match="not JSON"):
        await client(session, sim).async_get_info()


async def test_get_info_without_version(session: aiohttp.ClientSession) -> None:
    sim = PortainerSimulator(version="")
    await sim.start()
    try:
        with pytest.raises(ResponseError, match="without a version"):
            await client(session, sim).async_get_info()
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        ({"mode": "status", "status": 200}, "not JSON"),
        ({"mode": "oversized", "size": 256 * 1024}, "larger than"),
    ],
)
async def test_get_info_legacy_status_bad_answer(
    session: aiohttp.ClientSession, fault: dict[str, Any], match: str
) -> None:
    sim = PortainerSimulator(legacy_status_only=True)
    await sim.start()
    try:
        sim.set_fault(**fault, path="/api/status")
        with pytest.raises(ResponseError, match=match):
            await client(session, sim, max_bytes=64 * 1024).async_get_info()
    finally:
        await sim.stop()


async def test_tls_to_a_plain_http_port(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = PortainerClient(session, sim.url.replace("http:", "https:"), api_key=sim.api_key)
    with pytest.raises(CannotConnectError, match="TLS"):
        await api.async_endpoints()


class OddShapes(PortainerSimulator):
    """Answers /api/endpoints with whatever JSON the test puts in ``body``."""

    body: Any = None

    async def _endpoints(self, request: web.Request) -> web.Response:
        return web.json_response(self.body)


@pytest.mark.parametrize(
    "body",
    [
        {"not": "a list"},
        [{"Name": "no id"}],
        [{"Id": "one", "Name": "local"}],
        ["just a string"],
        [{"Id": 1, "Snapshots": "nope"}],
        None,
    ],
)
async def test_answer_of_the_wrong_shape(session: aiohttp.ClientSession, body: Any) -> None:
    sim = OddShapes()
    sim.body = body
    await sim.start()
    try:
        with pytest.raises(ResponseError, match="sent an answer"):
            await client(session, sim).async_endpoints()
    finally:
        await sim.stop()


def test_conversion_errors_are_bad_answers(session: aiohttp.ClientSession) -> None:
    api = PortainerClient(session, "http://portainer.lan:9000", api_key="ptr_x")
    with pytest.raises(ResponseError, match="wrong type"):
        api._parse(lambda: int("twelve"))


# -- environments and containers -----------------------------------------------------------


async def test_endpoints(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    endpoints = await client(session, sim).async_endpoints()
    assert endpoints == [
        Endpoint(id=1, name="local", type=1, url="unix:///var/run/docker.sock", status_up=True),
        Endpoint(id=2, name="nas", type=2, url="tcp://192.168.1.20:9001", status_up=False),
    ]
    sim.set_endpoint_up(1, up=False)
    assert [e.status_up for e in await client(session, sim).async_endpoints()] == [False, False]


async def test_containers_all_states(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    containers = by_name(await client(session, sim).async_containers(1))
    assert set(containers) == {"qbittorrent", "jackett", "jellyfin", "cloudcmd", "watchtower"}
    qbit = containers["qbittorrent"]
    assert qbit.id == sim.container("qbittorrent").id
    assert qbit.image == "lscr.io/linuxserver/qbittorrent:5.0.4"
    assert qbit.state == "running"
    assert qbit.status is not None
    assert qbit.status.startswith("Up ")
    assert qbit.stack == "pandora"
    assert qbit.labels["com.docker.compose.service"] == "qbittorrent"
    assert isinstance(qbit.created, datetime)
    assert qbit.created.tzinfo == UTC
    assert qbit.created.timestamp() == sim.container("qbittorrent").created
    watchtower = containers["watchtower"]
    assert watchtower.state == "exited"
    assert watchtower.stack is None
    assert watchtower.status is not None
    assert watchtower.status.startswith("Exited (0) ")
    assert sim.requests[-1].query == {"all": "1"}  # stopped ones asked for explicitly


async def test_fleet_of_containers(session: aiohttp.ClientSession) -> None:
    sim = PortainerSimulator(extra_containers=600)
    await sim.start()
    try:
        containers = await client(session, sim).async_containers(1)
    finally:
        await sim.stop()
    assert len(containers) == 605
    workers = [c for c in containers if c.name.startswith("worker-")]
    assert sum(c.state == "exited" for c in workers) == 200


async def test_containers_of_down_environment(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    with pytest.raises(CannotConnectError, match="HTTP 502"):
        await client(session, sim).async_containers(2)


async def test_containers_of_unknown_environment(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    with pytest.raises(ResponseError) as err:
        await client(session, sim).async_containers(99)
    assert err.value.status == 404


async def test_recreated_container_keeps_name_not_id(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    before = by_name(await api.async_containers(1))["jellyfin"]
    new_id = sim.recreate_container("jellyfin")
    after = by_name(await api.async_containers(1))["jellyfin"]
    assert after.id == new_id != before.id
    assert (after.name, after.image, after.stack) == (before.name, before.image, before.stack)
    with pytest.raises(ResponseError) as err:
        await api.async_container_stats(1, before.id)
    assert err.value.status == 404


async def test_container_started_at(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    jellyfin = by_name(await api.async_containers(1))["jellyfin"]
    started = await api.async_container_started_at(1, jellyfin.id)
    assert started is not None
    assert started.tzinfo is UTC
    assert abs(started.timestamp() - sim.container("jellyfin").started_at) < 0.001
    new_id = sim.recreate_container("jellyfin")
    again = await api.async_container_started_at(1, new_id)
    assert again is not None
    assert again > started
    with pytest.raises(ResponseError) as err:
        await api.async_container_started_at(1, "missing")
    assert err.value.status == 404


def test_docker_time_parsing() -> None:
    assert _docker_time("0001-01-01T00:00:00Z") is None
    assert _docker_time(None) is None
    assert _docker_time("yesterday") is None
    assert _docker_time("2025-03-01T10:20:30.123456789Z") == datetime(
        2025, 3, 1, 10, 20, 30, 123456, tzinfo=UTC
    )
    assert _docker_time("2025-03-01T12:20:30+02:00") == datetime(2025, 3, 1, 10, 20, 30, tzinfo=UTC)


def test_container_parsing_edge_cases() -> None:
    linked = _container(
        DockerContainer.from_dict(
            {"Id": "a" * 64, "Names": ["/web/db", "/db"], "Created": "not a time", "Labels": None}
        )
    )
    assert (linked.name, linked.created, linked.labels, linked.stack) == ("db", None, {}, None)
    nameless = _container(DockerContainer.from_dict({"Id": "b" * 64, "Names": []}))
    assert (nameless.name, nameless.created, nameless.image) == ("b" * 12, None, None)


# -- stats ---------------------------------------------------------------------------------


async def test_stats_cgroup_v2_math(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    cid = sim.container("jellyfin").id
    sim.set_stats(
        "jellyfin",
        cpu_total=2_000_000_000,
        system_cpu=100_000_000_000,
        online_cpus=4,
        memory_usage=300 * MIB,
        inactive_file=100 * MIB,
        memory_limit=1024 * MIB,
    )
    first = await api.async_container_stats(1, cid)
    # One-shot samples carry no precpu_stats: no CPU figure without a previous read.
    assert first == ContainerStats(
        cpu_percent=None,
        memory_bytes=200 * MIB,  # usage minus inactive_file
        memory_limit=1024 * MIB,
        memory_percent=19.53125,  # 200 / 1024 * 100
    )
    sim.set_stats(
        "jellyfin",
        cpu_total=2_500_000_000,  # +0.5 s of CPU …
        system_cpu=110_000_000_000,  # … in 10 s of 4 cores' system time
        online_cpus=4,
        memory_usage=300 * MIB,
        inactive_file=100 * MIB,
        memory_limit=1024 * MIB,
    )
    second = await api.async_container_stats(1, cid)
    assert second.cpu_percent == pytest.approx(20.0)  # 0.5 / 10 * 4 * 100


async def test_stats_cgroup_v1_math(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    cid = sim.container("qbittorrent").id
    pinned = {
        "online_cpus": 2,
        "memory_usage": 500 * MIB,
        "cache": 200 * MIB,
        "inactive_file": 120 * MIB,
        "memory_limit": 2000 * MIB,
        "cgroup": 1,
    }
    sim.set_stats("qbittorrent", cpu_total=10**9, system_cpu=50 * 10**9, **pinned)
    await api.async_container_stats(1, cid)
    sim.set_stats("qbittorrent", cpu_total=4 * 10**9, system_cpu=70 * 10**9, **pinned)
    stats = await api.async_container_stats(1, cid)
    # Current docker CLI on cgroup v1: usage - total_inactive_file (not - cache).
    assert stats.memory_bytes == 380 * MIB
    assert stats.memory_percent == pytest.approx(19.0)  # 380 / 2000 * 100
    assert stats.cpu_percent == pytest.approx(30.0)  # 3 / 20 * 2 * 100


async def test_stats_idle_container_is_zero_not_none(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    cid = sim.container("cloudcmd").id
    values = {"memory_usage": 50 * MIB, "inactive_file": 60 * MIB}  # cache above usage
    sim.set_stats("cloudcmd", cpu_total=10**9, system_cpu=10**12, **values)
    await api.async_container_stats(1, cid)
    sim.set_stats("cloudcmd", cpu_total=10**9, system_cpu=10**12 + 4 * 10**10, **values)
    stats = await api.async_container_stats(1, cid)
    assert stats.cpu_percent == 0.0
    assert stats.memory_bytes == 50 * MIB  # docker keeps usage when inactive_file >= usage
    assert stats.memory_limit == HOST_MEMORY


async def test_stats_vary_between_reads(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    cid = sim.container("jellyfin").id
    reads = [await api.async_container_stats(1, cid) for _ in range(4)]
    assert reads[0].cpu_percent is None
    cpu = [r.cpu_percent for r in reads[1:]]
    assert all(c is not None and 0 < c < 100 for c in cpu)
    assert len(set(cpu)) > 1
    assert len({r.memory_bytes for r in reads}) > 1
    assert sim.requests[-1].query == {"stream": "false", "one-shot": "true"}


async def test_stats_from_docker_without_one_shot(session: aiohttp.ClientSession) -> None:
    sim = PortainerSimulator(docker_one_shot=False)  # Docker API < 1.41 fills precpu_stats
    await sim.start()
    try:
        api = client(session, sim)
        stats = await api.async_container_stats(1, sim.container("jellyfin").id)
    finally:
        await sim.stop()
    # jellyfin's pattern: 0.35 cores x 1.35 on the first sample = 47.25 % of one core.
    assert stats.cpu_percent == pytest.approx(47.25)


async def test_cpu_samples_of_gone_containers_are_forgotten(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    old_id = sim.container("jellyfin").id
    await api.async_container_stats(1, old_id)
    await api.async_container_stats(1, "qbittorrent")  # by name: kept while it exists
    sim.recreate_container("jellyfin")
    await api.async_containers(1)
    assert set(api._cpu_samples) == {(1, "qbittorrent")}


async def test_stats_of_stopped_container(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    stats = await client(session, sim).async_container_stats(1, sim.container("watchtower").id)
    assert stats == ContainerStats(
        cpu_percent=None, memory_bytes=None, memory_limit=None, memory_percent=None
    )


# -- container actions ---------------------------------------------------------------------


async def test_container_actions(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    api = client(session, sim)
    cid = sim.container("jackett").id
    await api.async_container_action(1, cid, "stop")
    assert sim.container("jackett").state == "exited"
    await api.async_container_action(1, cid, "stop")  # 304: already stopped, not an error
    assert sim.container("jackett").state == "exited"
    await api.async_container_action(1, cid, "start")
    assert sim.container("jackett").state == "running"
    await api.async_container_action(1, cid, "start")  # 304 again
    sim.container("jackett").started_at -= 3600
    await api.async_container_action(1, cid, "restart")
    assert sim.container("jackett").state == "running"
    assert by_name(await api.async_containers(1))["jackett"].status == "Up Less than a second"
    assert sim.count(f"/api/endpoints/1/docker/containers/{cid}/", method="POST") == 5


async def test_start_stopped_standalone_container(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    await api.async_container_action(1, sim.container("watchtower").id, "start")
    assert by_name(await api.async_containers(1))["watchtower"].state == "running"


async def test_container_action_unknown_container(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    with pytest.raises(ResponseError) as err:
        await client(session, sim).async_container_action(1, "deadbeef0000", "start")
    assert err.value.status == 404
    # Docker's words, which pyportainer drops, reach our message
    assert str(err.value).endswith("Portainer said: No such container: deadbeef0000")


@pytest.mark.parametrize(
    ("container_id", "action"),
    [("../../../system/status", "start"), ("a/b", "stop"), ("", "start"), ("abc", "remove")],
)
async def test_container_action_bad_input(
    session: aiohttp.ClientSession, sim: PortainerSimulator, container_id: str, action: Any
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the reason is for the developer
        await client(session, sim).async_container_action(1, container_id, action)
    assert sim.count("/api/") == 0  # refused before anything was sent


# -- stacks --------------------------------------------------------------------------------


async def test_stacks(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    assert await client(session, sim).async_stacks() == [
        Stack(id=1, name="pandora", type=2, endpoint_id=1, active=True)
    ]


async def test_stack_stop_and_start(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    before = by_name(await api.async_containers(1))
    stopped = await api.async_stack_action(1, 1, "stop")
    assert stopped == Stack(id=1, name="pandora", type=2, endpoint_id=1, active=False)
    assert sim.requests[-1].query == {"endpointId": "1"}
    # Portainer stops a compose stack with `docker compose down`: containers are removed.
    assert set(by_name(await api.async_containers(1))) == {"watchtower"}
    assert not (await api.async_stacks())[0].active

    started = await api.async_stack_action(1, 1, "start")
    assert started.active
    after = by_name(await api.async_containers(1))
    assert set(after) == set(before)
    for name in ("qbittorrent", "jackett", "jellyfin", "cloudcmd"):
        assert after[name].state == "running"
        assert after[name].id != before[name].id  # recreated: same name, new id
    assert after["watchtower"].id == before["watchtower"].id


async def test_stack_action_already_in_that_state(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    stack = await api.async_stack_action(1, 1, "start")  # Portainer: 400 already active
    assert stack.active
    assert sim.count("/api/stacks/1/start") == 1
    assert sim.count("/api/stacks/1", method="GET") == 1


async def test_stack_action_other_400_is_an_error(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    sim.set_fault("status", status=400, path="/api/stacks/1/stop")
    with pytest.raises(ResponseError) as err:
        await client(session, sim).async_stack_action(1, 1, "stop")  # the stack is active
    assert err.value.status == 400
    assert "Portainer said" not in str(err.value)  # the fault's body is not Portainer's JSON


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"message": "Stack is already active", "details": "Stack is already active"}',
            "Stack is already active",
        ),
        (
            b'{"message": "Unable to find a stack", "details": "  sql:\\n no rows  "}',
            "Unable to find a stack; sql: no rows",
        ),
        (b'{"message": "x' + b"y" * 500 + b'"}', "x" + "y" * 198 + "\u2026"),
        (b'{"message": ""}', None),
        (b'{"message": 7}', None),
        (b"[1]", None),
        (b"<html>Bad gateway</html>", None),
    ],
)
def test_error_detail(body: bytes, expected: str | None) -> None:
    """Portainer's message and details, one line, capped; anything else is nothing."""
    assert _error_detail(body) == expected


async def test_stack_stop_keeping_containers(session: aiohttp.ClientSession) -> None:
    sim = PortainerSimulator(stop_removes_containers=False)
    await sim.start()
    try:
        api = client(session, sim)
        await api.async_stack_action(1, 1, "stop")
        states = {c.name: c.state for c in await api.async_containers(1)}
        assert states == dict.fromkeys(
            ["qbittorrent", "jackett", "jellyfin", "cloudcmd", "watchtower"], "exited"
        )
        ids = {c.name: c.id for c in await api.async_containers(1)}
        await api.async_stack_action(1, 1, "start")
        assert {c.name: c.id for c in await api.async_containers(1)} == ids
        assert sim.container("jellyfin").state == "running"
    finally:
        await sim.stop()


async def test_stack_unknown(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    with pytest.raises(ResponseError) as err:
        await client(session, sim).async_stack_action(7, 1, "stop")
    assert err.value.status == 404


async def test_stack_action_bad_action(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    action: Any = "restart"  # not a stack action; typed Any to get past the type checker
    with pytest.raises(ValueError, match="unknown stack action"):
        await client(session, sim).async_stack_action(1, 1, action)


# -- faults: every method, every fault, only our errors ------------------------------------

type Call = Callable[[PortainerClient, PortainerSimulator], Awaitable[object]]

CALLS: dict[str, Call] = {
    "get_info": lambda api, sim: api.async_get_info(),
    "endpoints": lambda api, sim: api.async_endpoints(),
    "containers": lambda api, sim: api.async_containers(1),
    "stats": lambda api, sim: api.async_container_stats(1, sim.container("jellyfin").id),
    "action": lambda api, sim: api.async_container_action(1, sim.container("jackett").id, "stop"),
    "stacks": lambda api, sim: api.async_stacks(),
    "stack_action": lambda api, sim: api.async_stack_action(1, 1, "stop"),
}

FAULTS: dict[str, tuple[dict[str, Any], type[PandoraError]]] = {
    "down": ({"mode": "down"}, CannotConnectError),
    "status_500": ({"mode": "status", "status": 500}, CannotConnectError),
    "status_502": ({"mode": "status", "status": 502}, CannotConnectError),
    "status_401": ({"mode": "status", "status": 401}, InvalidAuthError),
    "status_403": ({"mode": "status", "status": 403}, PermissionDeniedError),
    "status_400": ({"mode": "status", "status": 400}, ResponseError),
    "malformed": ({"mode": "malformed"}, ResponseError),
    "hang": ({"mode": "hang"}, CannotConnectError),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method", CALLS)
async def test_faults_map_to_our_errors(
    session: aiohttp.ClientSession, sim: PortainerSimulator, fault: str, method: str
) -> None:
    settings, expected = FAULTS[fault]
    api = client(session, sim, timeout=0.2, action_timeout=0.2)
    call = CALLS[method]
    sim.set_fault(**settings)
    with pytest.raises(PandoraError) as err:
        await call(api, sim)
    assert type(err.value) is expected, repr(err.value)
    assert not isinstance(err.value, PortainerError)
    assert sim.api_key not in str(err.value)
    assert "Portainer at http://127.0.0.1:" in str(err.value)
    if fault == "status_500":
        # pyportainer retries 5xx three times by default; ours must not retry at all.
        # ("down" is left out: aiohttp itself resends an idempotent GET once when a
        # connection breaks before the answer, which is not a retry of ours.)
        assert len(sim.requests) == 1


@pytest.mark.parametrize("method", ["get_info", "endpoints", "containers", "stats", "stacks"])
async def test_oversized_answer_is_refused(
    session: aiohttp.ClientSession, sim: PortainerSimulator, method: str
) -> None:
    """Bodies past the cap are refused while being read, even those pyportainer reads."""
    sim.set_fault("oversized", size=2 * MIB)
    api = PortainerClient(session, sim.url, api_key=sim.api_key, max_bytes=MIB)
    with pytest.raises(ResponseError, match="larger than 1 MiB"):
        await CALLS[method](api, sim)


@pytest.mark.parametrize("method", CALLS)
async def test_stopped_upstream_cannot_connect(
    session: aiohttp.ClientSession, sim: PortainerSimulator, method: str
) -> None:
    api = client(session, sim)
    await sim.stop()
    with pytest.raises(CannotConnectError, match="is it running"):
        await CALLS[method](api, sim)


async def test_bad_key_on_every_method(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim, api_key="ptr_revoked")
    for name, call in CALLS.items():
        with pytest.raises(InvalidAuthError):
            await call(api, sim)
        assert sim.requests[-1].path != "/api/system/status" or name == "get_info"


# -- the simulator on its own --------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "params", "message"),
    [
        ({}, {}, "A valid authorization token is missing"),
        ({"X-API-Key": ""}, {}, "A valid authorization token is missing"),
        ({"X-API-Key": "ptr_nope"}, {}, "Invalid JWT token"),
        ({}, {"x-api-key": "ptr_nope"}, "Invalid JWT token"),
    ],
)
async def test_sim_401_texts(
    session: aiohttp.ClientSession,
    sim: PortainerSimulator,
    headers: dict[str, str],
    params: dict[str, str],
    message: str,
) -> None:
    """bouncer.go: no key is "missing"; a wrong API key gets the JWT text."""
    url = f"{sim.url}/api/endpoints"
    async with session.get(url, headers=headers, params=params) as resp:
        assert resp.status == 401
        assert resp.content_type == "application/json"
        assert await resp.json() == {"message": message, "details": "Unauthorized"}


async def test_sim_key_in_the_query(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    """``extractAPIKey`` also reads an ``X-API-Key`` query parameter, in any case."""
    url = f"{sim.url}/api/endpoints"
    async with session.get(url, params={"X-API-KEY": sim.api_key}) as resp:
        assert resp.status == 200


async def test_sim_public_status(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    for path in ("/api/status", "/api/system/status"):
        async with session.get(f"{sim.url}{path}") as resp:
            assert resp.status == 200
            assert await resp.json() == {
                "Version": "2.27.6",
                "InstanceID": sim.instance_id,
                "DemoEnvironment": {"enabled": False, "users": None, "environments": None},
            }
    async with session.get(f"{sim.url}/api/system/version") as resp:
        assert resp.status == 401


async def test_sim_docker_proxy(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    key = {"X-API-Key": sim.api_key}
    docker = f"{sim.url}/api/endpoints/1/docker"
    async with session.get(f"{docker}/containers/json", headers=key) as resp:
        assert resp.headers["Api-Version"] == "1.52"
        running = [c["Names"][0] for c in await resp.json()]
    assert "/watchtower" not in running  # without all=1 only running containers
    label = '{"label": ["com.docker.compose.project=pandora"]}'
    params = {"all": "1", "filters": label}
    async with session.get(f"{docker}/containers/json", headers=key, params=params) as resp:
        assert sorted(c["Names"][0] for c in await resp.json()) == [
            "/cloudcmd",
            "/jackett",
            "/jellyfin",
            "/qbittorrent",
        ]
    async with session.post(f"{docker}/containers/nope/start", headers=key) as resp:
        assert resp.status == 404
        assert await resp.json() == {"message": "No such container: nope"}
    async with session.post(f"{docker}/containers/jellyfin/start", headers=key) as resp:
        assert resp.status == 304  # by name, as Docker allows
    async with session.post(
        f"{sim.url}/api/endpoints/2/docker/containers/x/start", headers=key
    ) as resp:
        assert resp.status == 502


async def test_sim_stats_shape(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    key = {"X-API-Key": sim.api_key}
    url = f"{sim.url}/api/endpoints/1/docker/containers/qbittorrent/stats"
    params = {"stream": "false", "one-shot": "false"}
    bodies = []
    for _ in range(2):
        async with session.get(url, headers=key, params=params) as resp:
            bodies.append(await resp.json())
    first, second = bodies
    assert set(first["memory_stats"]["stats"]) >= {"anon", "file", "inactive_file"}  # cgroup v2
    assert "percpu_usage" not in first["cpu_stats"]["cpu_usage"]
    assert first["cpu_stats"]["online_cpus"] == 4
    # Without one-shot, Docker fills precpu_stats with the previous sample.
    assert second["precpu_stats"]["system_cpu_usage"] == first["cpu_stats"]["system_cpu_usage"]
    assert second["cpu_stats"]["system_cpu_usage"] > first["cpu_stats"]["system_cpu_usage"]


async def test_sim_stack_rules(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    key = {"X-API-Key": sim.api_key}
    async with session.post(f"{sim.url}/api/stacks/1/start?endpointId=1", headers=key) as resp:
        assert resp.status == 400
        assert (await resp.json())["message"] == "Stack is already active"
    async with session.post(f"{sim.url}/api/stacks/1/stop", headers=key) as resp:
        assert resp.status == 400  # endpointId is required
    filters = {"filters": '{"EndpointID": 2}'}
    async with session.get(f"{sim.url}/api/stacks", headers=key, params=filters) as resp:
        assert await resp.json() == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "Less than a second"),
        (30, "30 seconds"),
        (90, "About a minute"),
        (600, "10 minutes"),
        (3700, "About an hour"),
        (5 * 3600, "5 hours"),
        (3 * 86400, "3 days"),
        (21 * 86400, "3 weeks"),
    ],
)
def test_sim_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


async def test_first_endpoint_read_after_the_check_reuses_it(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    """Setup asks for the environments once: the check's list serves the first poll."""
    api = client(session, sim)
    await api.async_get_info()
    assert sim.count("/api/endpoints", "GET") == 1
    first = await api.async_endpoints(max_age=10.0)
    assert sim.count("/api/endpoints", "GET") == 1
    again = await api.async_endpoints(max_age=10.0)  # only once
    assert sim.count("/api/endpoints", "GET") == 2
    assert first == again


# -- Docker facts, disk, images, pulls, recreate, prunes, stack update ---------------------------


async def test_docker_info_reads_version_only_when_docker_changes(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    info = await api.async_docker_info(1)
    assert (info.docker_version, info.api_version, info.cpus) == ("29.1.3", "1.52", 4)
    assert (info.containers, info.containers_running, info.containers_stopped) == (5, 4, 1)
    sim.requests.clear()
    again = await api.async_docker_info(1, info)
    assert again == info
    assert sim.count("/api/endpoints/1/docker/version") == 0
    assert sim.count("/api/endpoints/1/docker/info") == 1


@pytest.mark.parametrize("legacy", [False, True])
async def test_disk_usage_in_both_shapes(session: aiohttp.ClientSession, legacy: bool) -> None:
    """Docker API 1.52 summaries and the older lists give the same numbers."""
    sim = PortainerSimulator(legacy_df=legacy)
    await sim.start()
    try:
        usage = await client(session, sim).async_disk_usage(1)
    finally:
        await sim.stop()
    assert usage.volumes_total == 734_003_200 + 3_145_728 + 12_582_912
    assert usage.volumes_reclaimable == 3_145_728 + 12_582_912  # jellyfin uses its cache
    assert usage.images_reclaimable == 0
    assert usage.containers_total is not None
    assert usage.containers_total > 0
    assert {v.name for v in usage.volumes} >= {"portainer_data", "pandora_jellyfin-cache"}
    cache = next(v for v in usage.volumes if v.name == "pandora_jellyfin-cache")
    assert (cache.driver, cache.size, cache.ref_count) == ("local", 734_003_200, 1)


async def test_image_digests_and_registry(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    details = await api.async_container_details(1, "jellyfin")
    assert details.image_reference == "jellyfin/jellyfin:10.10.7"
    assert details.image_id is not None
    image = await api.async_image(1, details.image_id)
    assert image.repo_tags == ("jellyfin/jellyfin:10.10.7",)
    (digest,) = image.repo_digests
    assert await api.async_registry_digest(1, "jellyfin/jellyfin:10.10.7") == digest.split("@")[1]
    new = sim.publish_image("jellyfin/jellyfin:10.10.7")
    assert await api.async_registry_digest(1, "jellyfin/jellyfin:10.10.7") == new
    with pytest.raises(ResponseError):  # a registry that refuses: Docker's 403
        await api.async_registry_digest(1, "private/thing:1")
    with pytest.raises(ValueError):  # noqa: PT011
        await api.async_image(1, "../../system/status")


async def test_pull_progress_and_failures(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    sim.publish_image("jellyfin/jellyfin:10.10.7")
    progress = [p async for p in api.async_pull_image(1, "jellyfin/jellyfin:10.10.7")]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    assert any(0 < p < 100 for p in progress)
    sim.fail_pull = "write /var/lib/docker/tmp: no space left on device"
    with pytest.raises(ResponseError, match="no space left on device"):
        async for _ in api.async_pull_image(1, "jellyfin/jellyfin:10.10.7"):
            pass
    sim.fail_pull = None
    with pytest.raises(ResponseError, match="HTTP 404"):
        async for _ in api.async_pull_image(1, "nobody/nothing:1"):
            pass


async def test_recreate_keeps_settings_and_restores_on_failure(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    old = sim.container("qbittorrent")
    new_id = await api.async_recreate_container(1, old.id, pull=False)
    new = sim.container("qbittorrent")
    assert new.id == new_id != old.id
    assert new.spec == old.spec  # env, mounts, ports, labels, restart policy
    sim.fail_recreate = "start container error"
    with pytest.raises(CannotConnectError, match="start container error"):
        await api.async_recreate_container(1, new_id, pull=False)
    assert sim.container("qbittorrent").id == new_id
    assert sim.container("qbittorrent").state == "running"


async def test_prunes_and_kill(session: aiohttp.ClientSession, sim: PortainerSimulator) -> None:
    api = client(session, sim)
    assert await api.async_prune_images(1, dangling=True) == PruneResult(
        deleted=0, space_reclaimed=0
    )
    volumes = await api.async_prune_volumes(1)
    assert (volumes.deleted, volumes.space_reclaimed) == (1, 12_582_912)
    await api.async_container_action(1, "jackett", "kill")
    assert sim.container("jackett").exit_code == 137
    with pytest.raises(ResponseError, match="HTTP 409"):
        await api.async_container_action(1, "jackett", "kill")


async def test_stack_update_pulls_and_recreates_what_changed(
    session: aiohttp.ClientSession, sim: PortainerSimulator
) -> None:
    api = client(session, sim)
    jackett, jellyfin = sim.container("jackett").id, sim.container("jellyfin").id
    sim.publish_image("jellyfin/jellyfin:10.10.7")
    stack = await api.async_update_stack(1, 1)
    assert stack.active
    assert sim.container("jackett").id == jackett
    assert sim.container("jellyfin").id != jellyfin
    put = [r for r in sim.requests if r.method == "PUT"]
    assert [r.path for r in put] == ["/api/stacks/1"]
    assert put[0].query == {"endpointId": "1"}
    sim.deny()
    with pytest.raises(PermissionDeniedError, match="stack management"):
        await api.async_update_stack(1, 1)
