"""Remote control of the Jellyfin simulator's sessions, as ``SessionController`` answers it.

Routes (jellyfin/jellyfin ``Jellyfin.Api/Controllers/SessionController.cs``,
same lines in v10.10.7 and v10.11.11; each ``[Authorize]``, 204 on success):

* ``POST /Sessions/{sessionId}/Playing/{command}`` (L162, ``SendPlaystateCommand``):
  a ``PlaystateCommand`` (``MediaBrowser.Model/Session/PlaystateCommand.cs``)
  with ``seekPositionTicks`` for ``Seek``;
* ``POST /Sessions/{sessionId}/Playing`` (L119, ``Play``): ``playCommand``
  (``PlayCommand.cs``: PlayNow, PlayNext, PlayLast, PlayInstantMix, PlayShuffle)
  and ``itemIds`` (comma-separated GUIDs), both required;
* ``POST /Sessions/{sessionId}/Command/{command}`` (L219, ``SendGeneralCommand``):
  a ``GeneralCommandType`` (``GeneralCommandType.cs``) without arguments;
* ``POST /Sessions/{sessionId}/Command`` (L247, ``SendFullGeneralCommand``): a
  ``GeneralCommand`` JSON body (``Name``, ``Arguments`` of strings), required.

What the server does (``Emby.Server.Implementations/Session/SessionManager.cs``,
v10.11.11): ``GetSessionToRemoteControl`` looks the session up by id (ordinal)
and throws ``ResourceNotFoundException`` (404 by ``ExceptionMiddleware``); the
route values bind to their enums by name (case-insensitive) or number, anything
else is a 400 validation problem.  ``SendPlayCommand`` expands folders to their
files (``TranslateItemForPlayback``: recursive, by sort name) and skips unknown
ids; nothing checks what the client supports: the message goes to the
session's controllers, and a client without one (``SupportsRemoteControl``
false) never sees it.  The caller's own session is logged first
(``RequestHelpers.GetSession`` → ``LogSessionActivity``): an API key gets a
session without a user, named after the key, on the server's device id.

What the clients do with a message is simulated here as Jellyfin Web does it:
playstate commands act on the playback, ``Play`` replaces or extends the
queue, general commands act only when the client lists them in
``SupportedCommands`` (volume, mute); every delivered message is kept in
``messages`` so tests can see navigation commands arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
import hashlib
import json
import random
import re
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

from .base import Handler

if TYPE_CHECKING:
    from .jellyfin import SimItem, SimSession

TICKS = 10_000_000
_GUID = re.compile(r"^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")

PLAYSTATE_COMMANDS: tuple[str, ...] = (
    "Stop", "Pause", "Unpause", "NextTrack", "PreviousTrack", "Seek", "Rewind",
    "FastForward", "PlayPause",
)  # fmt: skip
"""``PlaystateCommand`` in the order of its values."""

PLAY_COMMANDS: tuple[str, ...] = (
    "PlayNow", "PlayNext", "PlayLast", "PlayInstantMix", "PlayShuffle",
)  # fmt: skip
"""``PlayCommand`` in the order of its values."""

GENERAL_COMMANDS: tuple[str, ...] = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "PageUp", "PageDown", "PreviousLetter",
    "NextLetter", "ToggleOsd", "ToggleContextMenu", "Select", "Back", "TakeScreenshot",
    "SendKey", "SendString", "GoHome", "GoToSettings", "VolumeUp", "VolumeDown", "Mute",
    "Unmute", "ToggleMute", "SetVolume", "SetAudioStreamIndex", "SetSubtitleStreamIndex",
    "ToggleFullscreen", "DisplayContent", "GoToSearch", "DisplayMessage", "SetRepeatMode",
    "ChannelUp", "ChannelDown", "Guide", "ToggleStats", "PlayMediaSource", "PlayTrailers",
    "SetShuffleQueue", "PlayState", "PlayNext", "ToggleOsdMenu", "Play",
    "SetMaxStreamingBitrate", "SetPlaybackOrder",
)  # fmt: skip
"""``GeneralCommandType`` in the order of its values (0 to 42)."""

WEB_COMMANDS: tuple[str, ...] = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "PageUp", "PageDown", "PreviousLetter",
    "NextLetter", "ToggleOsd", "ToggleContextMenu", "Select", "Back", "SendKey",
    "SendString", "GoHome", "GoToSettings", "VolumeUp", "VolumeDown", "Mute", "Unmute",
    "ToggleMute", "SetVolume", "SetAudioStreamIndex", "SetSubtitleStreamIndex",
    "DisplayContent", "GoToSearch", "DisplayMessage", "SetRepeatMode", "SetShuffleQueue",
    "ChannelUp", "ChannelDown", "PlayMediaSource", "PlayTrailers", "ToggleFullscreen",
)  # fmt: skip
"""What Jellyfin Web lists in ``SupportedCommands`` (a desktop browser)."""

VOLUME_STEP = 2
"""How far Jellyfin Web moves the volume on VolumeUp/VolumeDown."""

SKIP_BACK_S = 10.0
SKIP_FORWARD_S = 30.0
"""Jellyfin Web's default rewind and fast-forward steps."""


