"""A remote per controllable Jellyfin client: navigation commands (``remote.send_command``).

A command is a Jellyfin ``GeneralCommandType`` that takes no argument
(``MoveUp``, ``Select``, ``Back``, ``GoHome``, ``ToggleOsd``…; any case).  All
commands of a call are checked before the first is sent: a name Jellyfin does
not know, or one the client does not list in its ``SupportedCommands``, is a
translated error, as the server would accept it and the client silently
ignore it.  ``num_repeats`` and ``delay_secs`` work as for every remote (core's
``jellyfin`` remote sleeps in a thread; ours awaits).  The remote is on while
the client's session is active.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any, Final, override

from homeassistant.components.remote import (
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
    DEFAULT_DELAY_SECS,
    DEFAULT_NUM_REPEATS,
    RemoteEntity,
    RemoteEntityDescription,
)

from ...api.jellyfin import JellyfinClient, Session
from ...helpers import invalid
from .coordinator import JellyfinCoordinator
from .players import JellyfinClientEntity, setup_players

REMOTE: Final = RemoteEntityDescription(key="remote", translation_key="remote")

NAVIGATION: Final[tuple[str, ...]] = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "PageUp", "PageDown", "PreviousLetter",
    "NextLetter", "Select", "Back", "GoHome", "GoToSettings", "GoToSearch", "ToggleOsd",
    "ToggleOsdMenu", "ToggleContextMenu", "ToggleFullscreen", "ToggleStats",
    "TakeScreenshot", "ChannelUp", "ChannelDown", "Guide", "PlayTrailers", "VolumeUp",
    "VolumeDown", "Mute", "Unmute", "ToggleMute",
)  # fmt: skip
"""The argument-less ``GeneralCommandType`` names a remote sends."""

_BY_LOWER: Final = {name.lower(): name for name in NAVIGATION}


async def _send(name: str, client: JellyfinClient, session_id: str) -> None:
    """Send the command ``name`` to ``session_id``."""
    await client.async_command(session_id, name)


def _create(coordinator: JellyfinCoordinator, session: Session) -> JellyfinRemote:
    return JellyfinRemote(coordinator, REMOTE, session)


async_setup_entities = setup_players(_create)


class JellyfinRemote(JellyfinClientEntity, RemoteEntity):
    """Navigation commands to one Jellyfin client."""

    @property
    @override
    def is_on(self) -> bool:
        """On while the client's session is active."""
        session = self.session
        return session is not None and session.is_active

    @override
    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        """Send each command, ``num_repeats`` times, ``delay_secs`` apart."""
        session = self.live_session()
        names = [self._checked(session, name) for name in command]
        repeats = int(kwargs.get(ATTR_NUM_REPEATS, DEFAULT_NUM_REPEATS))
        delay = float(kwargs.get(ATTR_DELAY_SECS, DEFAULT_DELAY_SECS))
        first = True
        for _ in range(repeats):
            for name in names:
                if not first and delay > 0:
                    await asyncio.sleep(delay)
                first = False
                await self.async_send(partial(_send, name))

    @staticmethod
    def _checked(session: Session, raw: str) -> str:
        """The Jellyfin name of ``raw``; a translated error if unknown or unsupported."""
        name = _BY_LOWER.get(raw.strip().lower())
        if name is None:
            raise invalid(
                "jellyfin_unknown_command", command=raw[:60], commands=", ".join(NAVIGATION)
            )
        if name not in session.supported_commands:
            raise invalid(
                "jellyfin_command_unsupported",
                command=name,
                client=session.device_name or session.client or "?",
            )
        return name
