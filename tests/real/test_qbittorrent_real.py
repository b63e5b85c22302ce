"""Our qBittorrent client (and the integration) against real qbittorrent-nox programs.

Each test starts its own qbittorrent-nox (``conftest.py``): own profile, own
loopback ports, no DHT/LSD/PeX/UPnP, magnets without trackers, so nothing
leaves the machine and tests run in parallel.  Every test runs once per
binary of ``PANDORA_BOX_QBITTORRENT_NOX`` (CI: Debian bookworm's 4.5.2 and
sid's 5.3.0); what differs between them is in :data:`GENERATIONS`, one row
per generation, each fact measured here and asserted below.

Measured on both (4.5.2 / Web API 2.8.19, 5.3.0 / Web API 2.16.2):

* any call without the session cookie is ``403 "Forbidden"``; a login while
  the request already has a valid session succeeds without checking the
  password; a foreign ``Origin`` or a ``Host`` with another port is ``401``;
  after five failed logins the sixth, even with the right password, is
  ``403 "Your IP address has been banned after too many failed
  authentication attempts."`` while an older session keeps working;
* each answers the other generation's verbs with 404 and ignores the other
  generation's "add stopped" field and filter names (an unknown filter is
  ``all``): the client must pick them by version, and does;
* ``torrents/add`` of a magnet lists it under the magnet's ``btih`` (hex or
  base32) as 40 lower-case hex digits, named after ``dn``, in ``queuedDL``
  or ``metaDL`` (no metadata ever arrives here);
* ``sync/maindata`` with the last ``rid`` carries only changed fields (a
  pause sends ``state`` and little else) and ``torrents_removed``;
* actions (stop/pause, start/resume, delete, recheck, setLocation,
  createCategory, toggleSpeedLimitsMode, logout) answer ``200`` with an
  empty body on both; 5.3.0 answers ``204`` only to the login, although Web
  API 2.11.8 announced 204 for answers without data;
* a ``.torrent`` made here of local files (``make_torrent``) is checked and
  seeds (``stalledUP``, progress 1) within about 1.5 s; after its files are
  moved on disk, as CloudCmd does, ``media.postprocess.async_relocate``
  (``setLocation``, wait while ``moving``, ``recheck`` if it reads
  incomplete) leaves it seeding from the new folder (``stalledUP``; a paused
  one paused), the bytes untouched and nothing back in the old folder;
  ``setLocation`` refuses a blank folder with 400 and one it cannot create
  with 409.

What differs (the rows of :data:`GENERATIONS`): the verbs and state names,
the login answers, the cookie's name and attributes, the ``torrents/add``
answers, the 404 and 400 bodies, whether a fresh profile takes
``admin``/``adminadmin``, whether a full ``sync/maindata`` update carries
empty sections, and the reason phrase of the status line.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
import hashlib
import json
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
    ADD_JSON_API,
    STOP_START_API,
    MainDataDiff,
    NotAddedError,
    QBittorrentClient,
    Torrent,
)
from custom_components.pandora_box.api.qbittorrent_sync import SyncState
from custom_components.pandora_box.const import CONF_KIND, DOMAIN
from custom_components.pandora_box.media.postprocess import async_relocate

from .conftest import DEFAULT_PASSWORD, DEFAULT_USERNAME, RealQBittorrent

WAIT = 20.0
"""Upper bound for qBittorrent to apply a command (it does so asynchronously)."""
BANNED = "Your IP address has been banned after too many failed authentication attempts."


@dataclass(frozen=True, slots=True, kw_only=True)
class Generation:
    """What the real programs of one generation answer; every field measured here."""

    versions: tuple[tuple[int, ...], tuple[int, ...]]
    """The program versions it covers: from the first (inclusive) to the second."""
    webapi: dict[str, tuple[int, ...]]
    """The Web API version each measured program reports."""
    stop_start: bool
    """``torrents/stop|start``, ``stopped*`` states, the ``stopped`` add field."""
    reason: str
    """The reason phrase of a ``200`` status line (5.3.0 sends none)."""
    login_ok: tuple[int, str]
    login_bad: tuple[int, str]
    cookie_prefix: str
    """The session cookie's name, or its prefix before the WebUI port."""
    cookie_same_site: str
    cookie_expires: bool
    """Whether the cookie carries ``expires`` (else it lives as long as the browser)."""
    no_endpoint: str
    """The 404 body of an unknown action of a known scope (the other generation's verbs)."""
    add_json: bool
    """Whether ``torrents/add`` answers JSON (else ``"Ok."``)."""
    add_refused: tuple[int, str]
    """The answer to an add of nothing new (a duplicate, a garbage link)."""
    missing_param: str
    """The 400 body of ``torrents/delete`` without ``deleteFiles``."""
    default_password: bool
    """Whether a fresh profile logs in with admin/adminadmin (else a temporary password)."""
    empty_sections: frozenset[str]
    """The empty sections a full ``sync/maindata`` of a program without torrents carries."""
    rid_restarts: bool
    """Whether a full ``sync/maindata`` (``rid=0``) answers rid 1 again, else counts on."""
    diff_drops_nulls: bool
    """Whether the diff that brings a new torrent leaves out its fields that are null."""

    @property
    def paused_dl(self) -> str:
        """The raw state of a paused incomplete torrent."""
        return "stoppedDL" if self.stop_start else "pausedDL"

    @property
    def paused_up(self) -> str:
        """The raw state of a paused complete torrent."""
        return "stoppedUP" if self.stop_start else "pausedUP"

    @property
    def verbs(self) -> tuple[str, str]:
        """This generation's pause and resume verbs."""
        return ("stop", "start") if self.stop_start else ("pause", "resume")

    @property
    def other_verbs(self) -> tuple[str, str]:
        """The other generation's verbs (404 here)."""
        return ("pause", "resume") if self.stop_start else ("stop", "start")

    @property
    def stopped_field(self) -> tuple[str, str]:
        """This generation's "add stopped" field, and the other's (ignored here)."""
        return ("stopped", "paused") if self.stop_start else ("paused", "stopped")

    @property
    def paused_filter(self) -> tuple[str, str]:
        """This generation's filter of paused torrents, and the other's (``all`` here)."""
        return ("stopped", "paused") if self.stop_start else ("paused", "stopped")

    def cookie_name(self, qbt: RealQBittorrent) -> str:
        """The session cookie's name for ``qbt``."""
        if self.cookie_prefix == "SID":
            return "SID"
        return f"{self.cookie_prefix}{qbt.webui_port}"


