"""qBittorrent's config flow: API-key login, and a refused address told apart from a password.

The address cases go through a real TCP port mapping (:class:`PortMapping`,
as Docker's ``8081:8080``): the ``Host`` header then names the mapped port,
which qBittorrent's host header validation refuses with 401 on every route.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.pandora_box.const import CONF_KIND, DOMAIN
from simulators.qbittorrent import QBittorrentSimulator

from ...helpers import form_input, setup_integration

API_KEY = "qbt_" + "k3y" * 9 + "x"  # 32 characters, as Utils::APIKey::generate makes them


class PortMapping:
    """A TCP port on loopback that forwards every connection to ``target`` (a port mapping)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                with contextlib.suppress(ConnectionError):
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
            finally:
                dst.close()  # also when stopped: no connection outlives the mapping

        tasks = [
            asyncio.create_task(pipe(reader, upstream_writer)),
            asyncio.create_task(pipe(upstream_reader, writer)),
        ]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)


@pytest.fixture(params=["4.5", "5.3"])
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[QBittorrentSimulator]:
    """qBittorrent 4.5.2 (no API keys; a wrong password is 200 "Fails.") and 5.3.0 (both)."""
    version, webapi = {"4.5": ("v4.5.2", "2.8.19"), "5.3": ("v5.3.0", "2.16.2")}[request.param]
    simulator = QBittorrentSimulator(version=version, webapi_version=webapi)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def sim53() -> AsyncIterator[QBittorrentSimulator]:
    """qBittorrent 5.3.0 with an API key."""
    simulator = QBittorrentSimulator(version="v5.3.0", webapi_version="2.16.2", api_key=API_KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def mapping(sim: QBittorrentSimulator) -> AsyncIterator[PortMapping]:
    """A port mapped onto ``sim``'s WebUI port."""
    forward = PortMapping(sim.port)
    await forward.start()
    yield forward
    await forward.stop()


async def open_form(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "qbittorrent"}
    )
    assert result["type"] is FlowResultType.FORM
    return str(result["flow_id"])


async def submit(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, user_input)


def with_password(sim: QBittorrentSimulator, **extra: Any) -> dict[str, Any]:
    """The form with a user name and password (the simulator's API key left out)."""
    return {**{k: v for k, v in form_input(sim).items() if k != CONF_API_KEY}, **extra}


def with_key(sim: QBittorrentSimulator, key: str = API_KEY, **extra: Any) -> dict[str, Any]:
    """The form with an API key instead of a user name and password."""
    user_input = {
        k: v
        for k, v in form_input(sim).items()
        if k not in (CONF_USERNAME, CONF_PASSWORD, CONF_API_KEY)
    }
    return {**user_input, CONF_API_KEY: key, **extra}


