"""Client of the qBittorrent WebUI API v2 (base ``{url}/api/v2``).

What it does: logs in with a user name and password (``auth/login``, form
encoded), keeps the session cookie in the injected session's cookie jar, reads
the version, syncs the torrent list incrementally (``sync/maindata`` with a
``rid``), adds torrents (multipart ``torrents/add``), pauses, resumes,
deletes, relocates and rechecks them, toggles the alternative speed limits and
manages categories.

Library decision (see ``shared/upstreams.md``): our own client.
``qbittorrent-api`` is synchronous; ``aioqbt`` is async but brings its own
session and cookie handling; and the ``rid`` merge and its byte cost are what
we measure, so we own them.  This client returns each ``sync/maindata`` answer
as a typed diff (:class:`MainDataDiff`) with the partial raw fields exactly as
sent; merging them is the coordinator's job.  :meth:`Torrent.from_api` and
:meth:`ServerState.from_api` turn merged raw fields into typed models.

The session: qBittorrent usually lives on an IP address, and aiohttp's default
jar drops cookies of IP hosts, so the integration hands this client a session
with ``CookieJar(unsafe=True)`` of its own (``upstreams/qbittorrent``).  No ``Origin`` or
``Referer`` header is sent: qBittorrent's CSRF check compares them with its own
host, and a request without them passes.

Decisions checked against qBittorrent's source (``release-4.5.2`` to
``release-5.2.3``) and ``WebAPI_Changelog.md``, and measured against the real
4.5.2 (Web API 2.8.19) and 5.3.0 (Web API 2.16.2) in ``tests/real``:

* Login answers ``200 "Ok."`` with a ``SID`` cookie up to 5.1; 5.2+ answers
  ``204`` without a body and names the cookie ``QBT_SID_<WebUI port>``
  (measured on 5.3.0: ``HttpOnly; SameSite=Lax``, expiring after the session
  timeout, 1 h, and sent anew after half of it).  Both count as success, and
  the client never names the cookie: the jar keeps whatever it is called and
  sends it back.  Wrong credentials: ``200 "Fails."`` up to Web API 2.13,
  ``401 "Unauthorized"`` from 2.14 (qBittorrent 5.2); a ``Host`` header
  with another port than the WebUI's (a port mapping, a proxy) is a 401 on
  every version, so the message of a 401 at login names both causes.  After
  five failures qBittorrent bans the address: ``403 "Your IP address has
  been banned…"``, even for the right password (a session from before the
  ban keeps working).  All of these are :class:`InvalidAuthError`, the ban
  with its own message.
* Web API 2.11.8 added ``204`` answers for calls without data, but 5.3.0
  still answers every action this client sends (stop, start, delete,
  setLocation, recheck, createCategory, toggleSpeedLimitsMode, logout) with
  ``200`` and an empty body **[measured]**; only the login is ``204``.  The
  client does not read those bodies, so either is fine.
* ``auth/login`` answers "Ok." without checking credentials when the request
  already carries a valid session, so the credentials are only proven on a
  fresh jar (the config flow always builds a new client and session).
* Any other call without a valid session answers ``403 "Forbidden"``: the
  client logs in again once, transparently, and retries once; a second
  ``403`` is :class:`InvalidAuthError`.  Concurrent calls that hit the same
  expired session share one new login (a lock and a login generation).
* The Web API version (``app/webapiVersion``) is read once per login and
  picks the verbs: ``torrents/pause|resume`` below 2.11, ``torrents/stop|start``
  from 2.11 on (qBittorrent 5.0 removed the old ones: 404).  Adding stopped is
  the ``paused`` field below 2.11, ``stopped`` from 2.11 on.  5.x renamed the
  states ``pausedDL``/``pausedUP`` to ``stoppedDL``/``stoppedUP``, and the
  ``torrents/info`` filters ``paused``/``resumed`` to ``stopped``/``running``;
  :class:`Torrent` normalises the states to the ``paused*`` names with a
  ``paused`` flag and keeps the raw state.  Measured on 4.5.2 and 5.3.0: each
  answers the other's verbs with 404 (``"Not Found"`` on 4.5.2, ``"Endpoint
  does not exist"`` on 5.3.0) and silently ignores the other's add field and
  filter names (an unknown filter lists everything), so guessing wrong would
  not even fail.
* ``torrents/add`` answers ``"Ok."``/``"Fails."`` (200) before Web API 2.14 and,
  from 2.14, JSON (202 while URLs are still downloading; ``409 "Conflict"``
  when nothing was added).  Measured on 5.3.0: ``{"added_torrent_ids": [hash],
  "failure_count": 0, "pending_count": 0, "success_count": 1}``, and a magnet
  already there next to a new one is a 200 counting one failure (4.5.2 just
  says "Ok.").  The hashes we return come from the answer when it has them,
  and from the magnet links (``xt=urn:btih:``).
* ``torrents/setLocation`` (``hashes``, ``location``; POST only) answers
  ``400 "Save path cannot be empty"`` for an empty or blank location,
  ``409 "Cannot make save path"`` when the folder cannot be created (a file
  in the way, ``/proc``), ``403 "Cannot write to directory"`` when it is not
  writable (from the source: root could not provoke it), and 200 otherwise,
  even for an unknown hash (the folder is created all the same); it turns
  automatic torrent management off for the torrents.  A missing ``hashes``
  or ``location`` is ``400 "Bad Request"``.  ``torrents/recheck`` answers
  200 (400 without ``hashes``).  The 403 of a missing session is
  ``"Forbidden"``: only that body means "log in again".
* Relocating a seeding torrent whose files were already moved to the new
  folder (what post-processing does), measured on 4.5.2 / libtorrent 2.0.8
  with a 105 kB two-file torrent **[measured]**: ``setLocation`` returns at
  once and the move runs in the background.  Running (``stalledUP``): the
  next read already shows the new ``save_path`` in state ``moving``, then
  after about 1 s ``stalledUP`` with progress 1 (libtorrent finds the files
  in place and checks them itself); nothing is copied, overwritten or
  deleted, and no file reappears in the old folder.  Paused (``pausedUP``):
  ``moving``, then ``pausedDL`` with progress 0 until a ``recheck``
  (``checkingUP`` about 1.5 s, then ``pausedUP``, progress 1; it stays
  paused).  A ``recheck`` sent while the torrent is ``moving`` left a running
  torrent in ``checkingUP`` at progress 0 for good (over 30 s, a second
  recheck did not help): recheck only once the move is over.  A torrent that
  already lost its files (rechecked at the old place: ``stalledDL``,
  progress 0) recovers the same way.  Pausing first is not needed.
* In ``sync/maindata`` an ``eta`` of 8640000 (100 days) means unknown,
  ``completion_on`` is ``≤ 0`` (Qt's invalid date: 0 on 4.5.2, -1 on 5.3.0)
  until a torrent completes, and ``tags`` are joined with ``", "``.  5.x
  (measured on 5.3.0) leaves empty sections (``torrents``, ``tags``,
  ``trackers``, ``categories``) out of a full update, which therefore read as
  empty; counts ``rid`` on per session (a second ``rid=0`` read answers 2,
  where 4.5.2 answers 1 again), so only the ``rid`` of the last answer is
  sure to get a diff (``SyncState`` always sends that one); and leaves a new torrent's null fields
  (``private`` until the metadata arrives) out of the diff that brings it, so
  a merged state lacks keys a full update has as ``null``: read fields with
  ``.get``, never by key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import json
import re
from typing import Any, Final, Literal, NoReturn

import aiohttp

from ._http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    as_dict,
    as_list,
    opt_float,
    opt_int,
    opt_str,
)
from .errors import AddressRefusedError, InvalidAuthError, ResponseError
from .magnet import info_hash_from_magnet
from .models import UpstreamInfo

MAX_ETA: Final = 8_640_000
"""qBittorrent's "infinite" ETA (100 days), sent when the ETA is unknown."""

