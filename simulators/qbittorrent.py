"""A qBittorrent WebUI (API v2) that keeps its torrents in memory.

Faithful to what qBittorrent's own source does (``src/webui``, releases 4.5.2
to 5.2.3), to ``WebAPI_Changelog.md`` and to the real 4.5.2 and 5.3.0
measured in ``tests/real/test_qbittorrent_real.py``; the flavour follows the
Web API version it is built with (4.5.2: 2.8.19; 5.0.x: 2.11.2; 5.1.x:
2.11.4; 5.2.x: 2.15.1; 5.3.0: 2.16.2):

* every ``/api/v2/{scope}/{action}`` except ``auth/login`` needs a valid
  session cookie (HttpOnly, path ``/``), else ``403 "Forbidden"``, even for an
  endpoint that does not exist; an unknown endpoint with a session is 404
  ``"Not Found"`` (from Web API 2.14, an unknown action of a known scope is
  ``"Endpoint does not exist"``);
* the cookie is ``SID`` (``SameSite=Strict``, no expiry) below Web API 2.14
  and ``QBT_SID_<WebUI port>`` from 2.14 (qBittorrent 5.2), expiring after the
  session timeout (3600 s), ``SameSite=Strict`` until 2.16 and ``Lax`` from
  2.16 (5.3.0 measured); a cookie of the other name is no session;
* login: ``200 "Ok."`` (``204`` from Web API 2.14) with the cookie, or
  success at once, without a new cookie, when the request already has a
  valid session; wrong credentials ``200 "Fails."`` (``401 "Unauthorized"``
  from 2.14); after ``max_auth_fail`` failures from one address, ``403 "Your
  IP address has been banned after too many failed authentication
  attempts."`` for ``ban_seconds`` of simulated time, even with the right
  password (a session from before the ban keeps working);
* a request whose ``Origin``/``Referer`` names another host is ``401`` (CSRF;
  ``webapplication.cpp`` ``isCrossSiteRequest``, 4.5.2 L681-726, 5.2.3
  L889-940: the target is ``X-Forwarded-Host`` or ``Host``), and so is one
  whose ``Host`` header carries a port other than the WebUI's own
  (``validateHostHeader``, 4.5.2 L728-742, 5.2.3 L942-956; host header
  validation is on by default, ``preferences.cpp``), both checked before the
  session (4.5.2 L537-542, 5.2.3 L657-663); ``X-Forwarded-Host`` does not
  excuse a wrong ``Host`` port;
* ``sync/maindata`` keeps, per session, the last answer and the last
  accepted one exactly like qBittorrent's ``generateSyncData``: ``rid`` 0 or
  an unknown/too old ``rid`` gives ``full_update: true``; otherwise only
  changed torrent fields, removed hashes, changed ``server_state`` keys, new
  and removed tags and categories, and tracker lists that changed (whole).
  Below 2.11 a ``rid=0`` read answers rid 1 again; 5.x (2.11+) counts on from
  the session's last answer, leaves empty sections out of a full update and
  a new torrent's null fields (``private`` until the metadata) out of the
  diff that brings it;
* Web API below 2.11 speaks ``torrents/pause|resume``, ``paused*`` states and
  the ``paused`` add field; from 2.11 ``torrents/stop|start``, ``stopped*`` and
  ``stopped`` (the other verbs are 404, the other add field and filter names
  are ignored); from 2.14 ``torrents/add`` answers JSON (202 while URLs are
  pending, 409 ``"Conflict"`` when nothing was added) instead of
  ``"Ok."``/``"Fails."``, and a missing parameter is ``400 "Missing required
  parameters: …"`` instead of ``"Bad Request"``.  Actions answer ``200`` with
  an empty body on every version: 5.3.0 still does, although Web API 2.11.8
  announced 204 for answers without data (measured; only its login is 204);
* ``torrents/setLocation`` and ``torrents/recheck`` as measured on 4.5.2
  (``api/qbittorrent.py``): 400 for a blank location (or a missing field),
  409 for a folder in ``uncreatable_paths``, 403 for one in
  ``unwritable_paths``, else 200 even for unknown hashes.  A relocated
  torrent reads ``moving`` with its new ``save_path`` for ``move_seconds``
  (wall time; 0: until the next request), then seeds on with its progress,
  or, when it was paused, reads ``pausedDL`` with progress 0 until a recheck.
  A recheck reads ``checkingUP``/``checkingDL`` at progress 0 for
  ``check_seconds``, then the data's real progress (paused stays paused); a
  recheck sent while ``moving`` stays in ``checkingUP`` at 0 for good, as
  the real program does.  The simulator keeps no files: the data is taken
  to be wherever the torrent points.

Simulated time: torrents only move when ``advance(seconds)`` is called (tests
stay deterministic), or, with ``realtime=True`` (the demo), by wall time on
every request.  Metadata of an added magnet arrives after a few seconds
(``metaDL`` → ``downloading``); a finished download becomes ``uploading`` or
``stalledUP`` with a ``completion_on``.  ``add_fleet`` creates thousands of
torrents cheaply and ``churn`` changes a chosen share of them, for benchmarks.

Stored torrent fields are read-only mappings that are replaced, never changed
in place, so one identity check tells which torrents changed since an answer;
tests change them with ``update_torrent``.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import hashlib
import json
from pathlib import Path
import re
import secrets
import time
from types import MappingProxyType
from typing import Any, ClassVar, Self, override
from urllib.parse import parse_qsl, quote, urlsplit

from aiohttp import web

from .base import Simulator
from .catalogue import TITLES

type Fields = Mapping[str, Any]

EPOCH = 1_767_225_600
"""Start of the deterministic clock: 2026-01-01 00:00:00 UTC."""

MAX_ETA = 8_640_000
META_SECONDS = 3.0
"""How long a magnet takes to fetch its metadata, in simulated seconds."""

ALT_DL_LIMIT = 1_048_576
"""The simulator's default alternative download limit (bytes/s; qBittorrent keeps KiB/s)."""
ALT_UP_LIMIT = 262_144
API_KEY_API = (2, 14, 1)
"""First Web API version with API keys (``app/rotateAPIKey``; qBittorrent 5.2)."""
API_KEY_PREFIX = "qbt_"
API_KEY_LENGTH = 32
"""``Utils::APIKey::isValid``: ``qbt_`` and 28 more characters (``base/utils/apikey.cpp``)."""
BANNED = "Your IP address has been banned after too many failed authentication attempts."
TRACKERS = (
    "udp://tracker.opentrackr.org:1337/announce",
    "udp://open.stealth.si:80/announce",
    "udp://tracker.torrent.eu.org:451/announce",
    "udp://exodus.desync.com:6969/announce",
)
GIB = 1024**3
MIB = 1024**2
SESSION_TIMEOUT = 3600
"""qBittorrent's default WebUI session timeout (s); 5.2+ cookies expire with it."""

# The API scopes 5.2+ knows (WebApplication::sessionStart); other scopes are "Not Found".
_SCOPES = frozenset(
    {
        "app",
        "auth",
        "clientdata",
        "log",
        "rss",
        "search",
        "sync",
        "torrentcreator",
        "torrents",
        "transfer",
    }
)

# Endpoints that accept only POST (qBittorrent's m_allowedMethod); others take GET or POST.
_POST_ONLY = frozenset(
    {
        "auth/login",
        "auth/logout",
        "torrents/add",
        "torrents/pause",
        "torrents/resume",
        "torrents/stop",
        "torrents/start",
        "torrents/delete",
        "torrents/setLocation",
        "torrents/recheck",
        "torrents/createCategory",
        "torrents/removeCategories",
        "torrents/createTags",
        "torrents/deleteTags",
        "transfer/toggleSpeedLimitsMode",
        "app/setPreferences",
        "app/rotateAPIKey",
        "app/deleteAPIKey",
    }
)
_DOWNLOADING = frozenset(
    {"downloading", "metaDL", "forcedDL", "forcedMetaDL", "stalledDL", "queuedDL", "checkingDL"}
)
_SEEDING = frozenset({"uploading", "stalledUP", "forcedUP", "queuedUP", "checkingUP"})
_PAUSED_DL = frozenset({"pausedDL", "stoppedDL"})
_PAUSED_UP = frozenset({"pausedUP", "stoppedUP"})
_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
_B32 = re.compile(r"[A-Za-z2-7]{32}")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _magnet(torrent_hash: str, name: str, tracker: str) -> str:
    return f"magnet:?xt=urn:btih:{torrent_hash}&dn={quote(name)}&tr={quote(tracker, safe='')}"