GENERATIONS = (
    Generation(
        versions=((4, 5), (4, 6)),
        webapi={"4.5.2": (2, 8, 19)},
        stop_start=False,
        reason="OK",
        login_ok=(200, "Ok."),
        login_bad=(200, "Fails."),
        cookie_prefix="SID",
        cookie_same_site="Strict",
        cookie_expires=False,
        no_endpoint="Not Found",
        add_json=False,
        add_refused=(200, "Fails."),
        missing_param="Bad Request",
        default_password=True,
        empty_sections=frozenset({"torrents", "categories", "tags", "trackers"}),
        rid_restarts=True,
        diff_drops_nulls=False,
    ),
    Generation(
        versions=((5, 3), (6,)),
        webapi={"5.3.0": (2, 16, 2)},
        stop_start=True,
        reason="",
        login_ok=(204, ""),
        login_bad=(401, "Unauthorized"),
        cookie_prefix="QBT_SID_",
        cookie_same_site="Lax",
        cookie_expires=True,
        no_endpoint="Endpoint does not exist",
        add_json=True,
        add_refused=(409, "Conflict"),
        missing_param="Missing required parameters: deleteFiles",
        default_password=False,
        empty_sections=frozenset(),
        rid_restarts=False,
        diff_drops_nulls=True,
    ),
)
"""What the real programs answer, per generation: 4.5 (bookworm) and 5.3+ (sid)."""


def generation(qbt: RealQBittorrent) -> Generation:
    """The row of :data:`GENERATIONS` for ``qbt``'s version; fail for an unmeasured one."""
    for row in GENERATIONS:
        lowest, below = row.versions
        if lowest <= qbt.version < below:
            return row
    pytest.fail(
        f"qBittorrent {qbt.binary.version} is in no row of GENERATIONS: measure what it "
        "answers (the raw assertions of this module say what to look at) and add one",
        pytrace=False,
    )


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


