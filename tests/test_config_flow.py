"""Config flow tests: every kind, live against its simulator over loopback HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigFlowResult,
)
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.pandora_box.const import (
    CONF_KIND,
    CONF_LANGUAGE,
    CONF_REGION,
    CONF_ROOT,
    DOMAIN,
    Kind,
)
from custom_components.pandora_box.naming import PRODUCTS
from simulators import CloudCmdSimulator, Simulator

from .helpers import (
    KINDS,
    entry_data,
    form_input,
    mock_entry,
    new_simulator,
    secret_field,
    setup_integration,
)

ALL_KINDS = pytest.mark.parametrize("sim", KINDS, indirect=True)
STABLE_KINDS = ("portainer", "jellyfin")


async def _open_form(hass: HomeAssistant, kind: str) -> str:
    """Start a user flow, pick ``kind`` from the menu and return the flow id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == list(KINDS)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    assert result["errors"] == {}
    return result["flow_id"]


async def _submit(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


@ALL_KINDS
async def test_user_flow_creates_entry(hass: HomeAssistant, sim: Simulator) -> None:
    """Each kind is validated live and stored with a title of the naming scheme."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == entry_data(sim)
    assert result["data"][CONF_KIND] == sim.kind
    product = PRODUCTS[Kind(sim.kind)]
    # product and host, never a version; the public APIs are the product alone
    public = sim.kind in ("tmdb", "watchmode")
    assert result["title"] == (product if public else f"{product} (127.0.0.1)")
    entry = result["result"]
    assert entry.unique_id.startswith(f"{sim.kind}:")
    assert sim.count() > 0  # the flow really asked the upstream


@ALL_KINDS
async def test_invalid_auth_then_recovery(hass: HomeAssistant, sim: Simulator) -> None:
    """A refused credential shows invalid_auth, keeps the input, and can be fixed."""
    flow_id = await _open_form(hass, sim.kind)
    field = secret_field(sim.kind)
    wrong = form_input(sim, **{field: "definitely-wrong"})
    result = await _submit(hass, flow_id, wrong)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"]["error_detail"]
    assert "definitely-wrong" not in result["description_placeholders"]["error_detail"]
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


CHECK_ROUTES = {
    "watchmode": r"(/v1)?/status/",
    "portainer": r"/api/endpoints$",
    "jellyfin": r"/System/Info$",
}
"""The authenticated route each kind's credential check reads (refused in the test below)."""


@pytest.mark.parametrize("sim", list(CHECK_ROUTES), indirect=True)
async def test_missing_permission_then_recovery(hass: HomeAssistant, sim: Simulator) -> None:
    """Good credentials without a right show missing_permission, not invalid_auth."""
    flow_id = await _open_form(hass, sim.kind)
    sim.deny(CHECK_ROUTES[sim.kind])
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "missing_permission"}
    detail = result["description_placeholders"]["error_detail"]
    assert "HTTP 403" in detail
    assert all(str(v) not in detail for v in sim.credentials().values() if len(str(v)) > 8)
    sim.allow()
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@ALL_KINDS
async def test_cannot_connect_then_recovery(hass: HomeAssistant, sim: Simulator) -> None:
    """A stopped upstream shows cannot_connect; once it is back the entry is made."""
    flow_id = await _open_form(hass, sim.kind)
    await sim.stop()
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    await sim.start()
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@ALL_KINDS
async def test_server_error_is_cannot_connect(hass: HomeAssistant, sim: Simulator) -> None:
    """An upstream answering 500 is reported as not reachable."""
    flow_id = await _open_form(hass, sim.kind)
    sim.set_fault("status", status=500)
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["errors"] == {"base": "cannot_connect"}