def _magnet_hash_and_name(uri: str) -> tuple[str, str | None] | None:
    """Read ``xt=urn:btih:`` and ``dn`` of a magnet link (the simulator's own parser)."""
    pairs = parse_qsl(urlsplit(uri).query, keep_blank_values=True)
    name = next((v for k, v in pairs if k == "dn" and v), None)
    for key, value in pairs:
        if not (key == "xt" or key.startswith("xt.")) or not value.lower().startswith("urn:btih:"):
            continue
        digest = value[9:]
        if _HEX40.fullmatch(digest):
            return digest.lower(), name
        if _B32.fullmatch(digest):
            return base64.b32decode(digest.upper()).hex(), name
    return None


def _parse_bool(value: str | None) -> bool | None:
    """Parse a boolean as qBittorrent's ``parseBool``: "true"/"false" (any case), else unset."""
    if value is None:
        return None
    lowered = value.strip().lower()
    return {"true": True, "false": False}.get(lowered)


def _frozen(fields: dict[str, Any]) -> Fields:
    return MappingProxyType(fields)


def _jsonable(value: object) -> object:
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass(slots=True)
class _Motion:
    """What a torrent does while active (hidden from the API)."""

    dl_rate: int
    up_rate: int
    meta_left: float = 0.0


@dataclass(slots=True)
class _Snapshot:
    """One answer's full state, as ``generateSyncData`` remembers it."""

    rid: int
    torrents: dict[str, Fields]
    categories: dict[str, Fields]
    tags: tuple[str, ...]
    trackers: dict[str, tuple[str, ...]]
    server_state: dict[str, Any]


@dataclass(slots=True)
class _SyncState:
    """Per-session memory of ``sync/maindata`` (last and last accepted answer)."""

    last: _Snapshot | None = None
    accepted: _Snapshot | None = None


@dataclass(slots=True)
class _LoginFailures:
    count: int = 0
    banned_until: float | None = None


@dataclass(slots=True)
class _Session:
    sid: str
    sync: _SyncState = field(default_factory=_SyncState)


def default_torrents() -> list[dict[str, Any]]:
    """A few realistic torrents named after catalogue titles (see ``catalogue.py``)."""
    by_title = {t.title: t for t in TITLES}

    def release(title: str, rest: str) -> str:
        t = by_title[title]
        dotted = re.sub(r"[^0-9A-Za-z]+", ".", t.title).strip(".")
        return f"{dotted}.{rest}" if t.media_type == "tv" else f"{dotted}.{t.year}.{rest}"

    return [
        {
            "name": release("The Matrix", "1080p.BluRay.x264-SPARKS"),
            "size": 10 * GIB + 412 * MIB,
            "progress": 1.0,
            "state": "stalledUP",
            "category": "movies",
            "tags": "hd",
            "upspeed": 0,
            "added_on": EPOCH - 9 * 86400,
        },
        {
            "name": release("Breaking Bad", "S01.1080p.BluRay.x265-GalaxyTV"),
            "size": 6 * GIB + 128 * MIB,
            "progress": 0.42,
            "state": "downloading",
            "category": "tv",
            "dlspeed": 3_200_000,
            "upspeed": 150_000,
            "added_on": EPOCH - 3600,
        },
        {
            "name": release("Inception", "2160p.UHD.BluRay.x265-TERMINAL"),
            "size": 22 * GIB + 700 * MIB,
            "progress": 0.1,
            "state": "pausedDL",
            "category": "movies",
            "tags": "4k",
            "dlspeed": 5_000_000,
            "added_on": EPOCH - 2 * 86400,
        },
        {
            "name": release("Dune: Part Two", "1080p.WEB-DL.DDP5.1.H.264-FLUX"),
            "size": 8 * GIB + 256 * MIB,
            "progress": 0.05,
            "state": "downloading",
            "category": "movies",
            "tags": "hd",
            "dlspeed": 8_000_000,
            "upspeed": 400_000,
            "added_on": EPOCH - 600,
        },
        {
            "name": release("Severance", "S02E01.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb"),
            "size": 3 * GIB + 90 * MIB,
            "progress": 1.0,
            "state": "uploading",
            "category": "tv",
            "upspeed": 250_000,
            "added_on": EPOCH - 86400,
        },
    ]


type _Handler = Callable[
    [web.Request, dict[str, str], _Session | None], Awaitable[web.StreamResponse]
]


