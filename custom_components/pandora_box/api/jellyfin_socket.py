"""Jellyfin's WebSocket (``/socket``): sessions, scheduled tasks and library changes pushed.

What it does: on a socket opened by ``JellyfinClient.async_open_socket`` it
subscribes to the sessions and the scheduled tasks, keeps the connection
alive and turns what the server pushes into typed messages.  No Home
Assistant import; the session is the client's (Home Assistant's, injected).

The protocol, as Jellyfin's source has it (jellyfin/jellyfin v10.9.11,
v10.10.7, v10.11.11 and v12.0-rc5 agree on all of it):

* **Frames** are JSON text messages ``{"MessageType": …, "Data": …,
  "MessageId": …}`` with ``MessageType`` a name of ``SessionMessageType``
  (``MediaBrowser.Model/Session/SessionMessageType.cs``).  Inbound frames are
  read as ``InboundWebSocketMessage<object>``; ``Data`` reaches a listener as
  a string (``WebSocketConnection.ProcessInternal``).
* **Keep-alive.**  On connect ``SessionWebSocketListener.KeepAliveWebSocket``
  sends ``ForceKeepAlive`` with ``Data`` = 60, the seconds after which a
  socket without a ``KeepAlive`` from its client counts as lost
  (``WebSocketLostTimeout``); it sends ``ForceKeepAlive`` again to a socket
  silent for 45 s.  A client ``KeepAlive`` is answered with a ``KeepAlive``
  (``WebSocketConnection.SendKeepAliveResponse``).  We send one every half of
  that timeout, as Jellyfin's web client does, and count the socket lost
  when the server has sent nothing for a whole timeout (it answers every
  ``KeepAlive``, so a live server never stays silent that long).  12.0
  closes a lost socket (``SessionWebSocketListener.KeepAliveSockets``).
* **Subscriptions.**  ``SessionsStart`` and ``ScheduledTasksInfoStart`` with
  ``Data`` = ``"<initial delay ms>,<interval ms>"``
  (``BasePeriodicWebSocketListener.Start``).  Nothing is sent at once: a
  ``Sessions`` frame (every session's ``SessionInfoDto``, the ``/Sessions``
  shape, whatever its last activity) follows each session event, forced for
  start, end, playback start and stop and capabilities, at most once per
  interval for progress and activity (``SessionInfoWebSocketListener``); a
  ``ScheduledTasksInfo`` frame (every visible ``TaskInfo``, the
  ``/ScheduledTasks`` shape) follows a task starting or ending, and its
  progress at most once per interval (``ScheduledTasksWebSocketListener``).
  Since 10.10 any authenticated token may subscribe to sessions (10.9: API
  keys and administrators only); a refused subscription sends nothing.
* **Library changes.**  ``LibraryChanged`` (``LibraryUpdateInfo``:
  ``ItemsAdded``, ``ItemsRemoved``, ``ItemsUpdated``, ``FoldersAddedTo``,
  ``FoldersRemovedFrom``, ``CollectionFolders``) goes to the sessions of users
  only (``LibraryChangedNotifier.SendChangeNotifications`` skips sessions
  without a user), so an API key's socket never receives it; a user's access
  token's does.  The end of the ``RefreshLibrary`` task in
  ``ScheduledTasksInfo`` is the other sign that the library changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
import json
import time
from typing import Any, Final

import aiohttp

from ._http import as_dict, as_list
from .errors import CannotConnectError
from .jellyfin import JellyfinClient, ScheduledTask, Session, library_scan_task

DEFAULT_LOST_TIMEOUT: Final = 60.0
"""Seconds of silence after which a socket counts as lost, until the server says otherwise."""

SESSIONS_INTERVAL_MS: Final = 10_000
"""Most often the server sends session progress (start, stop and pause come at once)."""

TASKS_INTERVAL_MS: Final = 2_000
"""Most often the server sends task progress (a task starting or ending comes at once)."""


@dataclass(frozen=True, slots=True)
class SessionsPushed:
    """The server's sessions, as ``Sessions`` carried them (ours left out)."""

    sessions: tuple[Session, ...]


@dataclass(frozen=True, slots=True)
class TasksPushed:
    """The server's scheduled tasks, as ``ScheduledTasksInfo`` carried them."""

    tasks: tuple[ScheduledTask, ...]

    @property
    def scan(self) -> ScheduledTask | None:
        """The library scan task among them, if there."""
        return library_scan_task(self.tasks)


@dataclass(frozen=True, slots=True)
class LibraryChanged:
    """Items were added, removed or updated (``LibraryChanged``): how many of each."""

    added: int
    removed: int
    updated: int


type PushMessage = SessionsPushed | TasksPushed | LibraryChanged