@ALL_KINDS
async def test_wrong_service(hass: HomeAssistant, sim: Simulator) -> None:
    """A URL where some other web server answers is its own error, on the URL field."""
    app = web.Application()  # answers 404 to everything, like a stray web server
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        flow_id = await _open_form(hass, sim.kind)
        result = await _submit(hass, flow_id, form_input(sim, url=f"http://127.0.0.1:{port}"))
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_URL: "wrong_service"}
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("sim", ["qbittorrent", "tmdb"], indirect=True)
@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.org", "http://user:pw@127.0.0.1:1", "http://"]
)
async def test_invalid_url_makes_no_request(hass: HomeAssistant, sim: Simulator, url: str) -> None:
    """A malformed URL is refused on the form before anything is sent."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, url=url))
    assert result["errors"] == {CONF_URL: "invalid_url"}
    assert sim.count() == 0


@pytest.mark.parametrize("sim", ["tmdb"], indirect=True)
async def test_tmdb_language_and_region_checked(hass: HomeAssistant, sim: Simulator) -> None:
    """Language and region are checked and tidied ("de" region becomes "DE")."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, language="german", region="Deutschland"))
    assert result["errors"] == {CONF_LANGUAGE: "invalid_language", CONF_REGION: "invalid_region"}
    result = await _submit(hass, flow_id, form_input(sim, language="de-DE", region="de"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_REGION] == "DE"
    assert result["data"][CONF_LANGUAGE] == "de-DE"


@pytest.mark.parametrize("sim", ["cloudcmd"], indirect=True)
@pytest.mark.parametrize("root", ["Movies", "/a/../..", "/a\\b", "/a\x00b", "/a\nb"])
async def test_cloudcmd_bad_root(hass: HomeAssistant, sim: Simulator, root: str) -> None:
    """A root that is relative or could climb out is refused before any request."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, root=root))
    assert result["errors"] == {CONF_ROOT: "invalid_root"}
    assert sim.count() == 0


@pytest.mark.parametrize("sim", ["cloudcmd"], indirect=True)
async def test_cloudcmd_root_is_normalised(hass: HomeAssistant, sim: Simulator) -> None:
    """Redundant slashes and dots in the root are tidied away."""
    assert isinstance(sim, CloudCmdSimulator)
    (sim.root / "Movies").mkdir()
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, root="//Movies/./"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ROOT] == "/Movies"


@pytest.mark.parametrize("sim", ["cloudcmd"], indirect=True)
async def test_cloudcmd_missing_root_is_named_on_its_field(
    hass: HomeAssistant, sim: Simulator
) -> None:
    """A root folder that does not exist is reported on the root field, then fixed."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, root="/Nowhere"))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ROOT: "root_not_found"}
    assert "/Nowhere" in result["description_placeholders"]["error_detail"]
    assert isinstance(sim, CloudCmdSimulator)
    (sim.root / "Nowhere").mkdir()
    result = await _submit(hass, flow_id, form_input(sim, root="/Nowhere"))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("sim", ["jellyfin"], indirect=True)
async def test_trailing_slash_is_normalised(hass: HomeAssistant, sim: Simulator) -> None:
    """The stored URL has no trailing slash."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim, url=sim.url + "/"))
    assert result["data"][CONF_URL] == sim.url


@pytest.mark.parametrize("sim", ["jackett"], indirect=True)
async def test_unexpected_error_is_unknown(hass: HomeAssistant, sim: Simulator) -> None:
    """A bug in a client shows "unknown" and is logged, and the flow stays usable."""
    flow_id = await _open_form(hass, sim.kind)
    with patch(
        "custom_components.pandora_box.api.jackett.JackettClient.async_get_info",
        side_effect=RuntimeError("boom"),
    ):
        result = await _submit(hass, flow_id, form_input(sim))
    assert result["errors"] == {"base": "unknown"}
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@ALL_KINDS
async def test_duplicate_is_aborted(hass: HomeAssistant, sim: Simulator) -> None:
    """The same upstream cannot be added twice."""
    flow_id = await _open_form(hass, sim.kind)
    assert (await _submit(hass, flow_id, form_input(sim)))["type"] is FlowResultType.CREATE_ENTRY
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def _start_reconfigure(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    """Open the reconfigure flow of ``entry`` as the entry's menu does."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )


async def _create(hass: HomeAssistant, sim: Simulator) -> Any:
    """Create an entry for ``sim`` through the flow and return it."""
    flow_id = await _open_form(hass, sim.kind)
    result = await _submit(hass, flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return result["result"]


@ALL_KINDS
async def test_reauth(hass: HomeAssistant, sim: Simulator) -> None:
    """Revoked credentials: setup asks for reauth; wrong ones are refused, new ones stored."""
    entry = await _create(hass, sim)
    field = secret_field(sim.kind)
    sim.rotate_credentials(**{field: "rotated-secret"})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    flow_id = flows[0]["flow_id"]
    user_input: dict[str, Any] = {field: "still-wrong"}
    if "username" in entry.data:
        user_input["username"] = entry.data["username"]
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    user_input[field] = "rotated-secret"
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[field] == "rotated-secret"
    await hass.async_block_till_done()
    assert entry.state.value == "loaded"


@ALL_KINDS
async def test_reconfigure_keeps_secret_when_left_empty(
    hass: HomeAssistant, sim: Simulator
) -> None:
    """Reconfigure shows no secret; leaving it empty keeps the stored one."""
    entry = await _create(hass, sim)
    field = secret_field(sim.kind)
    stored = entry.data[field]
    result = await _start_reconfigure(hass, entry)
    assert result["step_id"] == "reconfigure"
    assert result["data_schema"] is not None
    shown = {str(key): key for key in result["data_schema"].schema}
    assert field in shown
    user_input = {k: v for k, v in form_input(sim).items() if k != field}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[field] == stored


@ALL_KINDS
async def test_reconfigure_errors_then_recovery(hass: HomeAssistant, sim: Simulator) -> None:
    """Reconfigure validates live like the user step, and keeps the entry on failure."""
    entry = await _create(hass, sim)
    before = dict(entry.data)
    result = await _start_reconfigure(hass, entry)
    await sim.stop()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form_input(sim))
    assert result["errors"] == {"base": "cannot_connect"}
    assert dict(entry.data) == before
    await sim.start()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form_input(sim))
    assert result["reason"] == "reconfigure_successful"