def entry_with(user_input: dict[str, Any]) -> MockConfigEntry:
    """An entry storing ``user_input`` as the flow would."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="qbittorrent test",
        data={CONF_KIND: "qbittorrent", **user_input},
        unique_id="qbittorrent:test",
    )


async def test_api_key_creates_an_entry_without_password(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """An API key alone signs in (Bearer, no login); a user name typed next to it is dropped."""
    flow_id = await open_form(hass)
    result = await submit(hass, flow_id, with_key(sim53, **{CONF_USERNAME: "admin"}))
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["data"] == {
        CONF_KIND: "qbittorrent",
        CONF_URL: sim53.url,
        CONF_API_KEY: API_KEY,
        "verify_ssl": True,
    }
    assert sim53.count("/api/v2/auth/login") == 0
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    assert sim53.count("/api/v2/sync/maindata") >= 1
    assert sim53.count("/api/v2/auth/login") == 0


async def test_wrong_api_key_then_the_right_one(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """A key qBittorrent does not know is 403 there: invalid_auth naming the key, then fixed."""
    flow_id = await open_form(hass)
    result = await submit(hass, flow_id, with_key(sim53, "qbt_" + "w" * 28))
    assert result["errors"] == {"base": "invalid_auth"}
    detail = result["description_placeholders"]["error_detail"]
    assert "refused the API key" in detail
    assert "qbt_www" not in detail
    result = await submit(hass, flow_id, with_key(sim53))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_api_key_on_qbittorrent_4_names_the_version(hass: HomeAssistant) -> None:
    """4.x ignores the Authorization header: the refusal says API keys need 5.2."""
    old = QBittorrentSimulator(api_key=API_KEY)  # 4.5.2 has no API keys, whatever is stored
    await old.start()
    try:
        flow_id = await open_form(hass)
        result = await submit(hass, flow_id, with_key(old))
        assert result["errors"] == {"base": "invalid_auth"}
        assert "5.2 or newer" in result["description_placeholders"]["error_detail"]
    finally:
        await old.stop()


async def test_password_and_api_key_or_neither(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """Both secrets, or none: an error on the secret fields, and nothing is asked."""
    flow_id = await open_form(hass)
    before = len(sim53.requests)
    result = await submit(hass, flow_id, with_password(sim53, **{CONF_API_KEY: API_KEY}))
    assert result["errors"] == {CONF_PASSWORD: "credentials_both", CONF_API_KEY: "credentials_both"}
    neither = {k: v for k, v in with_password(sim53).items() if k != CONF_PASSWORD}
    result = await submit(hass, flow_id, neither)
    assert result["errors"] == {
        CONF_PASSWORD: "credentials_missing",
        CONF_API_KEY: "credentials_missing",
    }
    result = await submit(
        hass, flow_id, {**neither, CONF_PASSWORD: "adminadmin", CONF_USERNAME: ""}
    )
    assert result["errors"] == {CONF_USERNAME: "invalid_username"}
    assert len(sim53.requests) == before
    result = await submit(hass, flow_id, with_key(sim53))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_mapped_port_is_address_refused_not_a_wrong_password(
    hass: HomeAssistant, sim: QBittorrentSimulator, mapping: PortMapping
) -> None:
    """Through 8081:8080 the right password is refused for the address, on 4.x and 5.x alike.

    On 5.x the login's 401 could be either cause; the probe (a request without
    a session: 401 for the address, 403 when it passes) tells them apart.
    """
    flow_id = await open_form(hass)
    user_input = {**form_input(sim), CONF_URL: mapping.url}
    result = await submit(hass, flow_id, user_input)
    assert result["errors"] == {"base": "address_refused"}
    assert "refused this address" in result["description_placeholders"]["error_detail"]
    # a wrong password at the right address is still a wrong password
    result = await submit(hass, flow_id, form_input(sim, password="wrong"))
    assert result["errors"] == {"base": "invalid_auth"}
    assert (
        "rejected the user name or password" in result["description_placeholders"]["error_detail"]
    )
    sim.host_header_validation = False  # what the message asks the user to check
    result = await submit(hass, flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_mapped_port_with_api_key_is_address_refused(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """A Bearer key skips the CSRF check but not the Host check."""
    forward = PortMapping(sim53.port)
    await forward.start()
    try:
        flow_id = await open_form(hass)
        result = await submit(hass, flow_id, with_key(sim53, **{CONF_URL: forward.url}))
        assert result["errors"] == {"base": "address_refused"}
    finally:
        await forward.stop()


async def test_reauth_switches_to_an_api_key(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """A revoked password: reauth takes an API key instead; the password is not kept."""
    entry = entry_with(with_password(sim53))
    entry.add_to_hass(hass)
    sim53.rotate_credentials(password="rotated")
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    flow_id = flows[0]["flow_id"]
    result = await submit(hass, flow_id, {CONF_USERNAME: "admin"})  # no secret at all
    assert result["errors"] == {
        CONF_PASSWORD: "credentials_missing",
        CONF_API_KEY: "credentials_missing",
    }
    result = await submit(hass, flow_id, {CONF_USERNAME: "admin", CONF_API_KEY: "qbt_" + "n" * 28})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(hass, flow_id, {CONF_USERNAME: "admin", CONF_API_KEY: API_KEY})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert CONF_PASSWORD not in entry.data
    assert CONF_USERNAME not in entry.data
    assert entry.data[CONF_API_KEY] == API_KEY
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_to_an_api_key_and_back(
    hass: HomeAssistant, sim53: QBittorrentSimulator
) -> None:
    """Reconfigure swaps the alternative typed in; an empty secret keeps the stored one."""
    entry = entry_with(with_password(sim53))
    await setup_integration(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    result = await submit(hass, result["flow_id"], with_key(sim53))
    assert result["reason"] == "reconfigure_successful"
    assert set(entry.data) == {CONF_KIND, CONF_URL, CONF_API_KEY, "verify_ssl"}
    await hass.async_block_till_done()
    result = await entry.start_reconfigure_flow(hass)
    kept = {CONF_URL: sim53.url, "verify_ssl": True}
    result = await submit(hass, result["flow_id"], kept)  # nothing typed: the key stays
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_API_KEY] == API_KEY
    await hass.async_block_till_done()
    result = await entry.start_reconfigure_flow(hass)
    result = await submit(
        hass, result["flow_id"], {**kept, CONF_USERNAME: "admin", CONF_PASSWORD: "adminadmin"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert CONF_API_KEY not in entry.data
    assert entry.data[CONF_PASSWORD] == "adminadmin"


async def test_key_rotated_while_running_starts_reauth(
    hass: HomeAssistant, sim53: QBittorrentSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """A key deleted in the WebUI: the next poll's 403 starts reauth (no login to retry)."""
    entry = entry_with(with_key(sim53))
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    sim53.api_key = "qbt_" + "r" * 28  # rotated
    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert sim53.count("/api/v2/auth/login") == 0


async def test_address_refused_while_running_is_its_own_error(
    hass: HomeAssistant, sim: QBittorrentSimulator, mapping: PortMapping
) -> None:
    """Host validation turned on behind a mapping: a command says so, and reauth starts."""
    sim.host_header_validation = False
    entry = entry_with(with_password(sim, **{CONF_URL: mapping.url}))
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    sim.host_header_validation = True
    entity_id = er.async_get(hass).async_get_entity_id(
        "number", DOMAIN, f"{entry.entry_id}_download_limit"
    )
    assert entity_id is not None
    with pytest.raises(HomeAssistantError, match="refused this address") as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": entity_id, "value": 10}, blocking=True
        )
    assert err.value.translation_key == "address_refused"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert await hass.config_entries.async_unload(entry.entry_id)