class QBittorrentSimulator(Simulator):
    """In-memory qBittorrent WebUI; see the module docstring."""

    kind: ClassVar[str] = "qbittorrent"
    credential_fields: ClassVar[tuple[str, ...]] = ("username", "password")

    @override
    def credentials(self) -> dict[str, Any]:
        """User name and password, and the API key when one is set."""
        found = super().credentials()
        if self.api_key is not None:
            found["api_key"] = self.api_key
        return found

    def __init__(
        self,
        *,
        username: str = "admin",
        password: str = "adminadmin",  # noqa: S107 - qBittorrent's well-known default
        version: str = "v4.5.2",
        webapi_version: str = "2.8.19",
        torrents: Sequence[Mapping[str, Any]] | None = None,
        categories: Mapping[str, str] | None = None,
        realtime: bool = False,
        save_path: str = "/downloads",
        free_space: int = 2 * 1024 * GIB,
        max_auth_fail: int = 5,
        move_seconds: float = 0.0,
        check_seconds: float = 0.0,
        ban_seconds: float = 3600.0,
        api_key: str | None = None,
    ) -> None:
        super().__init__()
        self.username = username
        self.password = password
        self.version = version
        self.webapi_version = webapi_version
        self.api = tuple(int(p) for p in webapi_version.split("."))
        self.realtime = realtime
        self.save_path = save_path.rstrip("/") or "/"
        self.free_space = free_space
        self.max_auth_fail = max_auth_fail
        self.ban_seconds = ban_seconds
        self.move_seconds = move_seconds
        self.check_seconds = check_seconds
        self.unwritable_paths: set[str] = set()
        """Folders (and below) ``setLocation`` answers 403 for."""
        self.uncreatable_paths: set[str] = set()
        """Folders (and below) ``setLocation`` answers 409 for."""
        self.locations: list[tuple[str, str]] = []
        """``(hash, location)`` of every torrent ``setLocation`` moved, oldest first."""
        self.rechecks: list[str] = []
        """Hashes ``recheck`` was asked for, oldest first."""
        self._pending: dict[str, tuple[float, dict[str, Any]]] = {}
        self._data_progress: dict[str, float] = {}
        self.now: float = time.time() if realtime else float(EPOCH)
        self._wall = time.monotonic()
        self.torrents: dict[str, Fields] = {}
        self.categories: dict[str, Fields] = {}
        self.tags: set[str] = set()
        self.alt_speed = False
        self.limits_kib: dict[str, int] = {
            "dl_limit": 0,
            "up_limit": 0,
            "alt_dl_limit": ALT_DL_LIMIT // 1024,
            "alt_up_limit": ALT_UP_LIMIT // 1024,
        }
        """The four global speed limits as qBittorrent stores them: whole KiB/s, 0: none."""
        self.host_header_validation = True
        """``WebUI\\HostHeaderValidation`` (on by default, ``preferences.cpp``)."""
        self.csrf_protection = True
        """``WebUI\\CSRFProtection`` (on by default)."""
        self.api_key = api_key
        """The WebUI API key (5.2+; ``None``: none set, as on a fresh profile)."""
        self.deleted_files: list[str] = []
        """Content paths whose files a ``deleteFiles=true`` removed, oldest first."""
        self._motion: dict[str, _Motion] = {}
        self._tracker_of: dict[str, str] = {}
        self._sessions: dict[str, _Session] = {}
        self._key_sessions: dict[str, _Session] = {}
        """Sessions of API keys; they never expire (``apiKeySessionInitialize``)."""
        self._failures: dict[str, _LoginFailures] = {}
        self._churn_cursor = 0
        self._churn_round = 0
        self._session_dl = 0
        self._session_ul = 0
        self._alltime_dl = 812 * GIB
        self._alltime_ul = 1337 * GIB
        for name, path in (
            categories
            if categories is not None
            else {"movies": f"{self.save_path}/movies", "tv": f"{self.save_path}/tv"}
        ).items():
            self.categories[name] = _frozen({"name": name, "savePath": path})
        for spec in default_torrents() if torrents is None else torrents:
            self.insert_torrent(spec)

    # -- flavour -------------------------------------------------------------------------

    @property
    def stop_start(self) -> bool:
        """Whether this Web API speaks ``stop``/``start`` and ``stopped*`` (2.11+)."""
        return self.api >= (2, 11)

    @property
    def cookie_name(self) -> str:
        """The session cookie: ``SID``, or ``QBT_SID_<WebUI port>`` from 5.2 (Web API 2.14+)."""
        return f"QBT_SID_{self.port}" if self.api >= (2, 14) else "SID"

    def _state(self, state: str) -> str:
        """Spell a paused state the way this version does."""
        if self.stop_start:
            return {"pausedDL": "stoppedDL", "pausedUP": "stoppedUP"}.get(state, state)
        return {"stoppedDL": "pausedDL", "stoppedUP": "pausedUP"}.get(state, state)

    # -- building torrents ---------------------------------------------------------------

    def insert_torrent(self, spec: Mapping[str, Any]) -> str:
        """Add a torrent from a partial spec (``name`` required) and return its hash.

        Optional keys: ``hash``, ``size``, ``progress`` (0 to 1), ``state`` (either
        spelling of paused), ``category``, ``tags`` (comma-separated or a list),
        ``save_path``, ``added_on``, ``dlspeed``/``upspeed`` (the rates it moves
        at while active) and ``tracker``.
        """
        name = str(spec["name"])
        torrent_hash = str(spec.get("hash") or _sha1(name)).lower()
        raw_tags = spec.get("tags", "")
        tag_iter = raw_tags.split(",") if isinstance(raw_tags, str) else raw_tags
        tags = sorted({str(t).strip() for t in tag_iter if str(t).strip()})
        category = str(spec.get("category", ""))
        self._ensure_category(category)
        state = self._state(str(spec.get("state", "downloading")))
        motion = _Motion(
            dl_rate=int(spec.get("dlspeed", 2_000_000)),
            up_rate=int(spec.get("upspeed", 100_000)),
            meta_left=META_SECONDS if state in ("metaDL", "forcedMetaDL") else 0.0,
        )
        tracker = str(spec.get("tracker", TRACKERS[int(torrent_hash[:2], 16) % len(TRACKERS)]))
        self._motion[torrent_hash] = motion
        self.torrents[torrent_hash] = _frozen(
            self._fields(
                torrent_hash,
                name=name,
                size=int(spec.get("size", GIB)),
                progress=float(spec.get("progress", 0.0)),
                state=state,
                category=category,
                tags=tags,
                save_path=str(spec.get("save_path") or self._category_path(category)),
                added_on=int(spec.get("added_on", self.now)),
                tracker=tracker,
                motion=motion,
            )
        )
        self._tracker_of[torrent_hash] = tracker
        self.tags.update(tags)
        return torrent_hash

    def _fields(
        self,
        torrent_hash: str,
        *,
        name: str,
        size: int,
        progress: float,
        state: str,
        category: str,
        tags: Sequence[str],
        save_path: str,
        added_on: int,
        tracker: str,
        motion: _Motion,
    ) -> dict[str, Any]:
        """All fields of one torrent as qBittorrent 4.5's ``serialize`` sends them."""
        complete = progress >= 1.0
        completed = size if complete else int(size * progress)
        downloading = state in ("downloading", "forcedDL")
        seeding = state in ("uploading", "forcedUP")
        dlspeed = self._dl_rate(motion) if downloading else 0
        upspeed = self._up_rate(motion) if (seeding or downloading) else 0
        left = size - completed
        uploaded = int(completed * (0.8 if complete else 0.1))
        seed = int(torrent_hash[:8], 16)
        active = downloading or seeding or state in ("metaDL", "stalledDL", "stalledUP")
        fields = {
            "added_on": added_on,
            "amount_left": left,
            "auto_tmm": False,
            "availability": round(1 + (seed % 300) / 100, 2) if active else -1,
            "category": category,
            "completed": completed,
            "completion_on": added_on + 1800 if complete else -1,
            "content_path": f"{save_path}/{name}",
            "dl_limit": -1,
            "dlspeed": dlspeed,
            "download_path": "",
            "downloaded": completed,
            "downloaded_session": 0,
            "eta": left // dlspeed if dlspeed else MAX_ETA,
            "f_l_piece_prio": False,
            "force_start": False,
            "infohash_v1": torrent_hash,
            "infohash_v2": "",
            "last_activity": added_on,
            "magnet_uri": _magnet(torrent_hash, name, tracker),
            "max_ratio": -1,
            "max_seeding_time": -1,
            "name": name,
            "num_complete": 20 + seed % 500,
            "num_incomplete": seed % 60,
            "num_leechs": (seed % 7) if active else 0,
            "num_seeds": (1 + seed % 30) if downloading or state == "metaDL" else 0,
            "priority": 0 if complete else 1,
            "progress": 1 if complete else round(progress, 6),
            "ratio": round(uploaded / completed, 6) if completed else 0,
            "ratio_limit": -2,
            "save_path": save_path,
            "seeding_time": 900 if complete else 0,
            "seeding_time_limit": -2,
            "seen_complete": added_on if complete else -1,
            "seq_dl": False,
            "size": size,
            "state": state,
            "super_seeding": False,
            "tags": ", ".join(tags),
            "time_active": 2700 if complete else 600,
            "total_size": size,
            "tracker": tracker if active else "",
            "trackers_count": 1,
            "up_limit": -1,
            "uploaded": uploaded,
            "uploaded_session": 0,
            "upspeed": upspeed,
        }
        if self.stop_start:
            fields["private"] = False  # 5.x: null until a magnet's metadata arrives
        return fields

    def limit(self, direction: str) -> int:
        """The limit in force for ``dl`` or ``up`` in bytes/s (0: none), as ``server_state``."""
        key = f"alt_{direction}_limit" if self.alt_speed else f"{direction}_limit"
        return self.limits_kib[key] * 1024

    def _dl_rate(self, motion: _Motion) -> int:
        limit = self.limit("dl")
        return min(motion.dl_rate, limit) if limit else motion.dl_rate

    def _up_rate(self, motion: _Motion) -> int:
        limit = self.limit("up")
        return min(motion.up_rate, limit) if limit else motion.up_rate

    def _ensure_category(self, category: str) -> None:
        """Create an unknown category a torrent is added with, as qBittorrent does."""
        if category and category not in self.categories:
            self.categories[category] = _frozen({"name": category, "savePath": ""})

    def _category_path(self, category: str) -> str:
        path = str(self.categories[category]["savePath"]) if category else ""
        return path.rstrip("/") or self.save_path

    # -- control helpers for tests -------------------------------------------------------

    def update_torrent(self, torrent_hash: str, **changes: Any) -> None:
        """Change fields of one torrent (only real changes count for ``sync/maindata``)."""
        current = self.torrents[torrent_hash]
        changed = {k: v for k, v in changes.items() if k not in current or current[k] != v}
        if changed:
            self.torrents[torrent_hash] = _frozen({**current, **changed})

    def remove_torrent(self, torrent_hash: str) -> None:
        """Forget a torrent, as if removed in another client."""
        del self.torrents[torrent_hash]
        self._pending.pop(torrent_hash, None)
        self._data_progress.pop(torrent_hash, None)
        self._motion.pop(torrent_hash, None)
        self._tracker_of.pop(torrent_hash, None)

    def expire_sessions(self) -> None:
        """Forget every session (as a restart or session timeout does): next call is 403."""
        self._sessions.clear()

    @property
    def session_count(self) -> int:
        """Number of live WebUI sessions."""
        return len(self._sessions)

    def unban(self) -> None:
        """Forget failed logins and bans."""
        self._failures.clear()

    def advance(self, seconds: float) -> None:
        """Move simulated time on: metadata arrives, downloads progress, seeds upload."""
        if seconds <= 0:
            return
        start = self.now
        self.now += seconds
        now = int(self.now)
        for torrent_hash, fields in list(self.torrents.items()):
            state = fields["state"]
            motion = self._motion.get(torrent_hash)
            if motion is None:
                continue
            if state in ("metaDL", "forcedMetaDL"):
                self._advance_meta(torrent_hash, fields, motion, seconds, start)
            elif state in ("downloading", "forcedDL"):
                self._advance_download(torrent_hash, fields, motion, seconds, start)
            elif state in ("uploading", "forcedUP"):
                up = self._up_rate(motion)
                sent = int(up * seconds)
                self._session_ul += sent
                self._alltime_ul += sent
                uploaded = fields["uploaded"] + sent
                self.update_torrent(
                    torrent_hash,
                    upspeed=up,
                    uploaded=uploaded,
                    uploaded_session=fields["uploaded_session"] + sent,
                    ratio=round(uploaded / fields["downloaded"], 6) if fields["downloaded"] else 0,
                    time_active=fields["time_active"] + int(seconds),
                    seeding_time=fields["seeding_time"] + int(seconds),
                    last_activity=now,
                )

    def _advance_meta(
        self, torrent_hash: str, fields: Fields, motion: _Motion, seconds: float, start: float
    ) -> None:
        motion.meta_left -= seconds
        if motion.meta_left > 0:
            return
        spare = -motion.meta_left
        motion.meta_left = 0.0
        size = (1 + int(torrent_hash[8:10], 16) % 12) * GIB + int(torrent_hash[10:14], 16) * 1024
        self.update_torrent(
            torrent_hash,
            state="downloading",
            size=size,
            total_size=size,
            amount_left=size,
            num_seeds=1 + int(torrent_hash[:2], 16) % 30,
            dlspeed=self._dl_rate(motion),
            eta=size // max(1, self._dl_rate(motion)),
            availability=1.5,
            tracker=self._tracker_of.get(torrent_hash, ""),
            **({"private": False} if self.stop_start else {}),
        )
        if spare > 0:
            self._advance_download(
                torrent_hash, self.torrents[torrent_hash], motion, spare, start + seconds - spare
            )

    def _advance_download(
        self, torrent_hash: str, fields: Fields, motion: _Motion, seconds: float, start: float
    ) -> None:
        rate = self._dl_rate(motion)
        up = self._up_rate(motion)
        size = int(fields["size"])
        left = int(fields["amount_left"])
        needed = left / rate if rate else float("inf")
        spent = min(seconds, needed)
        got = left if seconds >= needed else int(rate * seconds)
        sent = int(up * spent)
        completed = size - left + got
        self.free_space = max(0, self.free_space - got)
        self._session_dl += got
        self._alltime_dl += got
        self._session_ul += sent
        self._alltime_ul += sent
        uploaded = fields["uploaded"] + sent
        changes: dict[str, Any] = {
            "completed": completed,
            "downloaded": fields["downloaded"] + got,
            "downloaded_session": fields["downloaded_session"] + got,
            "uploaded": uploaded,
            "uploaded_session": fields["uploaded_session"] + sent,
            "ratio": round(uploaded / completed, 6) if completed else 0,
            "time_active": fields["time_active"] + int(spent),
            "last_activity": int(start + spent),
        }
        if completed >= size:
            done = int(start + spent)
            changes |= {
                "progress": 1,
                "amount_left": 0,
                "dlspeed": 0,
                "eta": MAX_ETA,
                "completion_on": done,
                "seen_complete": done,
                "num_seeds": 0,
                "priority": 0,
                "state": "uploading" if up else "stalledUP",
                "upspeed": up,
            }
        else:
            changes |= {
                "progress": round(completed / size, 6),
                "amount_left": size - completed,
                "dlspeed": rate,
                "upspeed": up,
                "eta": (size - completed) // rate if rate else MAX_ETA,
            }
        self.update_torrent(torrent_hash, **changes)

    def add_fleet(
        self, count: int, *, downloading_share: float = 0.1, paused_share: float = 0.05
    ) -> list[str]:
        """Add ``count`` generated torrents cheaply; return their hashes.

        The first ``downloading_share`` of them download, the next
        ``paused_share`` are paused, the rest seed (mostly ``stalledUP``).
        """
        start = len(self.torrents)
        downloading = round(count * downloading_share)
        paused = round(count * paused_share)
        hashes: list[str] = []
        for i in range(count):
            n = start + i
            title = TITLES[n % len(TITLES)]
            dotted = re.sub(r"[^0-9A-Za-z]+", ".", title.title).strip(".")
            name = f"{dotted}.{title.year}.Fleet.{n:05d}.1080p.WEB-DL.x264-SIM"
            torrent_hash = _sha1(f"fleet-{n}-{name}")
            if i < downloading:
                state, progress = "downloading", (n * 37 % 95) / 100
            elif i < downloading + paused:
                state, progress = "pausedDL", (n * 13 % 90) / 100
            else:
                state, progress = ("uploading" if n % 10 == 0 else "stalledUP"), 1.0
            hashes.append(
                self.insert_torrent(
                    {
                        "name": name,
                        "hash": torrent_hash,
                        "size": (1 + n % 20) * 512 * MIB,
                        "progress": progress,
                        "state": state,
                        "category": ("movies", "tv", "")[n % 3],
                        "dlspeed": 200_000 + n * 7919 % 4_000_000,
                        "upspeed": 20_000 + n * 104_729 % 500_000,
                        "added_on": int(self.now) - 60 * (n % 10_000),
                        "tracker": TRACKERS[n % len(TRACKERS)],
                    }
                )
            )
        return hashes

    def churn(self, share: float) -> list[str]:
        """Change a few peer and upload fields of ``share`` of all torrents; return them.

        Successive calls walk on through the list, so each call touches
        different torrents while there are enough.
        """
        order = list(self.torrents)
        if not order:
            return []
        count = min(len(order), round(len(order) * share))
        self._churn_round += 1
        picked: list[str] = []
        for offset in range(count):
            torrent_hash = order[(self._churn_cursor + offset) % len(order)]
            fields = self.torrents[torrent_hash]
            uploaded = fields["uploaded"] + 1_048_576 * (1 + offset % 5)
            self.update_torrent(
                torrent_hash,
                num_leechs=(fields["num_leechs"] + 1) % 40,
                num_incomplete=(fields["num_incomplete"] + 1) % 80,
                uploaded=uploaded,
                ratio=round(uploaded / fields["downloaded"], 6) if fields["downloaded"] else 0,
                last_activity=int(self.now) + self._churn_round,
            )
            picked.append(torrent_hash)
        self._churn_cursor = (self._churn_cursor + count) % len(order)
        return picked

    @classmethod
    def for_demo(cls, *, root: Path, secret: str) -> Self:
        """A demo WebUI whose torrents move with wall time."""
        return cls(password=secret, realtime=True)

    # -- HTTP plumbing -------------------------------------------------------------------

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/v2/{scope}/{action}", self._dispatch)
        app.router.add_get("/", self._webui)

    def _endpoints(self) -> dict[str, _Handler]:
        handlers: dict[str, _Handler] = {
            "auth/login": self._login,
            "auth/logout": self._logout,
            "app/version": self._app_version,
            "app/webapiVersion": self._webapi_version,
            "app/preferences": self._preferences,
            "app/setPreferences": self._set_preferences,
            "sync/maindata": self._maindata,
            "torrents/info": self._info,
            "torrents/add": self._add,
            "torrents/delete": self._delete,
            "torrents/setLocation": self._set_location,
            "torrents/recheck": self._recheck,
            "torrents/categories": self._categories,
            "torrents/createCategory": self._create_category,
            "torrents/removeCategories": self._remove_categories,
            "torrents/tags": self._tags,
            "torrents/createTags": self._create_tags,
            "torrents/deleteTags": self._delete_tags,
            "transfer/info": self._transfer_info,
            "transfer/speedLimitsMode": self._speed_limits_mode,
            "transfer/toggleSpeedLimitsMode": self._toggle_speed_limits,
        }
        if self.api >= API_KEY_API:
            handlers["app/rotateAPIKey"] = self._rotate_api_key
            handlers["app/deleteAPIKey"] = self._delete_api_key
        if self.stop_start:
            handlers["torrents/stop"] = self._pause
            handlers["torrents/start"] = self._resume
        else:
            handlers["torrents/pause"] = self._pause
            handlers["torrents/resume"] = self._resume
        return handlers

    def settle(self, *, everything: bool = False) -> None:
        """Finish the moves and checks whose time is up (every request does this first).

        ``everything=True`` finishes all of them now, whatever their time.
        """
        wall = time.monotonic()
        for torrent_hash, (deadline, changes) in list(self._pending.items()):
            if (everything or deadline <= wall) and torrent_hash in self.torrents:
                del self._pending[torrent_hash]
                self.update_torrent(torrent_hash, **changes)

    def _tick(self) -> None:
        self.settle()
        wall = time.monotonic()
        elapsed, self._wall = wall - self._wall, wall
        if self.realtime:
            self.advance(elapsed)

    def _cross_site(self, request: web.Request) -> bool:
        """Apply qBittorrent's CSRF check: an Origin/Referer must name the target host:port."""
        if not self.csrf_protection:
            return False
        target = request.headers.get("X-Forwarded-Host", request.host)
        for header in ("Origin", "Referer"):
            value = request.headers.get(header)
            if value:
                return urlsplit(value).netloc.lower() != target.lower()
        return False

    def _host_port_mismatch(self, request: web.Request) -> bool:
        """Apply ``validateHostHeader``: a port in ``Host`` must be the WebUI's own."""
        if not self.host_header_validation:
            return False
        try:
            port = urlsplit(f"http://{request.headers.get('Host', '')}").port
        except ValueError:  # not a port at all
            return True
        return port is not None and port != self.port

    def _bearer(self, request: web.Request) -> str | None:
        """The key of an ``Authorization: Bearer`` header (5.2+ only), else ``None``.

        ``parseAuthorizationHeader`` (``webapplication.cpp``, 5.2.3 L106-116):
        the scheme case-insensitively, one space, the rest trimmed.  Older
        versions do not look at the header at all.
        """
        if self.api < API_KEY_API:
            return None
        header = request.headers.get("Authorization", "")
        if len(header) > 7 and header[:6].lower() == "bearer" and header[6] == " ":
            return header[7:].strip() or None
        return None

    def _api_key_session(self, key: str) -> _Session | None:
        """``apiKeySessionInitialize`` (5.2.3 L758-781): one lasting session per valid key."""
        if not self.api_key or not secrets.compare_digest(key.encode(), self.api_key.encode()):
            return None
        # kept apart from the cookie sessions: a cookie never opens a key's session
        return self._key_sessions.setdefault(key, _Session(key))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self._tick()
        bearer = self._bearer(request)
        # webapplication.cpp 5.2.3 L656-663: a Bearer key skips the CSRF check, not the Host one
        if (bearer is None and self._cross_site(request)) or self._host_port_mismatch(request):
            return self._text("Unauthorized", status=401)
        scope = request.match_info["scope"]
        endpoint = f"{scope}/{request.match_info['action']}"
        if bearer is not None:
            session = self._api_key_session(bearer)
            if session is None or scope == "auth":  # doProcessRequest, 5.2.3 L326-340
                return self._text("Forbidden", status=403)
        else:
            session = self._sessions.get(request.cookies.get(self.cookie_name, ""))
        if session is None and endpoint != "auth/login":
            return self._text("Forbidden", status=403)
        handler = self._endpoints().get(endpoint)
        if handler is None:
            # 5.2+: an unknown action of a known scope says so; an unknown scope is "Not Found"
            known = self.api >= (2, 14) and scope in _SCOPES
            return self._text("Endpoint does not exist" if known else "Not Found", status=404)
        if request.method not in ("GET", "POST") or (
            endpoint in _POST_ONLY and request.method != "POST"
        ):
            return self._text("Method Not Allowed", status=405)
        if request.method == "GET":
            params = dict(request.query)
        else:
            form = await request.post()
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        return await handler(request, params, session)

    async def _webui(self, request: web.Request) -> web.Response:
        return web.Response(
            text="<!DOCTYPE html><html><head><title>qBittorrent WebUI</title></head>"
            "<body><noscript>JavaScript is required</noscript></body></html>",
            content_type="text/html",
        )

    @staticmethod
    def _text(text: str, *, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/plain", charset="UTF-8")

    @staticmethod
    def _json(payload: Any, *, status: int = 200) -> web.Response:
        body = json.dumps(payload, default=_jsonable, separators=(",", ":"))
        return web.Response(body=body.encode(), status=status, content_type="application/json")

    def _empty(self) -> web.Response:
        """An action's answer: 200 with no body, on 5.3.0 too (measured; only the login is 204)."""
        return self._text("")

    def _missing(self, params: Mapping[str, str], *names: str) -> web.Response | None:
        """The 400 for required parameters not in ``params`` (``None``: all there).

        5.2+ names them (``requireParams``: "Missing required parameters:
        deleteFiles", measured on 5.3.0); 4.x says "Bad Request".
        """
        missing = [name for name in names if name not in params]
        if not missing:
            return None
        if self.api >= (2, 14):
            return self._text(f"Missing required parameters: {', '.join(missing)}", status=400)
        return self._text("Bad Request", status=400)

    def _selected(self, params: Mapping[str, str]) -> list[str] | None:
        """Hashes named by ``hashes`` (``all``: every torrent); ``None`` when missing."""
        raw = params.get("hashes")
        if raw is None:
            return None
        if raw.strip().lower() == "all":
            return list(self.torrents)
        wanted = [h.strip().lower() for h in raw.split("|")]
        return [h for h in wanted if h in self.torrents]

    # -- auth and app --------------------------------------------------------------------

    async def _login(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if session is not None:
            return self._login_ok()
        address = request.remote or ""
        failures = self._failures.get(address)
        if failures is not None and failures.banned_until is not None:
            if self.now < failures.banned_until:
                return self._text(BANNED, status=403)
            del self._failures[address]
        if params.get("username") == self.username and params.get("password") == self.password:
            self._failures.pop(address, None)
            sid = secrets.token_urlsafe(24)
            self._sessions[sid] = _Session(sid)
            resp = self._login_ok()
            expires: str | None = None
            if self.api >= (2, 14):  # 5.2+: a cookie that ends with the session timeout
                expires = format_datetime(
                    datetime.now(UTC) + timedelta(seconds=SESSION_TIMEOUT), usegmt=True
                )
            resp.set_cookie(
                self.cookie_name,
                sid,
                path="/",
                httponly=True,
                samesite="Lax" if self.api >= (2, 16) else "Strict",
                expires=expires,
            )
            return resp
        failures = self._failures.setdefault(address, _LoginFailures())
        failures.count += 1
        if self.max_auth_fail > 0 and failures.count >= self.max_auth_fail:
            failures.banned_until = self.now + self.ban_seconds
        if self.api >= (2, 14):
            return self._text("Unauthorized", status=401)
        return self._text("Fails.")

    def _login_ok(self) -> web.Response:
        return web.Response(status=204) if self.api >= (2, 14) else self._text("Ok.")

    async def _logout(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if session is not None:
            self._sessions.pop(session.sid, None)
        resp = self._empty()
        resp.del_cookie(self.cookie_name, path="/")
        return resp

    async def _app_version(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        return self._text(self.version)

    async def _webapi_version(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        return self._text(self.webapi_version)

    async def _preferences(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        """``app/preferences`` (``appcontroller.cpp`` 5.2.3 L279-282): limits in bytes/s.

        Only what the simulator models; the real answer has about 200 keys.
        """
        prefs: dict[str, Any] = {key: kib * 1024 for key, kib in self.limits_kib.items()}
        prefs["web_ui_port"] = self.port
        prefs["web_ui_host_header_validation_enabled"] = self.host_header_validation
        prefs["web_ui_csrf_protection_enabled"] = self.csrf_protection
        if self.api >= API_KEY_API:
            prefs["web_ui_api_key"] = self.api_key or ""
        return self._json(prefs)

    async def _set_preferences(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        """``app/setPreferences`` (5.2.3 L513-526, L788-795): JSON in the form field ``json``.

        A body that is not a JSON object changes nothing and still answers 200
        (``QJsonDocument::fromJson`` gives an empty hash); limits are bytes/s,
        kept as KiB/s like ``SessionImpl::setGlobalDownloadSpeedLimit``
        (0 or less: none; 1 to 1024: 1 KiB/s; else divided by 1024).
        """
        if (refusal := self._missing(params, "json")) is not None:
            return refusal
        try:
            values = json.loads(params["json"])
        except ValueError:
            values = {}
        if not isinstance(values, dict):
            values = {}
        for key in self.limits_kib:
            if key in values:
                value = values[key]
                limit = int(value) if isinstance(value, int | float) else 0
                self.limits_kib[key] = 0 if limit <= 0 else 1 if limit <= 1024 else limit // 1024
        if "web_ui_host_header_validation_enabled" in values:
            self.host_header_validation = bool(values["web_ui_host_header_validation_enabled"])
        if "web_ui_csrf_protection_enabled" in values:
            self.csrf_protection = bool(values["web_ui_csrf_protection_enabled"])
        self._apply_rates()
        return self._empty()

    async def _rotate_api_key(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        """``app/rotateAPIKey`` (5.2.3 L1341-1350): a new ``qbt_`` key; the old one dies."""
        self._key_sessions.clear()
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        self.api_key = API_KEY_PREFIX + "".join(
            secrets.choice(alphabet) for _ in range(API_KEY_LENGTH - len(API_KEY_PREFIX))
        )
        return self._json({"apiKey": self.api_key})

    async def _delete_api_key(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        """``app/deleteAPIKey`` (5.2.3 L1352-1357)."""
        self._key_sessions.clear()
        self.api_key = None
        return self._empty()

    # -- sync ----------------------------------------------------------------------------

    def _server_state(self) -> dict[str, Any]:
        dl = up = peers = 0
        for fields in self.torrents.values():
            dl += fields["dlspeed"]
            up += fields["upspeed"]
            if fields["dlspeed"] or fields["upspeed"]:
                peers += fields["num_seeds"] + fields["num_leechs"]
        ratio = self._alltime_ul / self._alltime_dl if self._alltime_dl else 0
        return {
            "alltime_dl": self._alltime_dl,
            "alltime_ul": self._alltime_ul,
            "average_time_queue": 0,
            "connection_status": "connected",
            "dht_nodes": 350 + int(self.now // 60) % 40,
            "dl_info_data": self._session_dl,
            "dl_info_speed": dl,
            "dl_rate_limit": self.limit("dl"),
            "free_space_on_disk": self.free_space,
            "global_ratio": f"{ratio:.2f}" if ratio else "-",
            "queued_io_jobs": 0,
            "queueing": True,
            "read_cache_hits": "0",
            "read_cache_overload": "0",
            "refresh_interval": 1500,
            "total_buffers_size": 0,
            "total_peer_connections": peers,
            "total_queued_size": 0,
            "total_wasted_session": 0,
            "up_info_data": self._session_ul,
            "up_info_speed": up,
            "up_rate_limit": self.limit("up"),
            "use_alt_speed_limits": self.alt_speed,
            "write_cache_overload": "0",
        }

    def _snapshot(self) -> _Snapshot:
        trackers: dict[str, list[str]] = {}
        for torrent_hash in self.torrents:
            url = self._tracker_of.get(torrent_hash)
            if url:
                trackers.setdefault(url, []).append(torrent_hash)
        return _Snapshot(
            rid=0,
            torrents=dict(self.torrents),
            categories=dict(self.categories),
            tags=tuple(sorted(self.tags)),
            trackers={url: tuple(hashes) for url, hashes in trackers.items()},
            server_state=self._server_state(),
        )

    @staticmethod
    def _full(data: _Snapshot) -> dict[str, Any]:
        return {
            "torrents": data.torrents,
            "categories": data.categories,
            "tags": list(data.tags),
            "trackers": {url: list(hashes) for url, hashes in data.trackers.items()},
            "server_state": data.server_state,
        }

    def _diff_items(
        self, prev: Mapping[str, Fields], cur: Mapping[str, Fields]
    ) -> tuple[dict[str, Any], list[str]]:
        """Diff maps of maps like ``processHash``: new items in full, changed fields only.

        5.x (``processMap`` against an empty snapshot) leaves a new item's null
        fields out (measured on 5.3.0: ``private`` before the metadata).
        """
        if not prev and not self.stop_start:
            return dict(cur), []
        changed: dict[str, Any] = {}
        for key, value in cur.items():
            old = prev.get(key)
            if old is None:
                changed[key] = (
                    {f: v for f, v in value.items() if v is not None} if self.stop_start else value
                )
            elif old is not value:
                delta = {f: v for f, v in value.items() if f not in old or old[f] != v}
                if delta:
                    changed[key] = delta
        return changed, [key for key in prev if key not in cur]

    def _diff(self, prev: _Snapshot, cur: _Snapshot) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("torrents", "categories"):
            changed, removed = self._diff_items(getattr(prev, key), getattr(cur, key))
            if changed:
                out[key] = changed
            if removed:
                out[f"{key}_removed"] = removed
        if not prev.tags:
            added_tags = list(cur.tags)
            removed_tags: list[str] = []
        else:
            added_tags = [t for t in cur.tags if t not in prev.tags]
            removed_tags = [t for t in prev.tags if t not in cur.tags]
        if added_tags:
            out["tags"] = added_tags
        if removed_tags:
            out["tags_removed"] = removed_tags
        trackers = {
            url: list(hashes)
            for url, hashes in cur.trackers.items()
            if prev.trackers.get(url) != hashes
        }
        if trackers:
            out["trackers"] = trackers
        gone = [url for url in prev.trackers if url not in cur.trackers]
        if gone and prev.trackers:
            out["trackers_removed"] = gone
        state = {k: v for k, v in cur.server_state.items() if prev.server_state.get(k) != v}
        if state:
            out["server_state"] = state
        return out

    async def _maindata(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        assert session is not None
        try:
            accepted = int(params.get("rid", "0"))
        except ValueError:
            accepted = 0  # Qt's toInt() of garbage
        sync = session.sync
        data = self._snapshot()
        last_rid = 0
        if self.stop_start and sync.last is not None:
            last_rid = sync.last.rid  # 5.x counts on from the last answer, whatever the rid
        payload: dict[str, Any] | None = None
        if accepted > 0:
            last_rid = sync.last.rid if sync.last is not None else 0
            if sync.last is not None and last_rid == accepted:
                sync.accepted = sync.last
            if sync.accepted is not None and sync.accepted.rid == accepted:
                payload = self._diff(sync.accepted, data)
        if payload is None:
            sync.accepted = None
            payload = self._full(data)
            if self.stop_start:  # 5.x leaves out the empty sections of a full update too
                payload = {k: v for k, v in payload.items() if v or k == "server_state"}
            payload["full_update"] = True
        data.rid = last_rid % 1_000_000 + 1
        sync.last = data
        payload["rid"] = data.rid
        return self._json(payload)

    # -- torrents ------------------------------------------------------------------------

    def _matches(self, fields: Fields, wanted: str) -> bool:
        state = fields["state"]
        active = bool(fields["dlspeed"] or fields["upspeed"])
        paused = state in _PAUSED_DL or state in _PAUSED_UP
        checks: dict[str, bool] = {
            "downloading": state in _DOWNLOADING or state in _PAUSED_DL,
            "seeding": state in _SEEDING,
            "completed": state in _SEEDING or state in _PAUSED_UP,
            "active": active,
            "inactive": not active,
            "stalled": state in ("stalledUP", "stalledDL"),
            "stalled_uploading": state == "stalledUP",
            "stalled_downloading": state == "stalledDL",
            "checking": state.startswith("checking"),
            "moving": state == "moving",
            "errored": state in ("error", "missingFiles"),
        }
        if self.stop_start:
            checks |= {"stopped": paused, "running": not paused}
        else:
            checks |= {"paused": paused, "resumed": not paused}
        return checks.get(wanted, True)  # an unknown filter is "all"

    async def _info(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        selected = self._selected(params)
        hashes = list(self.torrents) if selected is None else selected
        wanted = params.get("filter", "all")
        rows: list[dict[str, Any]] = []
        for torrent_hash in hashes:
            fields = self.torrents[torrent_hash]
            if "category" in params and fields["category"] != params["category"]:
                continue
            if "tag" in params:
                tags = [t.strip() for t in str(fields["tags"]).split(",") if t.strip()]
                if (params["tag"] not in tags) if params["tag"] else bool(tags):
                    continue
            if self._matches(fields, wanted):
                rows.append({"hash": torrent_hash, **fields})
        if sort_key := params.get("sort"):
            rows.sort(key=lambda row: (row.get(sort_key) is None, str(row.get(sort_key, ""))))
            if all(isinstance(row.get(sort_key), int | float) for row in rows):
                rows.sort(key=lambda row: row[sort_key])
        if _parse_bool(params.get("reverse")):
            rows.reverse()
        offset = int(params.get("offset", "0") or 0)
        if offset < 0:
            offset = max(0, len(rows) + offset)
        limit = int(params.get("limit", "0") or 0)
        rows = rows[offset : offset + limit] if limit > 0 else rows[offset:]
        return self._json(rows)

    def _new_torrent(
        self,
        torrent_hash: str,
        *,
        name: str,
        tracker: str,
        has_metadata: bool,
        params: Mapping[str, str],
        stopped: bool,
    ) -> None:
        category = params.get("category", "")
        self._ensure_category(category)
        tags = sorted({t.strip() for t in params.get("tags", "").split(",") if t.strip()})
        save_path = params.get("savepath", "").strip().rstrip("/") or self._category_path(category)
        seed = int(torrent_hash[:8], 16)
        motion = _Motion(
            dl_rate=1_000_000 + seed % 9_000_000,
            up_rate=50_000 + seed % 450_000,
            meta_left=0.0 if has_metadata else META_SECONDS,
        )
        size = (1 + int(torrent_hash[8:10], 16) % 12) * GIB if has_metadata else 0
        state = "downloading" if has_metadata else "metaDL"
        if stopped:
            state = self._state("pausedDL")
        fields = self._fields(
            torrent_hash,
            name=name,
            size=size,
            progress=0.0,
            state=state,
            category=category,
            tags=tags,
            save_path=save_path,
            added_on=int(self.now),
            tracker=tracker,
            motion=motion,
        )
        if not has_metadata:
            fields |= {"eta": MAX_ETA, "total_size": 0, "availability": 0}
            if self.stop_start:
                fields["private"] = None
        self.torrents[torrent_hash] = _frozen(fields)
        self._motion[torrent_hash] = motion
        self._tracker_of[torrent_hash] = tracker
        self.tags.update(tags)

    async def _add(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        stop_field = "stopped" if self.stop_start else "paused"
        stopped = bool(_parse_bool(params.get(stop_field)))
        added: list[str] = []
        failures = pending = 0
        for url in (u.strip() for u in params.get("urls", "").split("\n")):
            if not url:
                continue
            outcome = self._add_url(url, params, stopped)
            if outcome == "pending":
                pending += 1
            elif outcome is None:
                failures += 1
            else:
                added.append(outcome)
        form = await request.post()
        for upload in form.getall("torrents", []):
            if not isinstance(upload, web.FileField):
                continue
            content = upload.file.read()
            torrent_hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()
            if torrent_hash in self.torrents or not content.startswith(b"d"):
                failures += 1
                continue
            name = Path(upload.filename or torrent_hash).stem
            self._new_torrent(
                torrent_hash,
                name=name,
                tracker=TRACKERS[0],
                has_metadata=True,
                params=params,
                stopped=stopped,
            )
            added.append(torrent_hash)
        if self.api >= (2, 14):
            if not added and not pending:
                return self._text("Conflict", status=409)
            return self._json(
                {  # in Qt's (sorted) key order, as 5.3.0 sends it
                    "added_torrent_ids": added,
                    "failure_count": failures,
                    "pending_count": pending,
                    "success_count": len(added),
                },
                status=202 if pending else 200,
            )
        return self._text("Ok." if added or pending else "Fails.")

    def _add_url(self, url: str, params: Mapping[str, str], stopped: bool) -> str | None:
        """Add one URL; return its hash, ``"pending"`` for a download, ``None`` on failure."""
        lowered = url.lower()
        if lowered.startswith(("http://", "https://")):
            torrent_hash = _sha1(url)
            if torrent_hash not in self.torrents:
                name = Path(urlsplit(url).path).stem or torrent_hash
                self._new_torrent(
                    torrent_hash,
                    name=name,
                    tracker=TRACKERS[0],
                    has_metadata=True,
                    params=params,
                    stopped=stopped,
                )
            return "pending" if self.api >= (2, 14) else torrent_hash
        display: str | None = None
        tracker = TRACKERS[0]
        if lowered.startswith("magnet:?"):
            parsed = _magnet_hash_and_name(url)
            if parsed is None:
                return None
            torrent_hash, display = parsed
            trackers = [v for k, v in parse_qsl(urlsplit(url).query) if k == "tr" and v]
            tracker = trackers[0] if trackers else tracker
        elif _HEX40.fullmatch(url):  # qBittorrent also takes a bare info hash
            torrent_hash = lowered
        elif _B32.fullmatch(url):
            torrent_hash = base64.b32decode(url.upper()).hex()
        else:
            return None
        if torrent_hash in self.torrents:
            return None
        self._new_torrent(
            torrent_hash,
            name=display or torrent_hash,
            tracker=tracker,
            has_metadata=False,
            params=params,
            stopped=stopped,
        )
        return torrent_hash

    async def _pause(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "hashes")) is not None:
            return refusal
        selected = self._selected(params) or []
        for torrent_hash in selected:
            fields = self.torrents[torrent_hash]
            if fields["state"] in _PAUSED_DL or fields["state"] in _PAUSED_UP:
                continue
            complete = fields["progress"] >= 1
            self.update_torrent(
                torrent_hash,
                state=self._state("pausedUP" if complete else "pausedDL"),
                dlspeed=0,
                upspeed=0,
                eta=MAX_ETA,
                num_seeds=0,
                num_leechs=0,
                availability=-1,
                tracker="",
            )
        return self._empty()

    async def _resume(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "hashes")) is not None:
            return refusal
        selected = self._selected(params) or []
        for torrent_hash in selected:
            fields = self.torrents[torrent_hash]
            motion = self._motion.setdefault(torrent_hash, _Motion(dl_rate=0, up_rate=0))
            tracker = self._tracker_of.get(torrent_hash, "")
            if fields["state"] in _PAUSED_UP:
                up = self._up_rate(motion)
                self.update_torrent(
                    torrent_hash,
                    state="uploading" if up else "stalledUP",
                    upspeed=up,
                    tracker=tracker,
                    availability=1.5,
                )
            elif fields["state"] in _PAUSED_DL:
                if not fields["size"]:
                    motion.meta_left = max(motion.meta_left, META_SECONDS)
                    self.update_torrent(torrent_hash, state="metaDL", tracker=tracker)
                    continue
                rate = self._dl_rate(motion)
                self.update_torrent(
                    torrent_hash,
                    state="downloading" if rate else "stalledDL",
                    dlspeed=rate,
                    upspeed=self._up_rate(motion),
                    eta=fields["amount_left"] // rate if rate else MAX_ETA,
                    num_seeds=1 + int(torrent_hash[:2], 16) % 30,
                    tracker=tracker,
                    availability=1.5,
                )
        return self._empty()

    async def _delete(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "hashes", "deleteFiles")) is not None:
            return refusal
        selected = self._selected(params) or []
        delete_files = bool(_parse_bool(params["deleteFiles"]))
        for torrent_hash in selected:
            fields = self.torrents[torrent_hash]
            if delete_files:
                self.deleted_files.append(str(fields["content_path"]))
                self.free_space += int(fields["completed"])
            self.remove_torrent(torrent_hash)
        return self._empty()

    @staticmethod
    def _under(location: str, folders: set[str]) -> bool:
        parts = [p for p in location.split("/") if p]
        for folder in folders:
            prefix = [p for p in folder.split("/") if p]
            if parts[: len(prefix)] == prefix:
                return True
        return False

    async def _set_location(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "hashes", "location")) is not None:
            return refusal
        selected = self._selected(params) or []
        location = params["location"].strip()
        if not location:
            return self._text("Save path cannot be empty", status=400)
        if self._under(location, self.uncreatable_paths):
            return self._text("Cannot make save path", status=409)
        if self._under(location, self.unwritable_paths):
            return self._text("Cannot write to directory", status=403)
        location = location.rstrip("/") or "/"
        for torrent_hash in selected:
            fields = self.torrents[torrent_hash]
            if fields["save_path"] == location:
                continue  # setSavePath to the current folder does nothing
            self.locations.append((torrent_hash, location))
            state = fields["state"]
            if state in _PAUSED_DL or state in _PAUSED_UP:
                # libtorrent wants a full check after the move; paused, it does not run
                # it, so the data's progress is kept for the recheck
                self._data_progress.setdefault(torrent_hash, float(fields["progress"]))
                final: dict[str, Any] = {"state": self._state("pausedDL"), "progress": 0}
            else:
                final = {"state": state, "progress": fields["progress"]}
            self.update_torrent(
                torrent_hash,
                state="moving",
                save_path=location,
                content_path=f"{location}/{fields['name']}",
                auto_tmm=False,
            )
            self._pending[torrent_hash] = (time.monotonic() + self.move_seconds, final)
        return self._empty()

    async def _recheck(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "hashes")) is not None:
            return refusal
        hashes = self._selected(params) or []
        self.rechecks.extend(hashes)
        for torrent_hash in hashes:
            self._start_check(torrent_hash)
        return self._empty()

    def _start_check(self, torrent_hash: str) -> None:
        """Begin checking one torrent's data (see the module docstring)."""
        fields = self.torrents[torrent_hash]
        if fields["state"] == "moving":
            # measured: a recheck during the move never finishes
            self._pending.pop(torrent_hash, None)
            self.update_torrent(torrent_hash, state="checkingUP", progress=0)
            return
        progress = self._data_progress.pop(torrent_hash, float(fields["progress"]))
        state = fields["state"]
        if state.startswith("checking"):
            pending = self._pending.get(torrent_hash)
            state = pending[1]["state"] if pending else "stalledUP"
        complete = progress >= 1
        if state in _PAUSED_DL or state in _PAUSED_UP:
            final_state = self._state("pausedUP" if complete else "pausedDL")
        else:
            final_state = "stalledUP" if complete else "stalledDL"
        self.update_torrent(
            torrent_hash, state="checkingUP" if complete else "checkingDL", progress=0
        )
        self._pending[torrent_hash] = (
            time.monotonic() + self.check_seconds,
            {"state": final_state, "progress": 1 if complete else round(progress, 6)},
        )

    # -- categories and tags -------------------------------------------------------------

    async def _categories(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        return self._json(self.categories)

    async def _create_category(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "category")) is not None:
            return refusal
        name = params["category"]
        if not name:
            return self._text("Category cannot be empty", status=400)
        if not _valid_category(name):
            return self._text("Incorrect category name", status=409)
        if name in self.categories:
            return self._text("Unable to create category", status=409)
        self.categories[name] = _frozen({"name": name, "savePath": params.get("savePath", "")})
        return self._empty()

    async def _remove_categories(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "categories")) is not None:
            return refusal
        for name in params["categories"].split("\n"):
            if self.categories.pop(name.strip(), None) is not None:
                for torrent_hash, fields in list(self.torrents.items()):
                    if fields["category"] == name.strip():
                        self.update_torrent(torrent_hash, category="")
        return self._empty()

    async def _tags(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        return self._json(sorted(self.tags))

    async def _create_tags(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "tags")) is not None:
            return refusal
        self.tags.update(t.strip() for t in params["tags"].split(",") if t.strip())
        return self._empty()

    async def _delete_tags(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        if (refusal := self._missing(params, "tags")) is not None:
            return refusal
        gone = {t.strip() for t in params["tags"].split(",") if t.strip()}
        self.tags -= gone
        for torrent_hash, fields in list(self.torrents.items()):
            tags = [t.strip() for t in str(fields["tags"]).split(",") if t.strip()]
            if any(t in gone for t in tags):
                self.update_torrent(torrent_hash, tags=", ".join(t for t in tags if t not in gone))
        return self._empty()

    # -- transfer ------------------------------------------------------------------------

    async def _transfer_info(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        state = self._server_state()
        keys = (
            "connection_status",
            "dht_nodes",
            "dl_info_data",
            "dl_info_speed",
            "dl_rate_limit",
            "up_info_data",
            "up_info_speed",
            "up_rate_limit",
        )
        return self._json({key: state[key] for key in keys})

    async def _speed_limits_mode(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        return self._text("1" if self.alt_speed else "0")

    async def _toggle_speed_limits(
        self, request: web.Request, params: dict[str, str], session: _Session | None
    ) -> web.StreamResponse:
        self.alt_speed = not self.alt_speed
        self._apply_rates()
        return self._empty()

    def _apply_rates(self) -> None:
        """Recompute the rates of moving torrents after the limits in force changed."""
        for torrent_hash, fields in list(self.torrents.items()):
            motion = self._motion.get(torrent_hash)
            if motion is None:
                continue
            if fields["dlspeed"]:
                rate = self._dl_rate(motion)
                self.update_torrent(
                    torrent_hash, dlspeed=rate, eta=fields["amount_left"] // max(1, rate)
                )
            if fields["upspeed"]:
                self.update_torrent(torrent_hash, upspeed=self._up_rate(motion))


def _valid_category(name: str) -> bool:
    """Check a name as ``Session::isValidCategoryName``: no edge or double ``/``, no backslash."""
    return not (name.startswith("/") or name.endswith("/") or "//" in name or "\\" in name)