@pytest.mark.parametrize("kind", KINDS)
async def test_reconfigure_to_another_server(
    hass: HomeAssistant, tmp_path: Path, kind: str
) -> None:
    """Moving to another instance: refused for server-id kinds, followed for the others."""
    first = new_simulator(kind, tmp_path)
    second = new_simulator(kind, tmp_path, **_other_identity(kind))
    await first.start()
    await second.start()
    try:
        entry = await _create(hass, first)
        old_unique_id = entry.unique_id
        result = await _start_reconfigure(hass, entry)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input(second)
        )
        assert result["type"] is FlowResultType.ABORT
        if kind in STABLE_KINDS:
            assert result["reason"] == "wrong_server"
            assert entry.data[CONF_URL] == first.url
        else:
            assert result["reason"] == "reconfigure_successful"
            assert entry.data[CONF_URL] == second.url
            assert entry.unique_id != old_unique_id or kind in ("tmdb", "watchmode")
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.parametrize("kind", ["qbittorrent", "jellyfin"])
async def test_reconfigure_onto_other_entry_is_refused(
    hass: HomeAssistant, tmp_path: Path, kind: str
) -> None:
    """Reconfiguring onto the upstream of another entry aborts as already configured."""
    first = new_simulator(kind, tmp_path)
    second = new_simulator(kind, tmp_path, **_other_identity(kind))
    await first.start()
    await second.start()
    try:
        entry = await _create(hass, first)
        await _create(hass, second)
        result = await _start_reconfigure(hass, entry)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input(second)
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] in ("already_configured", "wrong_server")
        assert entry.data[CONF_URL] == first.url
    finally:
        await first.stop()
        await second.stop()


def _other_identity(kind: str) -> dict[str, Any]:
    """Constructor arguments that make a second simulator a different server."""
    if kind == "jellyfin":
        return {"server_id": "f" * 32, "server_name": "Other Jellyfin"}
    if kind == "portainer":
        return {"instance_id": "00000000-0000-4000-8000-000000000002"}
    return {}


@pytest.mark.parametrize("sim", ["jellyfin"], indirect=True)
async def test_setup_entry_helper_loads(hass: HomeAssistant, sim: Simulator) -> None:
    """The shared test helper builds entries the integration accepts."""
    entry = mock_entry(sim)
    await setup_integration(hass, entry)
    assert entry.state.value == "loaded"


async def test_reconfigure_moves_our_title_keeps_the_users(
    hass: HomeAssistant, qbittorrent_sim: Simulator
) -> None:
    """A title as we named it follows the new host; a title the user chose stays."""
    ours = mock_entry(qbittorrent_sim, url="http://192.0.2.1:1", title="qBittorrent (192.0.2.1)")
    theirs = mock_entry(
        qbittorrent_sim, url="http://192.0.2.2:1", title="Upstairs", unique_id="qbittorrent:2"
    )
    for entry, expected in ((ours, "qBittorrent (127.0.0.1)"), (theirs, "Upstairs")):
        entry.add_to_hass(hass)
        result = await _start_reconfigure(hass, entry)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input(qbittorrent_sim)
        )
        assert result["reason"] == "reconfigure_successful"
        assert entry.title == expected
        assert await hass.config_entries.async_remove(entry.entry_id)