async def answer(resp: aiohttp.ClientResponse) -> tuple[int, str]:
    """Status and body of a raw answer."""
    return resp.status, await resp.text()


# -- (a) client level -------------------------------------------------------------------


async def test_fresh_profile_password(
    fresh_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A fresh profile: 4.5 takes admin/adminadmin; 5.3 refuses it and logs a temporary one."""
    gen = generation(fresh_qbittorrent)
    default = client_for(
        session, fresh_qbittorrent, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD
    )
    temporary = fresh_qbittorrent.temporary_password()
    if gen.default_password:
        assert temporary is None
        info = await default.async_get_info()
    else:
        with pytest.raises(InvalidAuthError, match="rejected the user name or password"):
            await default.async_get_info()
        assert temporary is not None
        assert len(temporary) >= 8
        info = await client_for(
            session, fresh_qbittorrent, username=DEFAULT_USERNAME, password=temporary
        ).async_get_info()
    assert info.version == fresh_qbittorrent.binary.version
    assert info.name == f"qBittorrent {fresh_qbittorrent.binary.version}"
    assert info.unique_id == fresh_qbittorrent.url + "/"


async def test_login_version_and_verbs(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """The PBKDF2 password logs in; the Web API version picks verbs the program has."""
    gen = generation(real_qbittorrent)
    client = client_for(session, real_qbittorrent)
    info = await client.async_get_info()
    assert info.version == real_qbittorrent.binary.version
    assert client.api_version is not None
    measured = gen.webapi.get(info.version or "")
    if measured is not None:
        assert client.api_version == measured
    if gen.stop_start:
        assert client.api_version >= ADD_JSON_API > STOP_START_API
    else:
        assert client.api_version < STOP_START_API
    # the raw facts behind the verb choice, on the session our client logged in
    api = f"{real_qbittorrent.url}/api/v2"
    for verb in gen.other_verbs:
        async with session.post(f"{api}/torrents/{verb}", data={"hashes": "all"}) as resp:
            assert await answer(resp) == (404, gen.no_endpoint), verb
    for verb in gen.verbs:
        async with session.post(f"{api}/torrents/{verb}", data={"hashes": "all"}) as resp:
            assert await answer(resp) == (200, ""), verb
            assert resp.reason == gen.reason
    async with session.get(f"{api}/torrents/nothing") as resp:
        assert await answer(resp) == (404, gen.no_endpoint)
    async with session.get(f"{api}/nothing/nothing") as resp:
        assert await answer(resp) == (404, "Not Found")  # an unknown scope, on both
    async with session.post(f"{api}/torrents/delete", data={"hashes": "all"}) as resp:
        assert await answer(resp) == (400, gen.missing_param)
    async with session.get(f"{api}/app/version") as resp:
        assert await answer(resp) == (200, f"v{real_qbittorrent.binary.version}")


async def test_session_cookie_and_login_answers(real_qbittorrent: RealQBittorrent) -> None:
    """The cookie's name and attributes and the login answers, raw; the other name is no key."""
    gen = generation(real_qbittorrent)
    api = f"{real_qbittorrent.url}/api/v2"
    name = gen.cookie_name(real_qbittorrent)
    form = {"username": real_qbittorrent.username, "password": real_qbittorrent.password}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as raw:
        async with raw.post(f"{api}/auth/login", data=form) as resp:
            assert await answer(resp) == gen.login_ok
            assert list(resp.cookies) == [name]
            cookie = resp.cookies[name]
            assert cookie["httponly"] is True
            assert cookie["path"] == "/"
            assert cookie["samesite"] == gen.cookie_same_site
            assert bool(cookie["expires"]) is gen.cookie_expires
            sid = cookie.value
        # with a valid session the login succeeds without looking at the password
        async with raw.post(f"{api}/auth/login", data={**form, "password": "wrong"}) as resp:
            assert await answer(resp) == gen.login_ok
            assert not resp.cookies
        other = f"QBT_SID_{real_qbittorrent.webui_port}" if name == "SID" else "SID"
    async with aiohttp.ClientSession() as bare:
        for cookie_name, status in ((name, 200), (other, 403)):
            headers = {"Cookie": f"{cookie_name}={sid}"}
            async with bare.get(f"{api}/app/version", headers=headers) as resp:
                assert resp.status == status, cookie_name
        headers = {"Cookie": f"{name}={sid}", "Origin": "http://evil.example"}
        async with bare.get(f"{api}/app/version", headers=headers) as resp:
            assert await answer(resp) == (401, "Unauthorized")  # the CSRF check
        headers = {"Cookie": f"{name}={sid}", "Host": "127.0.0.1:1"}
        async with bare.get(f"{api}/app/version", headers=headers) as resp:
            assert await answer(resp) == (401, "Unauthorized")  # the Host header check
        async with bare.post(f"{api}/auth/logout", headers={"Cookie": f"{name}={sid}"}) as resp:
            assert await answer(resp) == (200, "")
            assert resp.cookies[name].value == ""
        async with bare.get(f"{api}/app/version", headers={"Cookie": f"{name}={sid}"}) as resp:
            assert await answer(resp) == (403, "Forbidden")


async def test_wrong_password_is_invalid_auth(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A wrong password (200 "Fails." on 4.5, 401 on 5.3) is InvalidAuthError for our client."""
    gen = generation(real_qbittorrent)
    api = f"{real_qbittorrent.url}/api/v2"
    async with aiohttp.ClientSession() as raw:
        form = {"username": real_qbittorrent.username, "password": "wrong"}
        async with raw.post(f"{api}/auth/login", data=form) as resp:
            assert await answer(resp) == gen.login_bad
            assert not resp.cookies
        async with raw.get(f"{api}/app/version") as resp:
            assert await answer(resp) == (403, "Forbidden")
    client = client_for(session, real_qbittorrent, password="wrong")
    with pytest.raises(InvalidAuthError, match="rejected the user name or password"):
        await client.async_get_info()


async def test_ban_after_five_failed_logins(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """Five failures ban the address, the right password too; an older session still works."""
    gen = generation(real_qbittorrent)
    client = client_for(session, real_qbittorrent)
    await client.async_get_info()  # a session from before the ban
    api = f"{real_qbittorrent.url}/api/v2"
    async with aiohttp.ClientSession() as raw:
        bad = {"username": "nobody", "password": "wrong"}
        for _ in range(5):
            async with raw.post(f"{api}/auth/login", data=bad) as resp:
                assert await answer(resp) == gen.login_bad
        good = {"username": real_qbittorrent.username, "password": real_qbittorrent.password}
        async with raw.post(f"{api}/auth/login", data=good) as resp:
            assert await answer(resp) == (403, BANNED)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        with pytest.raises(InvalidAuthError, match="banned this IP address"):
            await client_for(other, real_qbittorrent).async_get_info()
    assert (await client.async_get_info()).version == real_qbittorrent.binary.version


async def test_expired_session_logs_in_again(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """After the real program forgets the session (restart), the client logs in again."""
    client = client_for(session, real_qbittorrent)
    await client.async_get_info()
    api_version = client.api_version
    await asyncio.to_thread(real_qbittorrent.stop)
    await asyncio.to_thread(real_qbittorrent.start)
    diff = await client.async_sync_maindata(0)
    assert diff.full_update
    assert client.api_version == api_version


async def test_add_pause_resume_delete(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A magnet is added (hash derived), paused, resumed and deleted on the real program."""
    gen = generation(real_qbittorrent)
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
    assert (paused.state, paused.raw_state) == ("pausedDL", gen.paused_dl)

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


async def test_add_answers(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """``torrents/add`` raw: "Ok."/"Fails." (4.5) or JSON/409 (5.3); which add field counts."""
    gen = generation(real_qbittorrent)
    client = client_for(session, real_qbittorrent)
    await client.async_get_info()  # logs the shared session in
    api = f"{real_qbittorrent.url}/api/v2"

    async def add(*links: str, **fields: str) -> tuple[int, str, str]:
        form = aiohttp.FormData()
        form.add_field("urls", "\n".join(links))
        for key, value in fields.items():
            form.add_field(key, value)
        async with session.post(f"{api}/torrents/add", data=form) as resp:
            return resp.status, resp.content_type, await resp.text()

    def ok(*added: str, failed: int = 0) -> tuple[int, str, str]:
        if not gen.add_json:
            return 200, "text/plain", "Ok."
        body = {
            "added_torrent_ids": list(added),
            "failure_count": failed,
            "pending_count": 0,
            "success_count": len(added),
        }
        return 200, "application/json", json.dumps(body, separators=(",", ":"))

    refused = (gen.add_refused[0], "text/plain", gen.add_refused[1])
    first, second, kept, ignored = new_hash(), new_hash(), new_hash(), new_hash()
    assert await add(magnet(first, "Pandora.First")) == ok(first)
    # 5.x adds in the background: a repeat before the torrent is listed is a second success
    await wait_for(lambda: torrent_of(client, first), lambda t: t is not None, "first listed")
    assert await add(magnet(first, "Pandora.First")) == refused  # already there
    assert await add("not a link") == refused
    # one new, one known: a success that counts the failure (5.3) or just "Ok." (4.5)
    assert await add(magnet(first, "Pandora.First"), magnet(second, "Pandora.Second")) == ok(
        second, failed=1
    )
    field, other_field = gen.stopped_field
    assert await add(magnet(kept, "Pandora.Kept"), **{field: "true"}) == ok(kept)
    assert await add(magnet(ignored, "Pandora.Ignored"), **{other_field: "true"}) == ok(ignored)
    listed = await wait_for(client.async_torrents, lambda ts: len(ts) == 4, "four torrents listed")
    states = {t.hash: t for t in listed}
    assert (states[kept].paused, states[kept].raw_state) == (True, gen.paused_dl)
    assert not states[ignored].paused  # the other generation's field is not read
    # our client: the version's field, and NotAddedError for a duplicate on both
    via_client = new_hash()
    assert await client.async_add([magnet(via_client, "Pandora.Client")], paused=True) == [
        via_client
    ]
    torrent = await wait_for(
        lambda: torrent_of(client, via_client), lambda t: t is not None, "listed"
    )
    assert torrent is not None
    assert torrent.paused
    with pytest.raises(NotAddedError, match="added none of the torrents") as err:
        await client.async_add([magnet(first, "Again")])
    assert err.value.status == gen.add_refused[0]


async def test_filters(real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession) -> None:
    """Filter names follow the states; the client translates ``paused``/``resumed``."""
    gen = generation(real_qbittorrent)
    client = client_for(session, real_qbittorrent)
    running, paused = new_hash(), new_hash()
    await client.async_add([magnet(running, "Pandora.Running")])
    await client.async_add([magnet(paused, "Pandora.Paused")], paused=True)
    await wait_for(client.async_torrents, lambda ts: len(ts) == 2, "both listed")
    api = f"{real_qbittorrent.url}/api/v2"
    own, other = gen.paused_filter
    for name, expected in ((own, [paused]), (other, sorted([running, paused]))):
        async with session.get(f"{api}/torrents/info", params={"filter": name}) as resp:
            rows = await resp.json()
        assert sorted(row["hash"] for row in rows) == expected, name
    for filter_ in ("paused", "stopped"):
        assert [t.hash for t in await client.async_torrents(filter_=filter_)] == [paused]
    for filter_ in ("resumed", "running"):
        assert [t.hash for t in await client.async_torrents(filter_=filter_)] == [running]


async def test_add_base32_magnet_and_duplicate(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """A base32 btih is listed under the hex hash we derive; adding it again fails."""
    gen = generation(real_qbittorrent)
    info_hash = new_hash()
    b32 = base64.b32encode(bytes.fromhex(info_hash)).decode()
    client = client_for(session, real_qbittorrent)
    link = magnet(b32, "Pandora.Base32")
    assert await client.async_add([link], paused=True) == [info_hash]
    listed = await wait_for(
        lambda: torrent_of(client, info_hash), lambda t: t is not None, "listed"
    )
    assert listed is not None
    assert listed.paused  # the version's "add stopped" field was honoured
    assert listed.raw_state == gen.paused_dl
    with pytest.raises(ResponseError, match="added none of the torrents"):
        await client.async_add([link])


async def test_maindata_rid_diffs(
    real_qbittorrent: RealQBittorrent, session: aiohttp.ClientSession
) -> None:
    """rid 0 is a full update; later rids carry only changes and removals."""
    gen = generation(real_qbittorrent)
    client = client_for(session, real_qbittorrent)
    full = await client.async_sync_maindata(0)
    assert full.full_update
    assert full.rid == 1
    assert full.torrents == {}
    assert full.server_state["connection_status"] in ("firewalled", "disconnected", "connected")
    assert full.server_state["use_alt_speed_limits"] is False
    # raw: which empty sections a full update carries (4.5 all, 5.3 none), and the
    # rid of a second full read: 1 again on 4.5 (rid 1 stays valid), 2 on 5.3
    async with session.get(f"{real_qbittorrent.url}/api/v2/sync/maindata") as resp:
        raw = await resp.json()
    sections = {"torrents", "categories", "tags", "trackers"}
    assert sections & raw.keys() == gen.empty_sections
    assert not any(raw[key] for key in gen.empty_sections)
    assert raw["rid"] == (1 if gen.rid_restarts else 2)
    async with session.get(
        f"{real_qbittorrent.url}/api/v2/sync/maindata", params={"rid": "1"}
    ) as resp:
        again = await resp.json()
    assert again.get("full_update", False) is not gen.rid_restarts
    assert again["rid"] == (2 if gen.rid_restarts else 3)

    info_hash = new_hash()
    await client.async_add([magnet(info_hash, "Pandora.Diff")])

    async def diff_after(rid: int) -> MainDataDiff:
        return await client.async_sync_maindata(rid)

    rid = again["rid"]
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
        lambda d: d.torrents.get(info_hash, {}).get("state") == gen.paused_dl,
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
    gen = generation(real_qbittorrent)
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
            expected = SyncState()
            expected.apply(await fresh_client.async_sync_maindata(0))
            after = await client.async_sync_maindata(state.rid)
            state.apply(after)
            again = SyncState()
            again.apply(await fresh_client.async_sync_maindata(0))
            if after.torrents or after.server_state or after.torrents_removed:
                continue  # something moved in between (time_active ticks): read again
            if again.raw() != expected.raw():
                continue  # a value moved and came back between the reads: read again
            break
        else:
            pytest.fail("qBittorrent never stood still for four reads")
    merged = state.raw()
    full_state = expected.raw()
    nulls = {h: {k for k, v in f.items() if v is None} for h, f in full_state["torrents"].items()}
    if gen.diff_drops_nulls:
        # the diff that brings a new torrent leaves out its null fields; a full update
        # has them ("private" is null until the metadata arrives, here: for good)
        assert nulls == {kept: {"private"}, paused: {"private"}}
        for torrent_hash, keys in nulls.items():
            for key in keys:
                del full_state["torrents"][torrent_hash][key]
    else:
        assert nulls == {kept: set(), paused: set()}
    assert merged == full_state
    assert set(merged["torrents"]) == {kept, paused}
    assert merged["torrents"][kept]["category"] == "pandora"
    assert merged["torrents"][paused]["state"] == gen.paused_dl
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
        if generation(qbt).add_json:
            assert resp.status == 200
            assert (await resp.json())["added_torrent_ids"] == [info_hash]
        else:
            assert await answer(resp) == (200, "Ok.")
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
    gen = generation(real_qbittorrent)
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
        stopped = await wait_for(
            lambda: torrent_of(client, info_hash),
            lambda t: t is not None and t.state == "pausedUP",
            "paused",
        )
        assert stopped is not None
        assert stopped.raw_state == gen.paused_up

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
    assert settled.raw_state == (gen.paused_up if paused else settled.state)
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
    assert entry.runtime_data.info.version == real_qbittorrent.binary.version
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
