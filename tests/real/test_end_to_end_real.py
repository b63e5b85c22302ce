"""The whole thing with real parts: a real ``hass``, a real qbittorrent-nox, a real cloudcmd.

One module-wide stack, everything on loopback and stopped at the end:

* ``qbittorrent-nox`` with its own profile, ports and password
  (``conftest.RealQBittorrent``); the module runs once per binary of
  ``PANDORA_BOX_QBITTORRENT_NOX`` (``conftest.qbittorrent_binary``: 4.5.2 and
  5.3.0 in CI), each with a stack of its own;
* ``cloudcmd`` (npm, ``.tools/node``) with Basic auth over a temporary folder
  (``cloudcmd.start_cloudcmd``);
* ``python -m simulators`` for Jackett, TMDB, Watchmode, Portainer and Jellyfin;
* ``python -m homeassistant`` from the venv with a fresh config folder
  (``pandora_box`` linked into its ``custom_components``).

``scripts/demo_setup.py`` onboards Home Assistant through its REST API and
creates the seven entries through the REST config-flow API, from a manifest
that points qBittorrent and CloudCmd at the real programs.  The tests then
talk to Home Assistant only through REST and the websocket API (``aiohttp``
to ``/api/websocket``: ``auth``, ``subscribe_events``, ``call_service`` with
``return_response``): entities exist with sensible states, read actions
answer under their named key, adding and removing a torrent on the real
qBittorrent fires ``pandora_box_torrent_added`` / ``_removed`` on the
websocket, and stopping qbittorrent-nox makes its entities unavailable until
it is started again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass
import json
from pathlib import Path
import secrets
import time
from typing import Any

import aiohttp
import pytest
import pytest_socket

from custom_components.pandora_box.const import Kind
from custom_components.pandora_box.upstreams import UPSTREAMS

from ..processes import (
    demo_setup,
    free_port,
    prepare_config,
    start_hass,
    start_simulators,
    stop,
    wait_for_manifest,
)
from .cloudcmd import RealCloudCmd, start_cloudcmd
from .conftest import QBittorrentBinary, RealQBittorrent

# One Home Assistant for the whole module: its tests stay on one xdist worker
# (scripts/test runs with --dist loadgroup).  A fresh venv's first `hass` start
# compiles Home Assistant's bytecode: minutes on two cores, hence the timeout.
pytestmark = [pytest.mark.xdist_group("end_to_end_real"), pytest.mark.timeout(900)]

DOMAIN = "pandora_box"
CONFIG = """
homeassistant:
  name: Pandora Box real e2e
  time_zone: UTC
  unit_system: metric
  country: US
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
websocket_api:
logger:
  default: warning