STOP_START_API: Final = (2, 11)
"""First Web API version with ``torrents/stop|start`` and ``stopped*`` states."""

ADD_JSON_API: Final = (2, 14)
"""First Web API version whose ``torrents/add`` answers JSON."""

STATE_ALIASES: Final = {"stoppedDL": "pausedDL", "stoppedUP": "pausedUP"}
"""qBittorrent 5.x ``stopped*`` states and the 4.x ``paused*`` names they normalise to."""

PAUSED_STATES: Final = frozenset({"pausedDL", "pausedUP"})
"""Normalised paused states (``Torrent.state``; raw 5.x ``stopped*`` map onto these)."""

ERROR_STATES: Final = frozenset({"error", "missingFiles"})
"""States in which qBittorrent reports an error or missing files."""
_NEW_FILTERS: Final = {"paused": "stopped", "resumed": "running"}
_OLD_FILTERS: Final = {"stopped": "paused", "running": "resumed"}
_NO_SESSION: Final = "Forbidden"
"""The body of the 403 qBittorrent sends without a valid session **[measured]**."""
_VERSION_RE: Final = re.compile(r"v?(\d+(?:\.\d+)*)[0-9A-Za-z.+-]*")
_API_VERSION_RE: Final = re.compile(r"\d+(?:\.\d+){1,3}")

