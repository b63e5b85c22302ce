"""Jellyfin's WebSocket, ``/socket``, as the Jellyfin simulator serves it.

Checked against jellyfin/jellyfin v10.11.11 (v10.9.11 and v12.0-rc5 differ
where said):

* **Upgrade.**  ``WebSocketHandlerMiddleware`` hands every WebSocket request
  to ``WebSocketManager.WebSocketRequestHandler`` (``Emby.Server.Implementations/
  HttpServer/WebSocketManager.cs`` L37-L81), which authenticates it like any
  request (``AuthService.Authenticate``: the Authorization header, ``ApiKey``,
  and the legacy ways while they are on).  No or an unknown token throws
  ``SecurityException``, which ``ExceptionMiddleware`` answers with **403**
  and the text "Error processing request." (``ExceptionMiddleware.cs``
  L92-L99, L129).  A plain GET of ``/socket`` is no WebSocket request and
  passes on (404: there is no such route).
* **Our session.**  ``SessionWebSocketListener.ProcessWebSocketConnectedAsync``
  (``Emby.Server.Implementations/Session/SessionWebSocketListener.cs`` L114-L119)
  logs a session for the connection (``RequestHelpers.GetSession``: client,
  device and device id from the Authorization header; for an API key the
  client is the key's name and there is no user, ``AuthorizationContext.cs``
  L195-L216) and ends it when the socket closes
  (``WebSocketController.OnConnectionClosed`` → ``CloseIfNeededAsync``).
* **Keep-alive** (same file, L153-L266): ``ForceKeepAlive`` with ``Data`` =
  60 (``WebSocketLostTimeout``; ``lost_timeout`` here) at once; every
  ``0.2 * timeout`` a watchdog sends ``ForceKeepAlive`` again to sockets
  silent for over ``0.75 * timeout`` and drops those silent for the whole
  timeout (12.0 also closes them, L246-L264).  A ``KeepAlive`` frame is
  answered with ``KeepAlive`` (``WebSocketConnection.cs`` L196-L199, L227-L233).
* **Subscriptions** (``MediaBrowser.Controller/Net/
  BasePeriodicWebSocketListener.cs`` L98-L236): ``<Kind>Start`` with
  ``Data`` "due,period" (ms) subscribes, ``<Kind>Stop`` ends it; nothing is
  sent at once.  Each event sends to every subscribed socket when forced, or
  when ``period`` has passed since its last frame (else that event sends
  nothing).  ``SessionInfoWebSocketListener.cs`` (``Jellyfin.Api/
  WebSocketListeners/``): ``Sessions`` forced on session start and end,
  playback start and stop; progress and activity unforced; every session
  (no activity window).  ``ScheduledTasksWebSocketListener.cs``:
  ``ScheduledTasksInfo`` forced when a task starts and ends, unforced on its
  progress.  Here the clock of "period" is the simulator's (``advance``).
* **Library changes** (``Emby.Server.Implementations/EntryPoints/
  LibraryChangedNotifier.cs`` L176-L294): added, updated and removed items
  are collected until ``LibraryUpdateDuration`` (30 s,
  ``ServerConfiguration.cs`` L178) passes without another change, then
  ``LibraryChanged`` goes to the sessions **of users** only
  (``SendChangeNotifications`` skips sessions without a user): a socket
  opened with an API key never gets it; one opened with a user's access
  token (``token_user``) does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
from dataclasses import dataclass, field
import json
import time
from typing import Any
import uuid

from aiohttp import WSMsgType, web

SOCKET_LOST_TIMEOUT = 60.0
"""``SessionWebSocketListener.WebSocketLostTimeout`` (seconds)."""

LIBRARY_UPDATE_SECONDS = 30.0
"""``ServerConfiguration.LibraryUpdateDuration`` by default (seconds)."""

STREAMS = {
    "SessionsStart": "Sessions",
    "SessionsStop": "Sessions",
    "ScheduledTasksInfoStart": "ScheduledTasksInfo",
    "ScheduledTasksInfoStop": "ScheduledTasksInfo",
}
"""Subscription frames and the stream each starts or stops."""


@dataclass(slots=True, eq=False)
class SimSocket:
    """One open socket: its frames to send, subscriptions and keep-alive time."""

    ws: web.WebSocketResponse
    session_id: str
    user: str | None
    outbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    periods: dict[str, float] = field(default_factory=dict)
    """Subscribed stream → its period in seconds."""
    last_sent: dict[str, float] = field(default_factory=dict)
    """Stream → when (simulator clock) its last frame was sent."""
    last_keep_alive: float = field(default_factory=time.monotonic)
    keep_alives: int = 0
    """``KeepAlive`` frames received."""
    frames: list[dict[str, Any]] = field(default_factory=list)
    """Every frame received (for tests to check what a client sent)."""


def frame(kind: str, data: Any = None) -> str:
    """An outbound frame as ``OutboundWebSocketMessage`` serialises (``MessageId`` a GUID)."""
    body: dict[str, Any] = {"MessageType": kind}
    if data is not None:
        body["Data"] = data
    body["MessageId"] = str(uuid.uuid4())
    return json.dumps(body)


class SocketHub:
    """The sockets of one simulator and what they are sent."""

    def __init__(self, clock: Callable[[], float], *, lost_timeout: float, close_lost: bool):
        """``clock`` is the simulator's; ``close_lost`` is 12.0's closing of lost sockets."""
        self._clock = clock
        self.lost_timeout = lost_timeout
        self.close_lost = close_lost
        self.sockets: list[SimSocket] = []
        self._pending_changes: dict[str, list[str]] = {}
        self._changed_at: float | None = None

    # -- what the server pushes ---------------------------------------------------------

    def push(self, stream: str, data: Callable[[], Any], *, force: bool) -> None:
        """Send ``stream`` to its subscribers, as ``BasePeriodicWebSocketListener.SendData``."""
        now = self._clock()
        body: str | None = None
        for sock in self.sockets:
            period = sock.periods.get(stream)
            if period is None or sock.ws.closed:
                continue
            last = sock.last_sent.get(stream)
            if not force and last is not None and now - last < period:
                continue
            if body is None:
                body = frame(stream, data())
            sock.last_sent[stream] = now
            sock.outbox.put_nowait(body)

    def library_changed(self, *, added: Sequence[str] = (), removed: Sequence[str] = ()) -> None:
        """Collect changed items; ``flush_library`` sends them once the changes settle."""
        if not added and not removed:
            return
        self._pending_changes.setdefault("ItemsAdded", []).extend(added)
        self._pending_changes.setdefault("ItemsRemoved", []).extend(removed)
        self._changed_at = self._clock()  # the timer restarts with every change

    def flush_library(self, update_seconds: float) -> None:
        """Send ``LibraryChanged`` to users' sockets once ``update_seconds`` passed quietly."""
        if self._changed_at is None or self._clock() - self._changed_at < update_seconds:
            return
        changes, self._pending_changes, self._changed_at = self._pending_changes, {}, None
        info = {
            "FoldersAddedTo": [],
            "FoldersRemovedFrom": [],
            "ItemsAdded": sorted(set(changes.get("ItemsAdded", []))),
            "ItemsRemoved": sorted(set(changes.get("ItemsRemoved", []))),
            "ItemsUpdated": [],
            "CollectionFolders": [],
            "IsEmpty": False,
        }
        body = frame("LibraryChanged", info)
        for sock in self.sockets:
            if sock.user is not None and not sock.ws.closed:
                sock.outbox.put_nowait(body)

    def drop_all(self) -> None:
        """Close every socket (the server went away)."""
        for sock in self.sockets:
            sock.outbox.put_nowait(None)

    # -- one connection -----------------------------------------------------------------

    async def serve(self, request: web.Request, sock: SimSocket) -> None:
        """Run ``sock``: greet, answer keep-alives and subscriptions, send what is pushed."""
        self.sockets.append(sock)
        sender = asyncio.ensure_future(self._send_loop(sock))
        watchdog = asyncio.ensure_future(self._watchdog(sock))
        try:
            await sock.ws.send_str(frame("ForceKeepAlive", int(self.lost_timeout)))
            async for msg in sock.ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                self._receive(sock, msg.data)
        finally:
            self.sockets.remove(sock)
            sender.cancel()
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    def _receive(self, sock: SimSocket, text: str) -> None:
        """Handle one inbound frame (``WebSocketConnection.ProcessInternal``)."""
        try:
            message = json.loads(text)
        except ValueError:
            return  # logged and dropped by Jellyfin
        if not isinstance(message, dict):
            return
        sock.frames.append(message)
        kind = message.get("MessageType")
        if kind == "KeepAlive":
            sock.last_keep_alive = time.monotonic()
            sock.keep_alives += 1
            sock.outbox.put_nowait(frame("KeepAlive"))
            return
        stream = STREAMS.get(str(kind))
        if stream is None:
            return
        if str(kind).endswith("Stop"):
            sock.periods.pop(stream, None)
            return
        try:
            _, period_ms = (int(v) for v in str(message.get("Data")).split(","))
        except ValueError:
            return  # long.Parse throws; "Failed to process WebSocket message"
        sock.periods[stream] = period_ms / 1000

    @staticmethod
    async def _send_loop(sock: SimSocket) -> None:
        """Send queued frames in order; ``None`` closes the socket."""
        while (body := await sock.outbox.get()) is not None:
            if sock.ws.closed:
                return
            await sock.ws.send_str(body)
        await sock.ws.close()

    async def _watchdog(self, sock: SimSocket) -> None:
        """``KeepAliveSockets``: remind a quiet socket, give up on a silent one."""
        while True:
            await asyncio.sleep(self.lost_timeout * 0.2)
            quiet = time.monotonic() - sock.last_keep_alive
            if quiet >= self.lost_timeout:
                if self.close_lost:
                    sock.outbox.put_nowait(None)
                return  # no longer watched (10.x keeps the socket open)
            if quiet > self.lost_timeout * 0.75:
                sock.outbox.put_nowait(frame("ForceKeepAlive", int(self.lost_timeout)))