def _start(kind: str, interval_ms: int) -> str:
    """A subscription frame: send at once (0 ms), then at most every ``interval_ms``."""
    return json.dumps({"MessageType": kind, "Data": f"0,{interval_ms}"})


KEEP_ALIVE: Final = json.dumps({"MessageType": "KeepAlive"})


class JellyfinSocket:
    """One open ``/socket`` of a Jellyfin server; iterate ``messages()`` until it ends."""

    def __init__(
        self,
        client: JellyfinClient,
        ws: aiohttp.ClientWebSocketResponse,
        *,
        sessions_interval_ms: int = SESSIONS_INTERVAL_MS,
        tasks_interval_ms: int = TASKS_INTERVAL_MS,
    ) -> None:
        """Wrap ``ws``, opened by ``client.async_open_socket()``; nothing is sent yet."""
        self._client = client
        self._ws = ws
        self._sessions_interval_ms = sessions_interval_ms
        self._tasks_interval_ms = tasks_interval_ms
        self.lost_timeout = DEFAULT_LOST_TIMEOUT
        """Seconds of silence that make the socket lost (the server's ``ForceKeepAlive``)."""

    @classmethod
    async def async_open(cls, client: JellyfinClient, **kwargs: int) -> JellyfinSocket:
        """Open the socket of ``client``'s server and subscribe to sessions and tasks."""
        socket = cls(client, await client.async_open_socket(), **kwargs)
        try:
            await socket._send(_start("SessionsStart", socket._sessions_interval_ms))
            await socket._send(_start("ScheduledTasksInfoStart", socket._tasks_interval_ms))
        except BaseException:
            await socket.async_close()
            raise
        return socket

    @property
    def closed(self) -> bool:
        """Whether the socket is closed."""
        return self._ws.closed

    async def async_close(self) -> None:
        """Close the socket (a no-op when it is closed already)."""
        await self._ws.close()

    async def _send(self, frame: str) -> None:
        """Send one text frame; a socket that broke is ``CannotConnectError``."""
        try:
            await self._ws.send_str(frame)
        except (aiohttp.ClientError, ConnectionError, RuntimeError) as err:
            raise self._lost(f"broke off ({type(err).__name__})") from err

    def _lost(self, how: str) -> CannotConnectError:
        """The error of a socket that ended: ``how`` says how, never with a secret."""
        return CannotConnectError(f"The WebSocket of Jellyfin at {self._client.origin} {how}")

    async def messages(self) -> AsyncIterator[PushMessage]:
        """Yield what the server pushes until the socket ends, then raise ``CannotConnectError``.

        Keep-alives are sent and answered in here.  Frames of other types
        (``UserDataChanged``, ``RefreshProgress``…) are skipped, as is a frame
        that is not JSON; one whose ``Data`` has the wrong shape is a
        ``ResponseError`` (the server is not speaking Jellyfin's protocol).
        """
        now = time.monotonic()
        heard = now
        keep_alive_due: float | None = None
        while True:
            deadline = heard + self.lost_timeout
            wake = deadline if keep_alive_due is None else min(deadline, keep_alive_due)
            try:
                msg = await self._ws.receive(timeout=max(0.0, wake - time.monotonic()))
            except TimeoutError:
                now = time.monotonic()
                if now >= deadline:
                    await self.async_close()
                    raise self._lost(f"was silent for {self.lost_timeout:g} s") from None
                await self._send(KEEP_ALIVE)
                keep_alive_due = now + self.lost_timeout / 2
                continue
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING):
                await self.async_close()
                raise self._lost("was closed by the server")
            if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise self._lost("broke off")
            heard = time.monotonic()
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                continue
            if not isinstance(frame, dict):
                continue
            kind = frame.get("MessageType")
            data = frame.get("Data")
            if kind == "ForceKeepAlive":
                timeout = data if isinstance(data, int | float) and data > 0 else None
                self.lost_timeout = float(timeout or DEFAULT_LOST_TIMEOUT)
                await self._send(KEEP_ALIVE)
                keep_alive_due = time.monotonic() + self.lost_timeout / 2
            elif kind == "Sessions":
                yield SessionsPushed(tuple(self._client.parse_sessions(data)))
            elif kind == "ScheduledTasksInfo":
                yield TasksPushed(tuple(self._client.parse_tasks(data)))
            elif kind == "LibraryChanged":
                yield self._library_changed(data)

    def _library_changed(self, data: Any) -> LibraryChanged:
        """Parse ``LibraryUpdateInfo``: how many items were added, removed, updated."""
        info = as_dict(data, self._client, "a library change")

        def count(key: str) -> int:
            ids: Sequence[Any] = as_list(info.get(key, []), self._client, "a library change")
            return len(ids)

        return LibraryChanged(
            added=count("ItemsAdded"), removed=count("ItemsRemoved"), updated=count("ItemsUpdated")
        )