"""
WAIT_S = 90.0
"""Upper bound for Home Assistant to notice a change (qBittorrent polls every 5 s while busy)."""


@dataclass
class Stack:
    """What the module started, and how to reach it."""

    url: str
    token: str
    qbittorrent: RealQBittorrent
    cloudcmd: RealCloudCmd
    manifest: dict[str, Any]
    hass_log: Path


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, qbittorrent_binary: QBittorrentBinary
) -> Iterator[Stack]:
    """Real qbittorrent-nox and cloudcmd, the five simulators, a real hass with 7 entries."""
    # Module fixtures run before the per-test socket_enabled fixture; this one
    # only talks to the processes it starts on 127.0.0.1.
    pytest_socket.enable_socket()
    work = tmp_path_factory.mktemp("e2e-real")
    with contextlib.ExitStack() as cleanup:
        qbittorrent = RealQBittorrent(
            qbittorrent_binary,
            profile=work / "qbittorrent-profile",
            password=f"pw-{secrets.token_hex(8)}",
        )
        qbittorrent.start()
        cleanup.callback(qbittorrent.stop)
        (work / "cloudcmd").mkdir()
        cloudcmd = start_cloudcmd(work / "cloudcmd")
        cleanup.callback(cloudcmd.stop)
        (cloudcmd.served / "library" / "Movies").mkdir(parents=True)
        (cloudcmd.served / "library" / "Movies" / "film.mkv").write_bytes(b"\x1a\x45\xdf\xa3")

        sims_manifest = work / "simulators.json"
        sims_log = work / "simulators.log"
        sims = start_simulators(sims_manifest, sims_log)
        cleanup.callback(stop, sims)

        port = free_port()
        prepare_config(work / "config", CONFIG.format(port=port))
        hass_log = work / "hass.log"
        cleanup.callback(stop, start_hass(work / "config", hass_log))

        manifest = wait_for_manifest(sims, sims_manifest, sims_log)
        manifest["qbittorrent"] = {
            "url": qbittorrent.url,
            "username": qbittorrent.username,
            "password": qbittorrent.password,
        }
        manifest["cloudcmd"] = {
            "url": cloudcmd.url,
            "username": cloudcmd.username,
            "password": cloudcmd.password,
            "root": "/library",
        }
        real_manifest = work / "manifest.json"
        real_manifest.write_text(json.dumps(manifest), encoding="utf-8")

        url = f"http://127.0.0.1:{port}"
        token_file = work / "token"
        setup = demo_setup(
            url,
            real_manifest,
            username="e2e",
            password=f"e2e-{secrets.token_hex(6)}",
            token_file=token_file,
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr + hass_log.read_text()
        assert setup.stdout.count("demo: added") == 7, setup.stdout
        yield Stack(
            url=url,
            token=token_file.read_text(encoding="utf-8"),
            qbittorrent=qbittorrent,
            cloudcmd=cloudcmd,
            manifest=manifest,
            hass_log=hass_log,
        )


class Client:
    """REST and one websocket connection to the running Home Assistant."""

    def __init__(self, stack: Stack, session: aiohttp.ClientSession) -> None:
        """Not connected yet."""
        self.stack = stack
        self.session = session
        self.headers = {"Authorization": f"Bearer {stack.token}"}
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.events: list[dict[str, Any]] = []
        """Events received on the websocket so far (subscriptions)."""
        self._id = 0

    async def rest(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API; return the JSON answer (raise on an HTTP error)."""
        async with self.session.request(
            method, f"{self.stack.url}{path}", json=body, headers=self.headers
        ) as resp:
            text = await resp.text()
            assert resp.status == 200, (path, resp.status, text)
            return json.loads(text)

    async def connect(self) -> None:
        """Open the websocket and authenticate."""
        self.ws = await self.session.ws_connect(f"{self.stack.url}/api/websocket")
        assert (await self.ws.receive_json())["type"] == "auth_required"
        await self.ws.send_json({"type": "auth", "access_token": self.stack.token})
        assert (await self.ws.receive_json())["type"] == "auth_ok"

    async def command(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one websocket command; return its result message (events are skipped)."""
        assert self.ws is not None
        self._id += 1
        await self.ws.send_json({"id": self._id, **payload})
        while True:
            message: dict[str, Any] = await self.ws.receive_json(timeout=60)
            if message.get("id") == self._id and message["type"] == "result":
                return message
            if message["type"] == "event":
                self.events.append(message["event"])

    async def wait_for_event(self, event_type: str, match: dict[str, Any]) -> dict[str, Any]:
        """Wait for a subscribed event whose data contains ``match``."""
        assert self.ws is not None
        deadline = time.monotonic() + WAIT_S
        while True:
            for event in self.events:
                data = event["data"]
                if event["event_type"] == event_type and all(
                    data.get(k) == v for k, v in match.items()
                ):
                    return event
            remaining = deadline - time.monotonic()
            assert remaining > 0, (event_type, match, self.events)
            with contextlib.suppress(TimeoutError):
                message = await self.ws.receive_json(timeout=min(remaining, 5))
                if message["type"] == "event":
                    self.events.append(message["event"])

    async def call(self, service: str, data: dict[str, Any], *, response: bool) -> Any:
        """``call_service`` over the websocket; return the response (or None)."""
        payload: dict[str, Any] = {
            "type": "call_service",
            "domain": DOMAIN,
            "service": service,
            "service_data": data,
        }
        if response:
            payload["return_response"] = True
        result = await self.command(payload)
        assert result["success"], (service, result)
        return result["result"].get("response")


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[Client]:
    """A REST + websocket client, closed after the test."""
    async with aiohttp.ClientSession() as session:
        api = Client(stack, session)
        await api.connect()
        try:
            yield api
        finally:
            assert api.ws is not None
            await api.ws.close()


async def entity_ids_of(client: Client, entry_id: str) -> list[str]:
    """Enabled entities of one config entry (entity registry over the websocket)."""
    listing = await client.command({"type": "config/entity_registry/list"})
    assert listing["success"]
    return [
        e["entity_id"]
        for e in listing["result"]
        if e["config_entry_id"] == entry_id and e["disabled_by"] is None
    ]


async def states(client: Client) -> dict[str, dict[str, Any]]:
    """Every state, by entity id (REST)."""
    return {s["entity_id"]: s for s in await client.rest("GET", "/api/states")}


async def kind_entries(client: Client) -> dict[str, str]:
    """Entry id of each kind, matched by the device each entry registered."""
    devices = await client.command({"type": "config/device_registry/list"})
    assert devices["success"]
    models = {
        "qBittorrent": "qbittorrent",
        "Jackett": "jackett",
        "TMDB API v3": "tmdb",
        "Watchmode API v1": "watchmode",
        "CloudCmd": "cloudcmd",
        "Portainer": "portainer",
        "Jellyfin Server": "jellyfin",
    }
    found: dict[str, str] = {}
    for device in devices["result"]:
        if device["entry_type"] == "service" and device["model"] in models:
            for entry_id in device["config_entries"]:
                found[models[device["model"]]] = entry_id
    return found


async def test_seven_entries_loaded_with_sensible_entities(client: Client) -> None:
    """REST + websocket: all seven loaded; entities of polling kinds available and plausible."""
    deadline = time.monotonic() + WAIT_S
    while True:
        entries = await client.rest("GET", "/api/config/config_entries/entry")
        ours = [e for e in entries if e["domain"] == DOMAIN]
        if {e["state"] for e in ours} == {"loaded"} or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert len(ours) == 7
    assert {e["state"] for e in ours} == {"loaded"}, ours
    by_kind = await kind_entries(client)
    assert set(by_kind) == {kind.value for kind in Kind}, by_kind
    current = await states(client)
    for kind, entry_id in by_kind.items():
        entity_ids = await entity_ids_of(client, entry_id)
        if not UPSTREAMS[Kind(kind)].forwarded_platforms:
            continue
        assert entity_ids, f"{kind} has platforms but no entities"
        numeric = 0
        for entity_id in entity_ids:
            state = current[entity_id]
            if kind == "portainer" and entity_id.endswith(_BY_CONTAINER_STATE):
                continue  # Resume of a running container, Kill of a stopped one: by design
            assert state["state"] != "unavailable", (kind, entity_id)
            has_unit = "unit_of_measurement" in state["attributes"]
            if entity_id.startswith("sensor.") and has_unit and state["state"] != "unknown":
                float(state["state"])  # a number, as its unit promises
                numeric += 1
        if any(e.startswith("sensor.") for e in entity_ids):
            assert numeric or kind == "tmdb", f"{kind}: no sensor with a number"
    # qBittorrent's event entity and switch exist
    qbt = [current[e] for e in await entity_ids_of(client, by_kind["qbittorrent"])]
    assert any(s["entity_id"].startswith("event.") for s in qbt)
    assert any(s["entity_id"].startswith("switch.") for s in qbt)


_BY_CONTAINER_STATE = ("_pause", "_resume", "_kill")
"""Portainer buttons available only in some container states (as core's)."""

READERS: dict[str, tuple[str, dict[str, Any], str]] = {
    "qbittorrent": ("get_torrents", {}, "torrents"),
    "cloudcmd": ("list_files", {"path": "Movies"}, "entries"),
    "jackett": ("search_torrents", {"query": "matrix"}, "results"),
    "tmdb": ("get_trending", {}, "results"),
    "watchmode": ("get_streaming_sources", {"tmdb_id": 603, "media_type": "movie"}, "sources"),
}
"""A read action per kind, its input and the key its response names."""


async def test_actions_return_responses_over_rest_and_websocket(client: Client) -> None:
    """`?return_response` over REST and `return_response` over the websocket give named data."""
    by_kind = await kind_entries(client)
    registered = await client.rest("GET", "/api/services")
    ours = next(d for d in registered if d["domain"] == DOMAIN)["services"]
    for kind, (action, data, key) in READERS.items():
        if action not in ours:  # actions still being added by other issues
            continue
        body = {**data, "config_entry_id": by_kind[kind]}
        rest = await client.rest("POST", f"/api/services/{DOMAIN}/{action}?return_response", body)
        assert key in rest["service_response"], (action, rest)
        ws = await client.call(action, body, response=True)
        assert key in ws, (action, ws)
        assert ws[key] == rest["service_response"][key] or kind in ("qbittorrent",), action
    # the real cloudcmd lists the real folder
    listed = await client.call(
        "list_files", {"path": "Movies", "config_entry_id": by_kind["cloudcmd"]}, response=True
    )
    assert [e["name"] for e in listed["entries"]] == ["film.mkv"]
    # a mutator over the websocket changes the real disk
    await client.call(
        "create_directory",
        {"path": "Movies/2025", "config_entry_id": by_kind["cloudcmd"]},
        response=False,
    )
    assert (client.stack.cloudcmd.served / "library" / "Movies" / "2025").is_dir()
    # Jellyfin's action answers nothing, successfully
    await client.call("refresh_library", {"config_entry_id": by_kind["jellyfin"]}, response=False)


async def test_torrent_added_and_removed_events_arrive_on_the_websocket(client: Client) -> None:
    """add_torrent on the real qBittorrent: the added event; remove_torrents: the removed one."""
    by_kind = await kind_entries(client)
    for event_type in ("pandora_box_torrent_added", "pandora_box_torrent_removed"):
        subscribed = await client.command({"type": "subscribe_events", "event_type": event_type})
        assert subscribed["success"]
    info_hash = secrets.token_hex(20)
    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=pandora-e2e"  # no tracker: stays local
    entry_id = by_kind["qbittorrent"]
    added = await client.call(
        "add_torrent", {"url": magnet, "config_entry_id": entry_id}, response=True
    )
    assert added["hash"] == info_hash
    event = await client.wait_for_event("pandora_box_torrent_added", {"hash": info_hash})
    assert event["data"]["entry_id"] == entry_id
    assert event["data"]["name"] == "pandora-e2e"
    torrents = await client.call("get_torrents", {"config_entry_id": entry_id}, response=True)
    assert info_hash in [t["hash"] for t in torrents["torrents"]]
    await client.call(
        "remove_torrents",
        {"hashes": [info_hash], "delete_files": True, "config_entry_id": entry_id},
        response=False,
    )
    removed = await client.wait_for_event("pandora_box_torrent_removed", {"hash": info_hash})
    assert removed["data"]["entry_id"] == entry_id


def is_down(state: dict[str, Any]) -> bool:
    """Unavailable, or a connectivity sensor (which stays available) saying ``off``."""
    if state["attributes"].get("device_class") == "connectivity":
        return bool(state["state"] in ("off", "unavailable"))
    return bool(state["state"] == "unavailable")


async def poll_states(client: Client, entity_ids: list[str], want_down: bool) -> None:
    """Ask for refreshes until every entity is down (or none is)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        current = await states(client)
        down = {e for e in entity_ids if is_down(current[e])}
        if (down == set(entity_ids)) if want_down else not down:
            return
        assert time.monotonic() < deadline, (
            "still up" if want_down else "still down",
            sorted(set(entity_ids) - down if want_down else down),
        )
        # homeassistant.update_entity asks the coordinator to poll now
        await client.rest(
            "POST", "/api/services/homeassistant/update_entity", {"entity_id": entity_ids[0]}
        )
        await asyncio.sleep(1)


async def test_stopping_qbittorrent_makes_entities_unavailable_then_available(
    client: Client,
) -> None:
    """qbittorrent-nox stopped: its entities go unavailable; started again: available.

    (The connectivity sensor stays available and says ``off`` instead.)
    """
    by_kind = await kind_entries(client)
    entity_ids = await entity_ids_of(client, by_kind["qbittorrent"])
    assert entity_ids
    await poll_states(client, entity_ids, want_down=False)
    qbittorrent = client.stack.qbittorrent
    qbittorrent.stop()
    try:
        await poll_states(client, entity_ids, want_down=True)
        entries = await client.rest("GET", "/api/config/config_entries/entry")
        assert {e["state"] for e in entries if e["entry_id"] == by_kind["qbittorrent"]} == {
            "loaded"
        }
    finally:
        qbittorrent.start()  # same profile, ports and password
    await poll_states(client, entity_ids, want_down=False)