type Hashes = Sequence[str] | Literal["all"]
"""Torrent hashes, or ``"all"`` for every torrent."""


def _positive(value: int | None) -> int | None:
    """Return ``value`` when it is a positive number (a real timestamp), else ``None``."""
    return value if value is not None and value > 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Torrent:
    """One torrent, parsed from ``sync/maindata`` or ``torrents/info`` fields.

    Field names follow the API.  ``state`` is normalised (5.x ``stopped*`` →
    ``paused*``), ``raw_state`` is what qBittorrent sent.  ``progress`` is a
    fraction from 0 to 1.
    """

    hash: str
    name: str
    state: str
    raw_state: str
    paused: bool
    progress: float
    size: int | None = None
    total_size: int | None = None
    dlspeed: int = 0
    upspeed: int = 0
    eta: int | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    save_path: str | None = None
    content_path: str | None = None
    added_on: int | None = None
    completion_on: int | None = None
    amount_left: int | None = None
    num_seeds: int | None = None
    num_leechs: int | None = None
    ratio: float | None = None
    magnet_uri: str | None = None

    @classmethod
    def from_api(cls, torrent_hash: str, fields: Mapping[str, Any]) -> Torrent:
        """Build a torrent from its (merged) raw API fields; missing ones become ``None``."""
        raw_state = opt_str(fields.get("state")) or "unknown"
        state = STATE_ALIASES.get(raw_state, raw_state)
        progress = opt_float(fields.get("progress")) or 0.0
        eta = opt_int(fields.get("eta"))
        tags = opt_str(fields.get("tags")) or ""
        return cls(
            hash=torrent_hash.lower(),
            name=opt_str(fields.get("name")) or torrent_hash.lower(),
            state=state,
            raw_state=raw_state,
            paused=state in PAUSED_STATES,
            progress=min(max(progress, 0.0), 1.0),
            size=opt_int(fields.get("size")),
            total_size=opt_int(fields.get("total_size")),
            dlspeed=opt_int(fields.get("dlspeed")) or 0,
            upspeed=opt_int(fields.get("upspeed")) or 0,
            eta=None if eta is None or eta < 0 or eta >= MAX_ETA else eta,
            category=opt_str(fields.get("category")),
            tags=tuple(tag for tag in (t.strip() for t in tags.split(",")) if tag),
            save_path=opt_str(fields.get("save_path")),
            content_path=opt_str(fields.get("content_path")),
            added_on=_positive(opt_int(fields.get("added_on"))),
            completion_on=_positive(opt_int(fields.get("completion_on"))),
            amount_left=opt_int(fields.get("amount_left")),
            num_seeds=opt_int(fields.get("num_seeds")),
            num_leechs=opt_int(fields.get("num_leechs")),
            ratio=opt_float(fields.get("ratio")),
            magnet_uri=opt_str(fields.get("magnet_uri")),
        )

    @property
    def complete(self) -> bool:
        """Whether every wanted byte is there."""
        return self.progress >= 1.0

    @property
    def errored(self) -> bool:
        """Whether qBittorrent reports an error or missing files."""
        return self.state in ERROR_STATES


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerState:
    """The ``server_state`` of ``sync/maindata`` (merged); speeds in bytes/s."""

    dl_info_speed: int | None = None
    up_info_speed: int | None = None
    dl_info_data: int | None = None
    up_info_data: int | None = None
    dl_rate_limit: int | None = None
    up_rate_limit: int | None = None
    alltime_dl: int | None = None
    alltime_ul: int | None = None
    free_space_on_disk: int | None = None
    connection_status: str | None = None
    use_alt_speed_limits: bool | None = None
    dht_nodes: int | None = None
    total_peer_connections: int | None = None
    global_ratio: float | None = None

    @classmethod
    def from_api(cls, fields: Mapping[str, Any]) -> ServerState:
        """Build the server state from its raw fields; missing ones become ``None``."""
        alt = fields.get("use_alt_speed_limits")
        return cls(
            dl_info_speed=opt_int(fields.get("dl_info_speed")),
            up_info_speed=opt_int(fields.get("up_info_speed")),
            dl_info_data=opt_int(fields.get("dl_info_data")),
            up_info_data=opt_int(fields.get("up_info_data")),
            dl_rate_limit=opt_int(fields.get("dl_rate_limit")),
            up_rate_limit=opt_int(fields.get("up_rate_limit")),
            alltime_dl=opt_int(fields.get("alltime_dl")),
            alltime_ul=opt_int(fields.get("alltime_ul")),
            free_space_on_disk=opt_int(fields.get("free_space_on_disk")),
            connection_status=opt_str(fields.get("connection_status")),
            use_alt_speed_limits=alt if isinstance(alt, bool) else None,
            dht_nodes=opt_int(fields.get("dht_nodes")),
            total_peer_connections=opt_int(fields.get("total_peer_connections")),
            # "-" until something was both downloaded and uploaded
            global_ratio=opt_float(fields.get("global_ratio")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MainDataDiff:
    """One ``sync/maindata`` answer, raw fields as sent.

    With ``full_update`` it replaces all state; otherwise ``torrents`` and
    ``categories`` hold only the fields that changed (new items in full),
    ``tags`` only tags that appeared, ``server_state`` only changed keys.
    Pass ``rid`` to the next call.
    """

    rid: int
    full_update: bool
    torrents: dict[str, dict[str, Any]]
    torrents_removed: tuple[str, ...] = ()
    categories: dict[str, dict[str, Any]]
    categories_removed: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    server_state: dict[str, Any]


SPEED_LIMIT_KEYS: Final = ("dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit")
"""The four global speed limits, as ``app/preferences`` names them (bytes/s, 0: none)."""
MAX_SPEED_LIMIT: Final = 2_097_151 * 1024
"""The highest limit qBittorrent keeps: it stores KiB/s in an ``int`` and reads bytes/s."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeedLimits:
    """The global and alternative speed limits in bytes/s; 0 is unlimited.

    ``app/preferences`` reports and ``app/setPreferences`` takes them in
    bytes/s on every version (``appcontroller.cpp``, 4.5.2 L202-205 and
    L591-598, 5.2.3 L279-282 and L788-795); qBittorrent keeps whole KiB/s
    (``SessionImpl::setGlobalDownloadSpeedLimit``: 1..1024 bytes become
    1 KiB/s, more is divided by 1024 and rounded down).
    """

    dl_limit: int = 0
    up_limit: int = 0
    alt_dl_limit: int = 0
    alt_up_limit: int = 0

    def with_active(self, server: ServerState) -> SpeedLimits:
        """These limits with the pair in force replaced by what ``server`` reports.

        ``server_state`` carries the limits in force (``dl_rate_limit``,
        ``up_rate_limit``): the alternative ones while they are on, else the
        global ones; the other pair is only in the preferences.
        """
        dl, up = server.dl_rate_limit, server.up_rate_limit
        if dl is None or up is None or server.use_alt_speed_limits is None:
            return self
        if server.use_alt_speed_limits:
            return SpeedLimits(
                dl_limit=self.dl_limit, up_limit=self.up_limit, alt_dl_limit=dl, alt_up_limit=up
            )
        return SpeedLimits(
            dl_limit=dl, up_limit=up, alt_dl_limit=self.alt_dl_limit, alt_up_limit=self.alt_up_limit
        )


class NotAddedError(ResponseError):
    """qBittorrent added none of the torrents: already there, or not a valid link."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """A torrent category and its save path (``None``: the default path)."""

    name: str
    save_path: str | None = None


class QBittorrentClient(HttpClient):
    """Async client of one qBittorrent WebUI; see the module docstring."""

    service = "qBittorrent"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session (it must have its own unsafe cookie jar) and credentials.

        Either ``api_key`` (qBittorrent 5.2+, sent as ``Authorization: Bearer``)
        or ``username`` and ``password`` (a cookie session).
        """
        super().__init__(session, url, verify_ssl=verify_ssl, timeout=timeout)
        if api_key is None and (username is None or password is None):
            raise ValueError("an API key, or a user name and a password")
        self._username = username or ""
        self._password = password or ""
        self._api_key = api_key
        self._headers: dict[str, str] = (
            {} if api_key is None else {"Authorization": f"Bearer {api_key}"}
        )
        self._secrets = tuple(s for s in (password, api_key) if s)
        self._api_version: tuple[int, ...] | None = None
        self._generation = 0  # bumped by every successful login
        self._login_lock = asyncio.Lock()

    @property
    def api_version(self) -> tuple[int, ...] | None:
        """The Web API version seen at the last login (``None`` before it)."""
        return self._api_version

    @property
    def uses_api_key(self) -> bool:
        """Whether this client signs in with an API key (else a user name and password)."""
        return self._api_key is not None

    def _address_refused(self) -> AddressRefusedError:
        """The error of a 401: qBittorrent's Host header or CSRF check refused us."""
        return AddressRefusedError(
            f"qBittorrent at {self.origin} refused this address (HTTP 401) before looking "
            "at any credential; check the WebUI's host header validation and CSRF settings "
            "(a port mapping or a reverse proxy changes the Host header it sees)"
        )

    # -- session -----------------------------------------------------------------

    async def _login(self) -> None:
        """Log in (or, with an API key, check it), then read the Web API version."""
        self._api_version = None
        if self._api_key is not None:
            await self._read_api_version()
            return
        resp = await self._request(
            "POST",
            "api/v2/auth/login",
            data={"username": self._username, "password": self._password},
            auth_statuses=(),
            allow_statuses=(401, 403, 404),
        )
        text = resp.text().strip()
        if resp.status == 401:
            await self._raise_login_401()
        if resp.status == 403:
            if "banned" in text.lower():
                raise InvalidAuthError(
                    f"qBittorrent at {self.origin} has banned this IP address after too "
                    "many failed logins; wait for the ban to end (or restart qBittorrent) "
                    "and check the user name and password"
                )
            raise InvalidAuthError(
                f"qBittorrent at {self.origin} refused the login (HTTP 403); check the "
                "WebUI's host header and CSRF settings"
            )
        if resp.status == 404:
            raise ResponseError(
                f"There is no qBittorrent WebUI API at {self.origin} (HTTP 404); check the URL",
                status=404,
            )
        if resp.status == 200 and text == "Fails.":
            raise InvalidAuthError(
                f"qBittorrent at {self.origin} rejected the user name or password"
            )
        if not (resp.status == 204 or (resp.status == 200 and text == "Ok.")):
            raise self.bad_answer("an answer to the login that is not qBittorrent's")
        await self._read_api_version()

    async def _raise_login_401(self) -> NoReturn:
        """Tell a refused address from refused credentials after a 401 at login.

        qBittorrent checks the ``Host`` header (and ``Origin``/``Referer``)
        before anything else, on every route; from 5.2 (Web API 2.14) a wrong
        password is a 401 too.  The same address without a session gets
        ``403 "Forbidden"`` when it passes those checks and ``401`` when it
        does not, so one more request says which it was.
        """
        probe = await self._request(
            "GET", "api/v2/app/webapiVersion", auth_statuses=(), allow_statuses=(401, 403)
        )
        if probe.status == 401:
            raise self._address_refused()
        raise InvalidAuthError(f"qBittorrent at {self.origin} rejected the user name or password")

    async def _read_api_version(self) -> None:
        """Read the Web API version with the new session or the API key."""
        self._generation += 1
        version = await self._request(
            "GET",
            "api/v2/app/webapiVersion",
            headers=self._headers,
            auth_statuses=(),
            allow_statuses=(401, 403),
        )
        if version.status == 401:
            raise self._address_refused()
        if version.status == 403 and self._api_key is not None:
            raise InvalidAuthError(
                f"qBittorrent at {self.origin} refused the API key (HTTP 403); check it "
                "(API keys need qBittorrent 5.2 or newer: WebUI options, API key)"
            )
        if version.status == 403:
            raise InvalidAuthError(
                f"qBittorrent at {self.origin} accepted the login but not the session "
                "cookie; is a proxy dropping cookies?"
            )
        match = _API_VERSION_RE.fullmatch(version.text().strip())
        if match is None:
            raise self.bad_answer("a Web API version that is not a version number")
        self._api_version = tuple(int(part) for part in match.group(0).split("."))

    async def _ensure_login(self, seen_generation: int | None = None) -> None:
        """Log in unless logged in; with ``seen_generation``, log in again.

        A new login is skipped when another call already logged in after the
        generation this call saw (one login serves every waiting call).
        """
        async with self._login_lock:
            if seen_generation is None:
                if self._api_version is not None:
                    return
            elif self._generation != seen_generation and self._api_version is not None:
                return
            await self._login()

    async def _api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        multipart: bool = False,
        allow_statuses: tuple[int, ...] = (),
    ) -> HttpResponse:
        """Call ``api/v2/{path}`` with the session; on 403 log in again once and retry."""
        await self._ensure_login()
        for attempt in range(2):
            generation = self._generation
            data: Any = None
            if form is not None:
                # a FormData can be sent only once: build it per attempt
                data = aiohttp.FormData(default_to_multipart=multipart)
                for name, value in form.items():
                    data.add_field(name, value)
            resp = await self._request(
                method,
                f"api/v2/{path}",
                params=params,
                data=data,
                headers=self._headers,
                auth_statuses=(),
                allow_statuses=(401, 403, *allow_statuses),
            )
            if resp.status == 401:
                raise self._address_refused()  # no session or key problem is ever a 401
            if resp.status != 403:
                return resp
            if 403 in allow_statuses and resp.text().strip() != _NO_SESSION:
                return resp  # an endpoint's own refusal, not a lost session
            if self._api_key is not None:
                raise InvalidAuthError(
                    f"qBittorrent at {self.origin} no longer accepts the API key (HTTP 403); "
                    "was it rotated or deleted?"
                )
            if attempt == 0:
                await self._ensure_login(generation)
        raise InvalidAuthError(
            f"qBittorrent at {self.origin} refused the request even after a new login "
            "(HTTP 403); check the user's permissions"
        )

    def _at_least(self, version: tuple[int, ...]) -> bool:
        """Whether the Web API seen at login is ``version`` or newer."""
        return self._api_version is not None and self._api_version >= version

    # -- reads -------------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Log in (validating the credentials) and report the application version."""
        resp = await self._api("GET", "app/version")
        match = _VERSION_RE.fullmatch(resp.text().strip())
        if match is None:
            raise self.bad_answer("an application version that is not a version number")
        version = match.group(0).removeprefix("v")
        return UpstreamInfo(
            unique_id=str(self.base_url), name=f"qBittorrent {version}", version=version
        )

    async def async_sync_maindata(self, rid: int = 0) -> MainDataDiff:
        """Return what changed since answer ``rid`` (0, or an unknown rid: everything)."""
        resp = await self._api("GET", "sync/maindata", params={"rid": str(rid)})
        data = as_dict(resp.json(), self, "sync data")
        new_rid = data.get("rid")
        if not isinstance(new_rid, int) or isinstance(new_rid, bool):
            raise self.bad_answer("sync data without a response id")
        return MainDataDiff(
            rid=new_rid,
            full_update=data.get("full_update") is True,
            torrents=self._dict_of_dicts(data.get("torrents"), "torrents"),
            torrents_removed=self._strings(data.get("torrents_removed"), "removed torrents"),
            categories=self._dict_of_dicts(data.get("categories"), "categories"),
            categories_removed=self._strings(data.get("categories_removed"), "removed categories"),
            tags=self._strings(data.get("tags"), "tags"),
            tags_removed=self._strings(data.get("tags_removed"), "removed tags"),
            server_state=dict(as_dict(data.get("server_state", {}), self, "a server state")),
        )

    async def async_torrents(
        self,
        *,
        filter_: str | None = None,
        category: str | None = None,
        hashes: Sequence[str] | None = None,
    ) -> list[Torrent]:
        """Return torrents from ``torrents/info`` (a one-off read; polling uses maindata).

        ``filter_`` is qBittorrent's filter name; ``paused``/``stopped`` and
        ``resumed``/``running`` are translated for the version.
        """
        await self._ensure_login()
        params: dict[str, str] = {}
        if filter_ is not None:
            # 5.x renamed the filters with the states: paused/resumed → stopped/running
            names = _NEW_FILTERS if self._stop_start() else _OLD_FILTERS
            params["filter"] = names.get(filter_, filter_)
        if category is not None:
            params["category"] = category
        if hashes is not None:
            params["hashes"] = "|".join(hashes)
        resp = await self._api("GET", "torrents/info", params=params)
        torrents: list[Torrent] = []
        for item in as_list(resp.json(), self, "a torrent list"):
            fields = as_dict(item, self, "a torrent")
            torrent_hash = opt_str(fields.get("hash"))
            if torrent_hash is None:
                raise self.bad_answer("a torrent without a hash")
            torrents.append(Torrent.from_api(torrent_hash, fields))
        return torrents

    async def async_get_alt_speed_mode(self) -> bool:
        """Return whether the alternative speed limits are on."""
        resp = await self._api("GET", "transfer/speedLimitsMode")
        text = resp.text().strip()
        if text not in ("0", "1"):
            raise self.bad_answer("a speed limits mode that is neither 0 nor 1")
        return text == "1"

    async def async_speed_limits(self) -> SpeedLimits:
        """Return the global and alternative speed limits (``app/preferences``)."""
        resp = await self._api("GET", "app/preferences")
        preferences = as_dict(resp.json(), self, "preferences")
        values: dict[str, int] = {}
        for key in SPEED_LIMIT_KEYS:
            value = preferences.get(key)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.bad_answer(f"preferences without a number {key}")
            values[key] = max(value, 0)
        return SpeedLimits(**values)

    async def async_categories(self) -> dict[str, Category]:
        """Return the categories by name."""
        resp = await self._api("GET", "torrents/categories")
        categories: dict[str, Category] = {}
        for name, value in as_dict(resp.json(), self, "categories").items():
            fields = as_dict(value, self, "a category")
            categories[name] = Category(
                name=opt_str(fields.get("name")) or name,
                save_path=opt_str(fields.get("savePath")),
            )
        return categories

    # -- actions -----------------------------------------------------------------

    async def async_add(
        self,
        urls: Sequence[str],
        *,
        category: str | None = None,
        save_path: str | None = None,
        tags: Iterable[str] = (),
        paused: bool = False,
    ) -> list[str]:
        """Add torrents by magnet link or URL; return the hashes that are known.

        ``paused=False`` leaves qBittorrent's own "start paused" preference in
        charge.  Hashes come from the answer (Web API 2.14+) or from the magnet
        links; a torrent URL's hash is not known before qBittorrent fetched it.
        """
        if not urls:
            return []
        form: dict[str, str] = {"urls": "\n".join(urls)}
        if save_path:
            form["savepath"] = save_path
        if category:
            form["category"] = category
        tag_list = [tag.strip() for tag in tags if tag.strip()]
        if tag_list:
            form["tags"] = ",".join(tag_list)
        await self._ensure_login()
        if paused:
            form["stopped" if self._stop_start() else "paused"] = "true"
        resp = await self._api(
            "POST", "torrents/add", form=form, multipart=True, allow_statuses=(409,)
        )
        derived = [h for h in (info_hash_from_magnet(url) for url in urls) if h is not None]
        if resp.status == 409 or resp.text().strip() == "Fails.":
            raise NotAddedError(
                f"qBittorrent at {self.origin} added none of the torrents (already there, "
                "or not a valid magnet link or torrent URL)",
                status=resp.status,
            )
        if resp.content_type == "application/json":
            answer = as_dict(resp.json(), self, "an answer to the add")
            reported = self._strings(answer.get("added_torrent_ids"), "added torrent ids")
            return list(dict.fromkeys([*(h.lower() for h in reported), *derived]))
        if resp.text().strip() not in ("Ok.", ""):
            raise self.bad_answer("an answer to the add that is not qBittorrent's")
        return list(dict.fromkeys(derived))

    async def async_pause(self, hashes: Hashes) -> None:
        """Pause (5.x: stop) the given torrents, or ``"all"``."""
        await self._ensure_login()  # the login tells which verb this version speaks
        await self._apply("stop" if self._stop_start() else "pause", hashes)

    async def async_resume(self, hashes: Hashes) -> None:
        """Resume (5.x: start) the given torrents, or ``"all"``."""
        await self._ensure_login()
        await self._apply("start" if self._stop_start() else "resume", hashes)

    async def async_delete(self, hashes: Hashes, *, delete_files: bool) -> None:
        """Remove the given torrents (or ``"all"``), with their files if asked."""
        await self._apply("delete", hashes, deleteFiles="true" if delete_files else "false")

    async def async_set_location(self, hashes: Hashes, location: str) -> None:
        """Point the torrents (or ``"all"``) at the folder ``location`` (qBittorrent's name).

        qBittorrent moves whatever is still in the old folder and keeps files
        that already exist in the new one; the move runs after the answer
        (state ``moving``).  Refusals are a ``ResponseError`` with the status.
        """
        resp = await self._apply(
            "setLocation", hashes, location=location, allow_statuses=(400, 403, 409)
        )
        if resp is None or resp.status < 400:
            return
        reason = {
            400: "the folder is empty",
            403: "it cannot write to the folder",
            409: "it cannot create the folder",
        }[resp.status]
        raise ResponseError(
            f"qBittorrent at {self.origin} did not move the torrents to {location!r}: {reason}",
            status=resp.status,
        )

    async def async_recheck(self, hashes: Hashes) -> None:
        """Check the data of the torrents (or ``"all"``) again; never while ``moving``."""
        await self._apply("recheck", hashes)

    async def async_toggle_alt_speed(self) -> None:
        """Switch the alternative speed limits on or off."""
        await self._api("POST", "transfer/toggleSpeedLimitsMode")

    async def async_set_speed_limits(self, **limits: int) -> None:
        """Set some of :data:`SPEED_LIMIT_KEYS` (bytes/s, 0: unlimited) in one request.

        ``app/setPreferences`` (POST, form field ``json``) answers 200 with an
        empty body and ignores keys it does not know; ``transfer/setDownloadLimit``
        is no alternative, as it sets whichever pair is in force.
        """
        unknown = set(limits) - set(SPEED_LIMIT_KEYS)
        if unknown:
            raise ValueError(f"not a speed limit: {', '.join(sorted(unknown))}")
        if any(not 0 <= value <= MAX_SPEED_LIMIT for value in limits.values()):
            raise ValueError("a speed limit out of range")
        await self._api("POST", "app/setPreferences", form={"json": json.dumps(limits)})

    async def async_create_category(self, name: str, save_path: str = "") -> None:
        """Create a category; an existing or invalid name is a ``ResponseError``."""
        resp = await self._api(
            "POST",
            "torrents/createCategory",
            form={"category": name, "savePath": save_path},
            allow_statuses=(400, 409),
        )
        if resp.status in (400, 409):
            raise ResponseError(
                f"qBittorrent at {self.origin} did not create the category (it exists "
                "already, or the name is empty or invalid)",
                status=resp.status,
            )

    # -- helpers -----------------------------------------------------------------

    def _stop_start(self) -> bool:
        """Whether the verbs are ``stop``/``start`` (known only after login)."""
        return self._at_least(STOP_START_API)

    async def _apply(
        self,
        verb: str,
        hashes: Hashes,
        *,
        allow_statuses: tuple[int, ...] = (),
        **extra: str,
    ) -> HttpResponse | None:
        """POST ``torrents/{verb}`` for ``hashes``; ``None`` (nothing sent) for an empty list."""
        if hashes == "all":
            joined = "all"
        else:
            joined = "|".join(h.strip().lower() for h in hashes if h.strip())
            if not joined:
                return None
        return await self._api(
            "POST",
            f"torrents/{verb}",
            form={"hashes": joined, **extra},
            allow_statuses=allow_statuses,
        )

    def _dict_of_dicts(self, value: Any, what: str) -> dict[str, dict[str, Any]]:
        """Return a JSON object of objects (missing: empty), else raise ``ResponseError``."""
        if value is None:
            return {}
        result: dict[str, dict[str, Any]] = {}
        for key, item in as_dict(value, self, what).items():
            result[key] = dict(as_dict(item, self, f"{what} with an entry"))
        return result

    def _strings(self, value: Any, what: str) -> tuple[str, ...]:
        """Return a JSON list of strings (missing: empty), else raise ``ResponseError``."""
        if value is None:
            return ()
        items = as_list(value, self, what)
        if not all(isinstance(item, str) for item in items):
            raise self.bad_answer(f"{what} that are not all strings")
        return tuple(items)