def _enum(value: str, names: Sequence[str]) -> str | None:
    """The enum name ``value`` binds to (a name, any case, or a number), else ``None``."""
    if value.isdigit():
        index = int(value)
        return names[index] if index < len(names) else None
    return next((name for name in names if name.lower() == value.lower()), None)


class SessionControl:
    """The remote-control routes of ``JellyfinSimulator`` (a mixin; see the module doc)."""

    key_name: ClassVar[str] = "Pandora Box"
    """The name the simulator's API key was created with (the caller's session is named so)."""

    sessions: list[SimSession]
    server_id: str
    server_name: str
    version: str
    messages: list[dict[str, Any]]

    # provided by JellyfinSimulator
    def elapsed(self) -> float:
        """The simulator's clock."""
        raise NotImplementedError

    def tree(self) -> list[SimItem]:
        """Every item of the library tree."""
        raise NotImplementedError

    def descendants(self, parent_id: str, *, recursive: bool) -> list[SimItem]:
        """The children (or subtree) of ``parent_id``."""
        raise NotImplementedError

    def _position(self, sess: SimSession) -> float | None:
        raise NotImplementedError

    def _protected(self, handler: Handler, *, first_time_setup: bool = False) -> Handler:
        raise NotImplementedError

    @staticmethod
    def _bad_request(name: str, value: str) -> web.Response:
        raise NotImplementedError

    def _authorization(self, request: web.Request) -> dict[str, str]:
        """The parsed ``Authorization`` header of ``request`` (empty if none)."""
        raise NotImplementedError

    def _new_session(self, **kw: Any) -> SimSession:
        """A ``SimSession`` (built by the simulator, which knows the class)."""
        raise NotImplementedError

    # -- routes -----------------------------------------------------------------------------

    def _setup_control_routes(self, app: web.Application) -> None:
        guard = self._protected
        app.router.add_post("/Sessions/{session_id}/Playing", guard(self._play))
        app.router.add_post("/Sessions/{session_id}/Playing/{command}", guard(self._playstate))
        app.router.add_post("/Sessions/{session_id}/Command", guard(self._full_command))
        app.router.add_post("/Sessions/{session_id}/Command/{command}", guard(self._command))

    def _target(self, request: web.Request) -> SimSession | web.Response:
        """The session the route names (after logging the caller's), else 404."""
        self._log_caller(request)
        wanted = request.match_info["session_id"]
        found = next((s for s in self.sessions if s.id == wanted), None)
        if found is None:
            return web.Response(status=404, text="Error processing request.")
        return found

    def _log_caller(self, request: web.Request) -> None:
        """``LogSessionActivity`` for the caller: an API key's session has no user, no control.

        ``AuthorizationContext`` (v10.11.11 L195-L216) names an API key's
        session after the key and keeps the ``DeviceId``, ``Device`` and
        ``Version`` the caller sent, falling back to the server's own.
        """
        sent = self._authorization(request)
        device_id = sent.get("DeviceId") or self.server_id
        now = self.elapsed()
        for sess in self.sessions:
            if sess.device_id == device_id and sess.client == self.key_name:
                sess.last_activity = now
                return
        digest = hashlib.sha256(f"{self.key_name}:{device_id}".encode()).hexdigest()[:32]
        self.sessions.append(
            self._new_session(
                id=digest,
                user_name=None,
                client=self.key_name,
                device_name=sent.get("Device") or self.server_name,
                device_id=device_id,
                application_version=sent.get("Version") or self.version,
                remote_end_point="127.0.0.1",
                last_activity=now,
                supports_media_control=False,
                playable_media_types=(),
                supported_commands=(),
            )
        )

    def _deliver(self, sess: SimSession, kind: str, **data: Any) -> bool:
        """Record a message for ``sess``; whether the client receives it (it is controllable)."""
        if not sess.supports_media_control:
            return False
        self.messages.append({"session": sess.id, "kind": kind, **data})
        return True

    async def _playstate(self, request: web.Request) -> web.Response:
        """``SendPlaystateCommand`` (``SessionController.cs`` L162-L184)."""
        raw = request.match_info["command"]
        command = _enum(raw, PLAYSTATE_COMMANDS)
        if command is None:
            return self._bad_request("command", raw)
        seek: int | None = None
        if "seekPositionTicks" in request.query:
            value = request.query["seekPositionTicks"]
            try:
                seek = int(value)
            except ValueError:
                return self._bad_request("seekPositionTicks", value)
        sess = self._target(request)
        if isinstance(sess, web.Response):
            return sess
        if self._deliver(sess, "Playstate", command=command, seek_ticks=seek):
            self._apply_playstate(sess, command, seek)
        return web.Response(status=204)

    async def _play(self, request: web.Request) -> web.Response:
        """``Play`` (``SessionController.cs`` L119-L151): queue items on a session."""
        raw_command = request.query.get("playCommand", "")
        command = _enum(raw_command, PLAY_COMMANDS) if raw_command else None
        if command is None:
            return self._bad_request("playCommand", raw_command)
        raw_ids = request.query.get("itemIds", "")
        ids = [part.strip() for part in raw_ids.split(",") if part.strip()]
        if not ids or any(_GUID.fullmatch(i) is None for i in ids):
            return self._bad_request("itemIds", raw_ids)
        start = 0
        if "startPositionTicks" in request.query:
            value = request.query["startPositionTicks"]
            try:
                start = int(value)
            except ValueError:
                return self._bad_request("startPositionTicks", value)
        sess = self._target(request)
        if isinstance(sess, web.Response):
            return sess
        items = self._playback_items([i.replace("-", "").lower() for i in ids])
        if command == "PlayShuffle":
            random.Random(len(items)).shuffle(items)
        if self._deliver(sess, "Play", command=command, item_ids=[i.id for i in items]):
            self._apply_play(sess, command, items, start / TICKS)
        return web.Response(status=204)

    async def _command(self, request: web.Request) -> web.Response:
        """``SendGeneralCommand`` (``SessionController.cs`` L219-L238)."""
        raw = request.match_info["command"]
        command = _enum(raw, GENERAL_COMMANDS)
        if command is None:
            return self._bad_request("command", raw)
        sess = self._target(request)
        if isinstance(sess, web.Response):
            return sess
        if self._deliver(sess, "GeneralCommand", command=command, arguments={}):
            self._apply_general(sess, command, {})
        return web.Response(status=204)

    async def _full_command(self, request: web.Request) -> web.Response:
        """``SendFullGeneralCommand`` (``SessionController.cs`` L247-L268): a JSON body."""
        try:
            body = json.loads(await request.text() or "null")
        except ValueError:
            return self._bad_request("command", "body")
        if not isinstance(body, dict):
            return self._bad_request("command", "body")  # [FromBody, Required]
        raw = body.get("Name", body.get("name"))
        command = _enum(str(raw), GENERAL_COMMANDS) if isinstance(raw, str | int) else None
        arguments = body.get("Arguments", body.get("arguments")) or {}
        if (
            command is None
            or not isinstance(arguments, dict)
            or not all(isinstance(v, str) for v in arguments.values())
        ):
            return self._bad_request("command", json.dumps(body)[:60])
        sess = self._target(request)
        if isinstance(sess, web.Response):
            return sess
        if self._deliver(sess, "GeneralCommand", command=command, arguments=arguments):
            self._apply_general(sess, command, arguments)
        return web.Response(status=204)

    # -- what the client does -----------------------------------------------------------------

    def _playback_items(self, ids: list[str]) -> list[SimItem]:
        """``TranslateItemForPlayback``: folders become their files, unknown ids nothing."""
        by_id = {item.id: item for item in self.tree()}
        found: list[SimItem] = []
        for item_id in ids:
            item = by_id.get(item_id)
            if item is None:
                continue
            if item.type in ("Series", "Season", "MusicAlbum", "MusicArtist", "BoxSet") or (
                item.type == "CollectionFolder"
            ):
                files = [
                    i
                    for i in self.descendants(item.id, recursive=True)
                    if i.type in ("Movie", "Episode", "Audio", "MusicVideo")
                ]
                found.extend(sorted(files, key=lambda i: (i.season or 0, i.episode or 0, i.name)))
            else:
                found.append(item)
        return found

    def _start(self, sess: SimSession, index: int, position_s: float = 0.0) -> None:
        """Play the queue's item ``index`` from ``position_s``."""
        sess.queue_index = index
        sess.item_id = sess.queue[index]
        sess.position_s = position_s
        sess.paused = False
        sess.since = sess.last_activity = self.elapsed()

    def _apply_play(
        self, sess: SimSession, command: str, items: list[SimItem], start_s: float
    ) -> None:
        kinds = {"Video": ("Movie", "Episode", "MusicVideo"), "Audio": ("Audio",)}
        allowed = {t for m in sess.playable_media_types for t in kinds.get(m, ())}
        ids = [i.id for i in items if i.type in allowed]
        if not ids:
            return
        if command in ("PlayNext", "PlayLast") and sess.item_id is not None:
            at = sess.queue_index + 1 if command == "PlayNext" else len(sess.queue)
            sess.queue[at:at] = ids
            return
        sess.queue = ids
        self._start(sess, 0, start_s)

    def _apply_playstate(self, sess: SimSession, command: str, seek: int | None) -> None:
        position = self._position(sess)
        if position is None:
            return  # nothing plays: the client ignores playback commands
        if not sess.queue and sess.item_id is not None:
            sess.queue, sess.queue_index = [sess.item_id], 0  # started outside Play
        if command == "Stop":
            sess.item_id = None
            sess.queue = []
            sess.position_s, sess.paused = 0.0, False
        elif command in ("Pause", "Unpause", "PlayPause"):
            paused = not sess.paused if command == "PlayPause" else command == "Pause"
            sess.position_s, sess.paused = position, paused
            sess.since = self.elapsed()
        elif command in ("Seek", "Rewind", "FastForward"):
            if command == "Seek":
                target = (seek or 0) / TICKS
            else:
                target = position + (SKIP_FORWARD_S if command == "FastForward" else -SKIP_BACK_S)
            sess.position_s = max(0.0, target)
            sess.since = self.elapsed()
        elif command == "NextTrack" and sess.queue_index + 1 < len(sess.queue):
            self._start(sess, sess.queue_index + 1)
        elif command == "PreviousTrack":
            self._start(sess, max(0, sess.queue_index - 1))
        sess.last_activity = self.elapsed()

    def _apply_general(self, sess: SimSession, command: str, arguments: dict[str, str]) -> None:
        if command not in sess.supported_commands:
            return  # the client does not do it
        if command == "SetVolume":
            try:
                sess.volume = max(0, min(100, int(arguments.get("Volume", ""))))
            except ValueError:
                return
        elif command in ("VolumeUp", "VolumeDown"):
            step = VOLUME_STEP if command == "VolumeUp" else -VOLUME_STEP
            sess.volume = max(0, min(100, sess.volume + step))
        elif command in ("Mute", "Unmute", "ToggleMute"):
            sess.muted = not sess.muted if command == "ToggleMute" else command == "Mute"
        sess.last_activity = self.elapsed()
