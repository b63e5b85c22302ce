"""Push from Jellyfin's WebSocket into the coordinator, with polling as the fallback.

One task per entry (``entry.async_create_background_task``, so unloading the
entry ends it and closes the socket) keeps ``/socket`` open
(``api/jellyfin_socket.py``).  While it is connected, ``Sessions`` and
``ScheduledTasksInfo`` replace the sessions and the scan in the
coordinator's data at once, and ``LibraryChanged`` or the end of the
library scan has the coordinator read the library again; the coordinator
polls only every ``library_max_age``.  When the socket cannot be opened or
is lost, the coordinator polls as before (every 30 s) and the task tries
again after 5 s, doubling up to 5 min; the loss is logged once, and once
when the socket is back.  A refused key on the socket changes nothing here:
the next poll's 401 starts reauthentication.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Final, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ...api.errors import PandoraError
from ...api.jellyfin import JellyfinClient, ScheduledTask, Session
from ...api.jellyfin_socket import JellyfinSocket, LibraryChanged, SessionsPushed, TasksPushed
from ...const import LOGGER
from ...coordinator import PandoraConfigEntry


class PushTarget(Protocol):
    """What the push needs of the coordinator (``coordinator.py``, which starts it)."""

    config_entry: PandoraConfigEntry
    pushed: bool

    @property
    def interval(self) -> timedelta:
        """How often it polls without push."""

    def set_pushed(self, pushed: bool) -> None:
        """Note that the push connected or was lost."""

    async def async_request_refresh(self) -> None:
        """Poll soon."""

    async def async_push_sessions(self, sessions: tuple[Session, ...]) -> None:
        """Take pushed sessions."""

    async def async_push_scan(self, scan: ScheduledTask | None) -> None:
        """Take a pushed scan task."""

    async def async_library_changed(self) -> None:
        """Read the library again."""


FIRST_RETRY: Final = timedelta(seconds=5)
"""Wait before the first new attempt after the socket was lost."""

MAX_RETRY: Final = timedelta(minutes=5)
"""Longest wait between attempts (the wait doubles from ``FIRST_RETRY``)."""

TASK_NAME: Final = "pandora_box jellyfin push"
"""Name prefix of the push tasks (``<prefix> <entry id>``)."""


class JellyfinPush:
    """Keeps one entry's socket open and hands what it pushes to the coordinator."""

    def __init__(
        self, hass: HomeAssistant, coordinator: PushTarget, client: JellyfinClient
    ) -> None:
        """Nothing is opened until ``async_run``."""
        self._hass = hass
        self._coordinator = coordinator
        self._client = client
        self._title = coordinator.config_entry.title
        self._logged_lost = False

    async def async_run(self) -> None:
        """Connect, listen, fall back and reconnect until cancelled (the entry unloads)."""
        retry = FIRST_RETRY
        first = True
        while True:
            try:
                socket = await JellyfinSocket.async_open(self._client)
            except PandoraError as err:
                self._lost(err)
            else:
                retry = FIRST_RETRY
                try:
                    await self._listen(socket, catch_up=not first)
                except PandoraError as err:
                    self._lost(err)
                finally:
                    await socket.async_close()
            first = False
            await self._sleep(retry)
            retry = min(retry * 2, MAX_RETRY)

    async def _listen(self, socket: JellyfinSocket, *, catch_up: bool) -> None:
        """Hand every pushed message to the coordinator until the socket ends.

        Nothing is pushed before the next event, so after a loss
        (``catch_up``) everything is read once; the first connection comes
        with the entry's first poll.
        """
        coordinator = self._coordinator
        coordinator.set_pushed(True)
        if self._logged_lost:
            self._logged_lost = False
            LOGGER.info("%s: the WebSocket is back; sessions and scans are pushed", self._title)
        if catch_up:
            await coordinator.async_request_refresh()
        async for message in socket.messages():
            if isinstance(message, SessionsPushed):
                await coordinator.async_push_sessions(message.sessions)
            elif isinstance(message, TasksPushed):
                await coordinator.async_push_scan(message.scan)
            elif isinstance(message, LibraryChanged):
                await coordinator.async_library_changed()

    def _lost(self, err: PandoraError) -> None:
        """Poll again, and say so once until the socket is back."""
        coordinator = self._coordinator
        was_pushed = coordinator.pushed
        coordinator.set_pushed(False)
        if was_pushed:
            # polls were rare: read now and go on every 30 s
            self._hass.async_create_task(coordinator.async_request_refresh(), eager_start=False)
        if not self._logged_lost:
            self._logged_lost = True
            LOGGER.warning(
                "%s: no WebSocket (%s); polling every %d s and trying again",
                self._title,
                err.message,
                coordinator.interval.total_seconds(),
            )

    async def _sleep(self, delay: timedelta) -> None:
        """Wait ``delay`` on Home Assistant's clock (tests move it)."""
        done = asyncio.Event()

        @callback
        def wake(_now: object) -> None:
            done.set()

        cancel = async_call_later(self._hass, delay, wake)
        try:
            await done.wait()
        finally:
            cancel()


@callback
def async_start_push(hass: HomeAssistant, coordinator: PushTarget) -> None:
    """Start the push task of ``coordinator``'s entry (ended when the entry unloads)."""
    entry = coordinator.config_entry
    client = entry.runtime_data.client
    if not isinstance(client, JellyfinClient):  # pragma: no cover - the kind is Jellyfin
        raise TypeError("not a Jellyfin entry")
    push = JellyfinPush(hass, coordinator, client)
    entry.async_create_background_task(
        hass, push.async_run(), f"{TASK_NAME} {entry.entry_id}", eager_start=False
    )
