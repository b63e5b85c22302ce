"""Our qBittorrent client (and the integration) against a real qbittorrent-nox 4.5.2.

Each test starts its own qbittorrent-nox (``conftest.py``): own profile, own
loopback ports, no DHT/LSD/PeX/UPnP, magnets without trackers, so nothing
leaves the machine and tests run in parallel.  Facts measured here on
Debian 12's qbittorrent-nox 4.5.2 (Web API 2.8.19), each asserted below:

* a fresh profile logs in with admin/adminadmin: ``200 "Ok."`` and a ``SID``
  cookie; a wrong password is ``200 "Fails."``; any call without the cookie
  is ``403``;
* ``app/version`` is ``v4.5.2``, ``app/webapiVersion`` ``2.8.19``;
  ``torrents/stop`` answers 404, ``torrents/pause`` 200;
* ``torrents/add`` of a magnet answers ``"Ok."``; the same magnet again
  ``"Fails."``; the torrent is listed under the magnet's ``btih`` (hex or
  base32) as 40 lower-case hex digits, named after ``dn``, in ``queuedDL``
  or ``metaDL`` (no metadata ever arrives here), ``pausedDL`` once paused;
* ``sync/maindata`` with the last ``rid`` carries only changed fields (a
  pause sends ``state`` and little else) and ``torrents_removed``;
* a ``.torrent`` made here of local files (``make_torrent``) is checked and
  seeds (``stalledUP``, progress 1) within about 1.5 s; after its files are
  moved on disk, as CloudCmd does, ``media.postprocess.async_relocate``
  (``setLocation``, wait while ``moving``, ``recheck`` if it reads
  incomplete) leaves it seeding from the new folder (``stalledUP``; a paused
  one ``pausedUP``), the bytes untouched and nothing back in the old folder;
  ``setLocation`` refuses a blank folder with 400 and one it cannot create
  with 409.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
import hashlib
import os
from pathlib import Path
import secrets
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.pandora_box.api.errors import InvalidAuthError, ResponseError
from custom_components.pandora_box.api.qbittorrent import (
    STOP_START_API,
    MainDataDiff,
    QBittorrentClient,
    Torrent,
)
from custom_components.pandora_box.api.qbittorrent_sync import SyncState
from custom_components.pandora_box.const import CONF_KIND, DOMAIN
from custom_components.pandora_box.media.postprocess import async_relocate

from .conftest import DEFAULT_PASSWORD, DEFAULT_USERNAME, RealQBittorrent

WAIT = 20.0
"""Upper bound for qBittorrent to apply a command (it does so asynchronously)."""


def new_hash() -> str:
    """A random v1 info hash (40 lower-case hex digits)."""
    return secrets.token_hex(20)


def magnet(info_hash: str, name: str) -> str:
    """A magnet link without trackers: qBittorrent lists it but finds no peers."""
    return f"magnet:?xt=urn:btih:{info_hash}&dn={name}"


async def wait_for[T](read: Callable[[], Awaitable[T]], done: Callable[[T], bool], what: str) -> T:
    """Read until ``done`` holds (qBittorrent applies commands asynchronously)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        value = await read()
        if done(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"qBittorrent did not reach: {what}; last read: {value!r}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session with its own unsafe cookie jar, as ``upstreams/qbittorrent`` builds it."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        yield s


def client_for(
    session: aiohttp.ClientSession, qbt: RealQBittorrent, **overrides: str
) -> QBittorrentClient:
    """Our client for ``qbt`` (credentials overridable)."""
    return QBittorrentClient(
        session,
        qbt.url,
        username=overrides.get("username", qbt.username),
        password=overrides.get("password", qbt.password),
    )


async def torrent_of(client: QBittorrentClient, info_hash: str) -> Torrent | None:
    """The torrent ``info_hash`` as ``torrents/info`` lists it, or ``None``."""
    torrents = await client.async_torrents(hashes=[info_hash])
    return next((t for t in torrents if t.hash == info_hash), None)


# -- (a) client level -------------------------------------------------------------------


async def test_fresh_profile_logs_in_with_default_password(
    fresh_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """4.5.2 on a fresh profile (no stored password) accepts admin/adminadmin."""
    client = client_for(
        session, fresh_qbittorrent, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD
    )
    info = await client.async_get_info()
    assert info.version == "4.5.2"
    assert info.name == "qBittorrent 4.5.2"
    assert info.unique_id == fresh_qbittorrent.url + "/"


async def test_login_version_and_verbs(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """Login with the profile's PBKDF2 password; Web API 2.8.19 speaks pause, not stop."""
    client = client_for(session, real_qbittorrent)
    info = await client.async_get_info()
    assert info.version == "4.5.2"
    assert client.api_version == (2, 8, 19)
    assert client.api_version < STOP_START_API
    # the raw facts behind the verb choice, on the session our client logged in
    api = f"{real_qbittorrent.url}/api/v2"
    async with session.post(f"{api}/torrents/stop", data={"hashes": "all"}) as resp:
        assert resp.status == 404
    async with session.post(f"{api}/torrents/pause", data={"hashes": "all"}) as resp:
        assert resp.status == 200
    async with session.get(f"{api}/app/version") as resp:
        assert (resp.status, await resp.text()) == (200, "v4.5.2")


async def test_wrong_password_is_invalid_auth(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A wrong password is ``200 "Fails."`` on 4.5.2, which our client maps to InvalidAuthError."""
    api = f"{real_qbittorrent.url}/api/v2"
    async with aiohttp.ClientSession() as raw:
        form = {"username": real_qbittorrent.username, "password": "wrong"}
        async with raw.post(f"{api}/auth/login", data=form) as resp:
            assert (resp.status, await resp.text()) == (200, "Fails.")
            assert "SID" not in resp.cookies
        async with raw.get(f"{api}/app/version") as resp:
            assert resp.status == 403
    client = client_for(session, real_qbittorrent, password="wrong")
    with pytest.raises(InvalidAuthError, match="rejected the user name or password"):
        await client.async_get_info()


async def test_expired_session_logs_in_again(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """After the real program forgets the session (restart), the client logs in again."""
    client = client_for(session, real_qbittorrent)
    await client.async_get_info()
    await asyncio.to_thread(real_qbittorrent.stop)
    await asyncio.to_thread(real_qbittorrent.start)
    diff = await client.async_sync_maindata(0)
    assert diff.full_update
    assert client.api_version == (2, 8, 19)


async def test_add_pause_resume_delete(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A magnet is added (hash derived), paused, resumed and deleted on the real program."""
    client = client_for(session, real_qbittorrent)
    info_hash = new_hash()
    hashes = await client.async_add([magnet(info_hash, "Pandora.Real.Test")])
    assert hashes == [info_hash]

    added = await wait_for(
        lambda: torrent_of(client, info_hash), lambda t: t is not None, "the torrent is listed"
    )
    assert added is not None
    assert added.name == "Pandora.Real.Test"
    assert added.state in ("queuedDL", "metaDL")
    assert not added.paused
    assert added.progress == 0.0
    assert added.eta is None  # 8640000: unknown
    assert added.completion_on is None
    assert added.save_path is not None
    assert added.save_path.startswith(str(real_qbittorrent.profile))

    await client.async_pause([info_hash])
    paused = await wait_for(
        lambda: torrent_of(client, info_hash), lambda t: t is not None and t.paused, "paused"
    )
    assert paused is not None
    assert (paused.state, paused.raw_state) == ("pausedDL", "pausedDL")

    await client.async_resume([info_hash])
    resumed = await wait_for(
        lambda: torrent_of(client, info_hash),
        lambda t: t is not None and not t.paused,
        "resumed",
    )
    assert resumed is not None
    assert resumed.state in ("queuedDL", "metaDL")

    await client.async_delete([info_hash], delete_files=True)
    await wait_for(lambda: torrent_of(client, info_hash), lambda t: t is None, "deleted")


async def test_add_base32_magnet_and_duplicate(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A base32 btih is listed under the hex hash we derive; adding it again fails."""
    import base64

    info_hash = new_hash()
    b32 = base64.b32encode(bytes.fromhex(info_hash)).decode()
    client = client_for(session, real_qbittorrent)
    link = magnet(b32, "Pandora.Base32")
    assert await client.async_add([link], paused=True) == [info_hash]
    listed = await wait_for(
        lambda: torrent_of(client, info_hash), lambda t: t is not None, "listed"
    )
    assert listed is not None
    assert listed.paused  # the 4.x "paused" add field was honoured
    with pytest.raises(ResponseError, match="added none of the torrents"):
        await client.async_add([link])


async def test_maindata_rid_diffs(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """rid 0 is a full update; later rids carry only changes and removals."""
    client = client_for(session, real_qbittorrent)
    full = await client.async_sync_maindata(0)
    assert full.full_update
    assert full.rid == 1
    assert full.torrents == {}
    assert full.server_state["connection_status"] in ("firewalled", "disconnected", "connected")
    assert full.server_state["use_alt_speed_limits"] is False

    info_hash = new_hash()
    await client.async_add([magnet(info_hash, "Pandora.Diff")])

    async def diff_after(rid: int) -> MainDataDiff:
        return await client.async_sync_maindata(rid)

    rid = full.rid
    added = await wait_for(lambda: diff_after(rid), lambda d: info_hash in d.torrents, "added")
    assert not added.full_update
    assert added.rid > rid
    new = added.torrents[info_hash]
    assert {"name", "state", "hash", "save_path", "added_on"} - new.keys() == {"hash"}
    assert new["name"] == "Pandora.Diff"

    await client.async_pause([info_hash])
    rid = added.rid
    paused = await wait_for(
        lambda: diff_after(rid),
        lambda d: d.torrents.get(info_hash, {}).get("state") == "pausedDL",
        "a diff with the paused state",
    )
    changed = paused.torrents[info_hash]
    assert "name" not in changed  # only what changed is sent
    assert len(changed) < len(new)

    await client.async_delete([info_hash], delete_files=False)
    rid = paused.rid
    removed = await wait_for(
        lambda: diff_after(rid), lambda d: info_hash in d.torrents_removed, "removed"
    )
    assert info_hash not in removed.torrents
    assert not removed.full_update


async def test_merged_diffs_equal_a_full_snapshot(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """rid diffs merged by SyncState equal a fresh full snapshot of the real program."""
    client = client_for(session, real_qbittorrent)
    state = SyncState()
    first = state.apply(await client.async_sync_maindata(state.rid))
    assert first.full_update

    kept, paused, gone = new_hash(), new_hash(), new_hash()
    await client.async_create_category("pandora", save_path="")
    assert await client.async_add(
        [magnet(kept, "Pandora.Kept")], category="pandora", tags=["pandora-tag"]
    ) == [kept]
    await client.async_add([magnet(paused, "Pandora.Paused"), magnet(gone, "Pandora.Gone")])
    await wait_for(client.async_torrents, lambda ts: len(ts) == 3, "three torrents listed")
    changes = state.apply(await client.async_sync_maindata(state.rid))
    assert not changes.full_update
    assert set(changes.added) == {kept, paused, gone}
    await client.async_pause([paused])
    await client.async_delete([gone], delete_files=False)
    await wait_for(
        client.async_torrents,
        lambda ts: {t.hash: t.paused for t in ts} == {kept: False, paused: True},
        "one paused, one deleted",
    )
    changes = state.apply(await client.async_sync_maindata(state.rid))
    assert not changes.full_update
    assert set(changes.removed) == {gone}
    assert paused in changes.changed

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        fresh_client = client_for(other, real_qbittorrent)
        for _ in range(50):
            changes = state.apply(await client.async_sync_maindata(state.rid))
            full = await fresh_client.async_sync_maindata(0)
            after = await client.async_sync_maindata(state.rid)
            state.apply(after)
            if after.torrents or after.server_state or after.torrents_removed:
                continue  # something moved in between (time_active ticks): read again
            expected = SyncState()
            expected.apply(full)
            break
        else:
            pytest.fail("qBittorrent never stood still for three reads")
    merged = state.raw()
    assert merged == expected.raw()
    assert set(merged["torrents"]) == {kept, paused}
    assert merged["torrents"][kept]["category"] == "pandora"
    assert merged["torrents"][paused]["state"] == "pausedDL"
    assert "pandora" in merged["categories"]
    assert merged["tags"] == ["pandora-tag"]
    assert state.counts().total == 2
    assert state.counts().paused == 1


def bencode(value: object) -> bytes:
    """Bencode ints, strings, bytes, lists and dicts (keys sorted)."""
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(type(value).__name__)


def make_torrent(folder: Path, piece_length: int = 16384) -> tuple[bytes, str]:
    """A multi-file ``.torrent`` of ``folder`` (no tracker) and its v1 info hash."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    data = b"".join(p.read_bytes() for p in files)
    pieces = b"".join(
        hashlib.sha1(data[i : i + piece_length], usedforsecurity=False).digest()
        for i in range(0, len(data), piece_length)
    )
    info = {
        "name": folder.name,
        "piece length": piece_length,
        "pieces": pieces,
        "files": [
            {"length": p.stat().st_size, "path": list(p.relative_to(folder).parts)} for p in files
        ],
    }
    return bencode({"info": info}), hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def seeding_torrent(
    client: QBittorrentClient, session: aiohttp.ClientSession, qbt: RealQBittorrent, folder: Path
) -> str:
    """Add a ``.torrent`` of ``folder`` saved in its parent; wait until it seeds."""
    await client.async_get_info()  # logs the shared session in
    torrent, info_hash = make_torrent(folder)
    form = aiohttp.FormData()
    form.add_field("torrents", torrent, filename="local.torrent")
    form.add_field("savepath", str(folder.parent))
    async with session.post(f"{qbt.url}/api/v2/torrents/add", data=form) as resp:
        assert (resp.status, await resp.text()) == (200, "Ok.")
    seeding = await wait_for(
        lambda: torrent_of(client, info_hash),
        lambda t: t is not None and t.state in ("stalledUP", "uploading"),
        "the local torrent seeds",
    )
    assert seeding is not None
    assert seeding.progress == 1.0
    return info_hash


@pytest.mark.xdist_group("qbittorrent_real_relocation")
@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
async def test_relocation_after_the_files_moved(
    real_qbittorrent: RealQBittorrent,
    session: aiohttp.ClientSession,
    tmp_path: Path,
    paused: bool,
) -> None:
    """Files moved on disk, then our relocation: seeding from the library, bytes intact."""
    downloads, library = tmp_path / "downloads" / "movies", tmp_path / "Movies"
    content = downloads / "Big.Buck.Bunny.2008"
    (content / "Subs").mkdir(parents=True)
    (content / "movie.mkv").write_bytes(os.urandom(150_000))
    (content / "Subs" / "en.srt").write_bytes(os.urandom(3_000))
    before = snapshot(content)
    client = client_for(session, real_qbittorrent)
    info_hash = await seeding_torrent(client, session, real_qbittorrent, content)
    if paused:
        await client.async_pause([info_hash])
        await wait_for(
            lambda: torrent_of(client, info_hash),
            lambda t: t is not None and t.state == "pausedUP",
            "paused",
        )

    library.mkdir()
    content.rename(library / content.name)  # what CloudCmd's move does
    relocated = await async_relocate(client, info_hash, str(downloads), str(library))
    assert relocated is not None
    assert relocated.save_path == str(library)
    assert relocated.state != "moving"

    final = ("pausedUP",) if paused else ("stalledUP", "uploading")
    settled = await wait_for(
        lambda: torrent_of(client, info_hash),
        lambda t: t is not None and t.state in final,
        f"seeding from the library ({final})",
    )
    assert settled is not None
    assert settled.save_path == str(library)
    assert settled.content_path == str(library / content.name)
    assert settled.progress == 1.0
    assert not settled.errored
    assert snapshot(library / content.name) == before
    assert list(downloads.iterdir()) == []  # nothing recreated at the old place
    # a second run finds it done: no setLocation, no recheck
    assert await async_relocate(client, info_hash, str(downloads), str(library)) is None
    again = await torrent_of(client, info_hash)
    assert again is not None
    assert again.state in final


@pytest.mark.xdist_group("qbittorrent_real_relocation")
async def test_set_location_refusals(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """400 for a blank folder, 409 when it cannot be made (a file in the way)."""
    client = client_for(session, real_qbittorrent)
    content = tmp_path / "downloads" / "Refusals"
    content.mkdir(parents=True)
    (content / "a.bin").write_bytes(os.urandom(20_000))
    info_hash = await seeding_torrent(client, session, real_qbittorrent, content)
    (tmp_path / "a-file").write_bytes(b"x")
    with pytest.raises(ResponseError, match="the folder is empty") as err:
        await client.async_set_location([info_hash], "  ")
    assert err.value.status == 400
    with pytest.raises(ResponseError, match="cannot create the folder") as err:
        await client.async_set_location([info_hash], str(tmp_path / "a-file" / "sub"))
    assert err.value.status == 409
    torrent = await torrent_of(client, info_hash)
    assert torrent is not None
    assert torrent.save_path == str(content.parent)
    assert torrent.state in ("stalledUP", "uploading")


# -- (b) Home Assistant level -----------------------------------------------------------


async def _torrents(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    """``get_torrents`` for ``entry`` (each call polls qBittorrent once)."""
    response = await hass.services.async_call(
        DOMAIN,
        "get_torrents",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    torrents = response["torrents"]
    assert isinstance(torrents, list)
    rows: list[dict[str, Any]] = []
    for torrent in torrents:
        assert isinstance(torrent, dict)
        rows.append(torrent)
    return rows


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of ``entity_id`` now."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _poll(hass: HomeAssistant) -> None:
    """Let the coordinator's next scheduled poll run now (the slow interval is 60 s)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)  # polls run in the background


def _entry(qbt: RealQBittorrent, **overrides: Any) -> MockConfigEntry:
    """A qBittorrent config entry for the real program (data overridable)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="qBittorrent real",
        unique_id=f"{qbt.url}/",
        data={
            CONF_KIND: "qbittorrent",
            CONF_URL: qbt.url,
            CONF_USERNAME: qbt.username,
            CONF_PASSWORD: qbt.password,
            CONF_VERIFY_SSL: True,
            **overrides,
        },
    )


async def test_home_assistant_wrong_password_starts_reauth(
    hass: HomeAssistant, real_qbittorrent: RealQBittorrent
) -> None:
    """A password the real program refuses fails setup and opens a reauth flow."""
    entry = _entry(real_qbittorrent, **{CONF_PASSWORD: "wrong"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [(f["context"]["source"], f["context"]["entry_id"]) for f in flows] == [
        ("reauth", entry.entry_id)
    ]


async def test_home_assistant_against_real_qbittorrent(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    real_qbittorrent: RealQBittorrent,
) -> None:
    """Entry, add_torrent, get_torrents, counts, pause, resume, remove, events, outage."""
    entry = _entry(real_qbittorrent)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.info.version == "4.5.2"
    total = entity_registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_total_torrents"
    )
    paused_count = entity_registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_paused_torrents"
    )
    events = entity_registry.async_get_entity_id("event", DOMAIN, f"{entry.entry_id}_torrents")
    assert total is not None
    assert paused_count is not None
    assert events is not None
    assert _state(hass, total) == "0"
    added_events = async_capture_events(hass, "pandora_box_torrent_added")
    removed_events = async_capture_events(hass, "pandora_box_torrent_removed")

    info_hash = new_hash()
    response = await hass.services.async_call(
        DOMAIN,
        "add_torrent",
        {"config_entry_id": entry.entry_id, "url": magnet(info_hash, "Pandora.HA.Real")},
        blocking=True,
        return_response=True,
    )
    assert response == {"hash": info_hash}

    async def listed() -> list[dict[str, Any]]:
        return await _torrents(hass, entry)

    torrents = await wait_for(listed, lambda ts: len(ts) == 1, "the torrent in get_torrents")
    assert torrents[0]["hash"] == info_hash
    assert torrents[0]["name"] == "Pandora.HA.Real"
    assert torrents[0]["progress"] == 0
    await hass.async_block_till_done()
    assert _state(hass, total) == "1"
    assert [e.data["hash"] for e in added_events] == [info_hash]
    assert added_events[0].data["entry_id"] == entry.entry_id
    assert added_events[0].data["name"] == "Pandora.HA.Real"

    with pytest.raises(ServiceValidationError, match="already has this torrent"):
        await hass.services.async_call(
            DOMAIN,
            "add_torrent",
            {"config_entry_id": entry.entry_id, "url": magnet(info_hash, "Again")},
            blocking=True,
            return_response=True,
        )

    await hass.services.async_call(
        DOMAIN,
        "pause_torrents",
        {"config_entry_id": entry.entry_id, "hashes": [info_hash]},
        blocking=True,
    )
    torrents = await wait_for(
        listed, lambda ts: ts[0]["state"] == "pausedDL", "paused in get_torrents"
    )
    await hass.async_block_till_done()
    assert _state(hass, paused_count) == "1"

    await hass.services.async_call(
        DOMAIN,
        "resume_torrents",
        {"config_entry_id": entry.entry_id, "hashes": [info_hash]},
        blocking=True,
    )
    torrents = await wait_for(
        listed, lambda ts: ts[0]["state"] != "pausedDL", "resumed in get_torrents"
    )
    assert torrents[0]["state"] in ("queuedDL", "metaDL")
    await hass.async_block_till_done()
    assert _state(hass, paused_count) == "0"

    await hass.services.async_call(
        DOMAIN,
        "remove_torrents",
        {"config_entry_id": entry.entry_id, "hashes": [info_hash], "delete_files": True},
        blocking=True,
    )
    await wait_for(listed, lambda ts: ts == [], "removed from get_torrents")
    await hass.async_block_till_done()
    assert _state(hass, total) == "0"
    assert [e.data["hash"] for e in removed_events] == [info_hash]
    assert removed_events[0].data["name"] == "Pandora.HA.Real"
    assert len(added_events) == 1  # exactly once
    event_state = hass.states.get(events)
    assert event_state is not None
    assert event_state.attributes["event_type"] == "torrent_removed"
    assert event_state.attributes["hash"] == info_hash

    # the program goes away: entities unavailable; it comes back: available by themselves
    await hass.async_add_executor_job(real_qbittorrent.stop)
    await _poll(hass)
    assert _state(hass, total) == STATE_UNAVAILABLE
    await hass.async_add_executor_job(real_qbittorrent.start)
    await _poll(hass)
    assert _state(hass, total) == "0"
    assert len(added_events) == 1
    assert len(removed_events) == 1
