"""A 403 that means "not allowed" is ``PermissionDeniedError``, never invalid auth.

Each client against its simulator with the credentials still good but a
right missing (``Simulator.deny``): Watchmode's plan, Portainer's and
Jellyfin's non-admin users, Jackett's unconfigured indexer.  A wrong key
stays ``InvalidAuthError`` even while routes are denied (the upstreams
authenticate before they authorize).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.pandora_box.api.errors import (
    InvalidAuthError,
    PermissionDeniedError,
    ResponseError,
)
from custom_components.pandora_box.api.jackett import JackettClient
from custom_components.pandora_box.api.jellyfin import JellyfinClient
from custom_components.pandora_box.api.portainer import PortainerClient
from custom_components.pandora_box.api.watchmode import WatchmodeClient
from custom_components.pandora_box.diagnostics import as_jsonable
from simulators import (
    JackettSimulator,
    JellyfinSimulator,
    PortainerSimulator,
    Simulator,
    WatchmodeSimulator,
)


@pytest.fixture
async def started() -> AsyncIterator[Callable[[Simulator], Awaitable[Any]]]:
    """Start simulators for one test and stop them afterwards."""
    running: list[Simulator] = []

    async def start[S: Simulator](sim: S) -> S:
        await sim.start()
        running.append(sim)
        return sim

    yield start
    for sim in running:
        await sim.stop()


def test_permission_denied_is_a_response_error_not_invalid_auth() -> None:
    err = PermissionDeniedError("Portainer refused it", right="Portainer administrator rights")
    assert isinstance(err, ResponseError)
    assert not isinstance(err, InvalidAuthError)
    assert (err.status, err.right, err.message) == (
        403,
        "Portainer administrator rights",
        "Portainer refused it",
    )


# -- Watchmode: the plan ------------------------------------------------------------------


async def test_watchmode_plan_without_the_route(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: WatchmodeSimulator = await started(WatchmodeSimulator())
    client = WatchmodeClient(session, f"{sim.url}/v1", api_key=sim.api_key, region="US")
    sim.deny()
    with pytest.raises(PermissionDeniedError) as err:
        await client.async_sources("movie-603")
    assert err.value.status == 403
    assert err.value.right == "a Watchmode plan that includes the streaming sources"
    assert "Your plan does not include access to this endpoint" in err.value.message
    assert sim.api_key not in err.value.message
    with pytest.raises(PermissionDeniedError, match="title search"):
        await client.async_find_title(tmdb_id=603, media_type="movie")
    assert sim.quota_used == 0  # refused calls cost no quota
    assert (await client.async_get_info()).name == "Watchmode"  # /status/ stays open
    sim.allow()
    assert await client.async_sources("movie-603")


async def test_watchmode_wrong_key_beats_the_refusal(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: WatchmodeSimulator = await started(WatchmodeSimulator())
    sim.deny()
    client = WatchmodeClient(session, f"{sim.url}/v1", api_key="0" * 40, region="US")
    with pytest.raises(InvalidAuthError):
        await client.async_sources("movie-603")


# -- Jellyfin: a user who is not an administrator -----------------------------------------


async def test_jellyfin_non_admin_token(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: JellyfinSimulator = await started(JellyfinSimulator())
    client = JellyfinClient(session, sim.url, api_key=sim.api_key)
    sim.deny()
    for call in (
        client.async_scheduled_tasks,
        client.async_refresh_library,
        client.async_virtual_folders,
    ):
        with pytest.raises(PermissionDeniedError) as err:
            await call()
        assert err.value.right == "administrator rights in Jellyfin"
        assert sim.api_key not in err.value.message
    # what a user may read stays readable
    await client.async_get_info()
    assert (await client.async_item_counts()).movies == sim.counts()["MovieCount"]
    await client.async_sessions()
    sim.allow()
    assert await client.async_scheduled_tasks()


async def test_jellyfin_denied_answer_is_an_empty_403_after_the_token_check(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: JellyfinSimulator = await started(JellyfinSimulator())
    sim.deny()
    headers = {"Authorization": f'MediaBrowser Token="{sim.api_key}"'}
    async with session.get(f"{sim.url}/ScheduledTasks", headers=headers) as resp:
        assert (resp.status, await resp.read()) == (403, b"")
    async with session.get(f"{sim.url}/ScheduledTasks") as resp:
        assert resp.status == 401  # no token: authentication first
    async with session.get(f"{sim.url}/Sessions", headers=headers) as resp:
        assert resp.status == 200
    client = JellyfinClient(session, sim.url, api_key="f" * 32)
    with pytest.raises(InvalidAuthError):
        await client.async_scheduled_tasks()


# -- Portainer: a user who is not an administrator ----------------------------------------


async def test_portainer_non_admin_stack_and_container_actions(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: PortainerSimulator = await started(PortainerSimulator())
    client = PortainerClient(session, sim.url, api_key=sim.api_key)
    sim.deny()
    with pytest.raises(PermissionDeniedError) as err:
        await client.async_stack_action(1, 1, "stop")
    assert err.value.right == "Portainer administrator rights (stack management)"
    assert "stack management is disabled for non-admin users" in err.value.message
    with pytest.raises(PermissionDeniedError) as err:
        await client.async_container_action(1, sim.container("jackett").id, "stop")
    assert err.value.right.startswith("access to this container in Portainer")
    assert "access denied to resource" in err.value.message
    assert sim.api_key not in err.value.message
    # lists stay open: Portainer filters them for such a user
    assert await client.async_stacks()
    assert await client.async_containers(1)
    assert sim.container("jackett").state == "running"
    sim.allow()
    await client.async_container_action(1, sim.container("jackett").id, "stop")
    assert sim.container("jackett").state == "exited"


async def test_portainer_bodies_and_auth_order(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    """Portainer's own 403 bodies; a wrong key is still the bouncer's 401."""
    sim: PortainerSimulator = await started(PortainerSimulator())
    sim.deny()
    headers = {"X-API-Key": sim.api_key}
    async with session.post(f"{sim.url}/api/stacks/1/stop?endpointId=1", headers=headers) as resp:
        assert resp.status == 403
        assert await resp.json() == {
            "message": "stack management is disabled for non-admin users",
            "details": "Stack management is disabled for non-admin users",
        }
    async with session.post(
        f"{sim.url}/api/stacks/1/stop?endpointId=1", headers={"X-API-Key": "ptr_wrong"}
    ) as resp:
        assert resp.status == 401
    sim.deny(r"/api/endpoints$")
    with pytest.raises(PermissionDeniedError) as err:
        await PortainerClient(session, sim.url, api_key=sim.api_key).async_endpoints()
    assert err.value.right == "Portainer administrator rights"
    assert "Access denied" in err.value.message


# -- Jackett: an indexer that is not configured -------------------------------------------


@pytest.mark.parametrize("route", ["json", "torznab"])
async def test_jackett_unconfigured_indexer(
    session: aiohttp.ClientSession,
    started: Callable[[Simulator], Awaitable[Any]],
    route: str,
) -> None:
    sim: JackettSimulator = await started(JackettSimulator())
    client = JackettClient(session, sim.url, api_key=sim.api_key)
    sim.remove_indexer("eztv")
    search = client.async_search if route == "json" else client.async_search_torznab
    with pytest.raises(PermissionDeniedError) as err:
        await search("office", indexer="eztv")
    assert err.value.right == "the indexer eztv enabled in Jackett"
    assert sim.api_key not in err.value.message
    # an indexer Jackett does not know at all is no missing right
    with pytest.raises(ResponseError) as unknown:
        await search("office", indexer="nosuchindexer")
    assert not isinstance(unknown.value, PermissionDeniedError)
    assert unknown.value.status == 404


# -- the control route ---------------------------------------------------------------------


async def test_denied_over_http(
    session: aiohttp.ClientSession, started: Callable[[Simulator], Awaitable[Any]]
) -> None:
    sim: WatchmodeSimulator = await started(WatchmodeSimulator())
    async with session.post(f"{sim.url}/_sim/denied", json={}) as resp:
        assert resp.status == 200
        assert (await resp.json())["denied"] == list(WatchmodeSimulator.restricted)
    async with session.get(
        f"{sim.url}/v1/title/movie-603/sources/", params={"apiKey": sim.api_key}
    ) as resp:
        assert resp.status == 403
        body = await resp.json()
        assert (body["success"], body["statusCode"]) == (False, 403)
    async with session.post(f"{sim.url}/_sim/denied", json={"paths": ["("]}) as resp:
        assert resp.status == 400  # not a regular expression
    async with session.delete(f"{sim.url}/_sim/denied") as resp:
        assert (await resp.json()) == {"denied": []}
    async with session.get(
        f"{sim.url}/v1/title/movie-603/sources/", params={"apiKey": sim.api_key}
    ) as resp:
        assert resp.status == 200


async def test_deny_needs_paths_where_nothing_is_restricted(
    started: Callable[[Simulator], Awaitable[Any]],
) -> None:
    sim: JackettSimulator = await started(JackettSimulator())
    with pytest.raises(ValueError, match="no restricted routes"):
        sim.deny()


def test_diagnostics_show_a_refusal_by_its_message() -> None:
    """Coordinator data may hold a refusal (Jellyfin's scan): diagnostics show its message."""
    err = PermissionDeniedError("Jellyfin refused /ScheduledTasks", right="administrator rights")
    assert as_jsonable({"scan_denied": err}) == {"scan_denied": "Jellyfin refused /ScheduledTasks"}
