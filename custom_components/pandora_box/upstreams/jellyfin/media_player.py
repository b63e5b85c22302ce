"""A media player per Jellyfin client that Home Assistant can control.

State, title, series/season/episode (or artist/album/track), position and
duration come from the client's session; ``media_position_updated_at`` is
when the client last reported its position (``LastPlaybackCheckIn``, never
later than now).  Artwork goes through Home Assistant's media-player image
proxy: ``entity_picture`` is ``/api/media_player_proxy/…`` and the image is
read from Jellyfin by our client (its TLS setting included), so a browser
never needs a route to Jellyfin nor sees its address or key.

Features follow what the client says it can do: playback control (pause,
play, stop, seek, next/previous) for every controllable client, volume and
mute where ``SupportedCommands`` lists ``SetVolume``/``VolumeUp``…/``Mute``,
and playing, queueing (``PlayNext``/``PlayLast``), browsing and searching the
library where ``PlayableMediaTypes`` is not empty.  Browse and search show the
entry's library (``library.py``) with the same ids as the media source; items
the client cannot play (audio on a video-only client) are shown but not
playable.  ``play_media`` takes those ids (or a bare Jellyfin item id): the
client plays the item from its server, so no stream URL is involved.
"""

from __future__ import annotations

from datetime import datetime
import hashlib
from typing import Any, Final, override

from homeassistant.components.media_player import (
    ATTR_MEDIA_ENQUEUE,
    BrowseMedia,
    MediaPlayerEnqueue,
    MediaPlayerEntity,
    MediaPlayerEntityDescription,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ...api.errors import PandoraError
from ...api.jellyfin import JellyfinClient, LibraryItem, Session
from ...coordinator import entry_client
from ...helpers import invalid, upstream_errors
from ...media.browse import media_error, media_id, parse_media_id
from .coordinator import JellyfinCoordinator
from .library import _ID, LIBRARY, MAX_IMAGE_WIDTH
from .players import JellyfinClientEntity, setup_players

PLAYER: Final = MediaPlayerEntityDescription(key="player", translation_key="client")

CONTENT_TYPES: Final[dict[str, MediaType]] = {
    "Movie": MediaType.MOVIE,
    "Episode": MediaType.TVSHOW,
    "Audio": MediaType.MUSIC,
    "MusicVideo": MediaType.VIDEO,
    "Video": MediaType.VIDEO,
}

PLAY_COMMANDS: Final[dict[MediaPlayerEnqueue, str]] = {
    MediaPlayerEnqueue.PLAY: "PlayNow",
    MediaPlayerEnqueue.REPLACE: "PlayNow",
    MediaPlayerEnqueue.NEXT: "PlayNext",
    MediaPlayerEnqueue.ADD: "PlayLast",
}
"""Jellyfin's ``PlayCommand`` for each way of enqueueing."""

PLAYBACK: Final = (
    MediaPlayerEntityFeature.PAUSE
    | MediaPlayerEntityFeature.PLAY
    | MediaPlayerEntityFeature.STOP
    | MediaPlayerEntityFeature.SEEK
    | MediaPlayerEntityFeature.NEXT_TRACK
    | MediaPlayerEntityFeature.PREVIOUS_TRACK
)
LIBRARY_FEATURES: Final = (
    MediaPlayerEntityFeature.PLAY_MEDIA
    | MediaPlayerEntityFeature.MEDIA_ENQUEUE
    | MediaPlayerEntityFeature.BROWSE_MEDIA
    | MediaPlayerEntityFeature.SEARCH_MEDIA
)
MIME_OF_MEDIA_TYPE: Final = {"Video": "video/", "Audio": "audio/"}


def supported_features(session: Session) -> MediaPlayerEntityFeature:
    """What a client's session can be asked to do."""
    commands = set(session.supported_commands)
    features = PLAYBACK
    if session.playable_media_types:
        features |= LIBRARY_FEATURES
    if "SetVolume" in commands:
        features |= MediaPlayerEntityFeature.VOLUME_SET
    if {"VolumeUp", "VolumeDown"} <= commands:
        features |= MediaPlayerEntityFeature.VOLUME_STEP
    if {"Mute", "Unmute"} <= commands or "ToggleMute" in commands:
        features |= MediaPlayerEntityFeature.VOLUME_MUTE
    return features


def playable_by(session: Session, node: BrowseMedia) -> BrowseMedia:
    """``node`` with its children playable only where the client plays their media type."""
    prefixes = tuple(MIME_OF_MEDIA_TYPE.get(t, "-") for t in session.playable_media_types)

    def mark(child: BrowseMedia) -> BrowseMedia:
        if child.can_play and not child.media_content_type.startswith(prefixes):
            child.can_play = False
        return child

    if node.children:
        node.children = [mark(child) for child in node.children]
    return mark(node)


def _create(coordinator: JellyfinCoordinator, session: Session) -> JellyfinMediaPlayer:
    return JellyfinMediaPlayer(coordinator, PLAYER, session)


async_setup_entities = setup_players(_create)


class JellyfinMediaPlayer(JellyfinClientEntity, MediaPlayerEntity):
    """One Jellyfin client as a media player."""

    _attr_media_image_remotely_accessible = False
    _attr_name = None  # the client's device is the player: its name is the device's

    def __init__(
        self,
        coordinator: JellyfinCoordinator,
        description: MediaPlayerEntityDescription,
        session: Session,
    ) -> None:
        """Read the session the entity starts with."""
        super().__init__(coordinator, description, session)
        self._read(session)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Read the client's session anew."""
        if (session := self.session) is not None:
            self._read(session)
        super()._handle_coordinator_update()

    def _read(self, session: Session) -> None:
        """Set the attributes from ``session``."""
        item = session.now_playing
        self._attr_supported_features = supported_features(session)
        self._attr_app_name = session.client
        self._attr_is_volume_muted = session.is_muted
        if session.volume_level is not None:  # idle clients report none: keep the last
            self._attr_volume_level = session.volume_level / 100
        if item is None:
            self._attr_state = MediaPlayerState.IDLE
            self._clear_media()
            return
        self._attr_state = MediaPlayerState.PAUSED if item.paused else MediaPlayerState.PLAYING
        entry_id = self.coordinator.config_entry.entry_id
        self._attr_media_content_id = media_id(entry_id, item.item_id) if item.item_id else None
        self._attr_media_content_type = CONTENT_TYPES.get(item.type or "", MediaType.VIDEO)
        self._attr_media_title = item.name
        is_episode = item.type == "Episode"
        is_song = item.type == "Audio"
        self._attr_media_series_title = item.series_name if is_episode else None
        self._attr_media_season = str(item.season) if is_episode and item.season else None
        self._attr_media_episode = str(item.episode) if is_episode and item.episode else None
        self._attr_media_artist = item.artist if is_song else None
        self._attr_media_album_name = item.album if is_song else None
        self._attr_media_album_artist = item.album_artist if is_song else None
        self._attr_media_track = item.episode if is_song else None
        self._attr_media_duration = None if item.runtime_s is None else int(item.runtime_s)
        self._attr_media_position = None if item.position_s is None else int(item.position_s)
        self._attr_media_position_updated_at = _reported_at(session.last_playback_check_in)
        self._attr_media_image_hash = (
            None
            if item.image_id is None or item.image_tag is None
            else hashlib.sha256(f"{item.image_id}/{item.image_tag}".encode()).hexdigest()[:16]
        )

    def _clear_media(self) -> None:
        for name in (
            "media_content_id", "media_content_type", "media_title", "media_series_title",
            "media_season", "media_episode", "media_artist", "media_album_name",
            "media_album_artist", "media_track", "media_duration", "media_position",
            "media_position_updated_at", "media_image_hash",
        ):  # fmt: skip
            setattr(self, f"_attr_{name}", None)

    @override
    async def async_get_media_image(self) -> tuple[bytes | None, str | None]:
        """The artwork of what plays, read from Jellyfin (for the image proxy)."""
        session = self.session
        item = session.now_playing if session is not None else None
        if item is None or item.image_id is None:
            return None, None
        client = entry_client(self.coordinator.config_entry, JellyfinClient)
        try:
            image = await client.async_image(
                item.image_id, tag=item.image_tag, max_width=MAX_IMAGE_WIDTH
            )
        except PandoraError:
            return None, None
        return image.content, image.content_type

    # -- playback ---------------------------------------------------------------------------

    async def _playstate(self, command: str, *, seek_ticks: int | None = None) -> None:
        await self.async_send(
            lambda client, session_id: client.async_playstate(
                session_id, command, seek_ticks=seek_ticks
            )
        )

    @override
    async def async_media_play(self) -> None:
        """Resume."""
        await self._playstate("Unpause")

    @override
    async def async_media_pause(self) -> None:
        """Pause."""
        await self._playstate("Pause")

    @override
    async def async_media_play_pause(self) -> None:
        """Toggle between playing and paused (one command, no race with the client)."""
        await self._playstate("PlayPause")

    @override
    async def async_media_stop(self) -> None:
        """Stop."""
        await self._playstate("Stop")

    @override
    async def async_media_next_track(self) -> None:
        """Play the next item of the client's queue."""
        await self._playstate("NextTrack")

    @override
    async def async_media_previous_track(self) -> None:
        """Play the previous item of the client's queue."""
        await self._playstate("PreviousTrack")

    @override
    async def async_media_seek(self, position: float) -> None:
        """Jump to ``position`` seconds."""
        await self._playstate("Seek", seek_ticks=int(position * 10_000_000))

    # -- volume -----------------------------------------------------------------------------

    async def _command(self, command: str, arguments: dict[str, str] | None = None) -> None:
        await self.async_send(
            lambda client, session_id: client.async_command(session_id, command, arguments)
        )

    @override
    async def async_set_volume_level(self, volume: float) -> None:
        """Set the client's volume (0 to 1)."""
        await self._command("SetVolume", {"Volume": str(round(max(0.0, min(1.0, volume)) * 100))})

    @override
    async def async_volume_up(self) -> None:
        """One step up, as the client steps."""
        await self._command("VolumeUp")

    @override
    async def async_volume_down(self) -> None:
        """One step down, as the client steps."""
        await self._command("VolumeDown")

    @override
    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute."""
        commands = self.session.supported_commands if self.session else ()
        if "Mute" in commands and "Unmute" in commands:
            await self._command("Mute" if mute else "Unmute")
        elif mute != bool(self.is_volume_muted):
            await self._command("ToggleMute")

    # -- the library ------------------------------------------------------------------------

    @override
    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play (or queue) a library item on the client; it streams it from its server."""
        session = self.live_session()
        entry = self.coordinator.config_entry
        item_id = self._item_id(media_id)
        client = entry_client(entry, JellyfinClient)
        async with upstream_errors(self.hass, entry):
            item = await client.async_get_item(item_id)
        if item is None:
            raise invalid("media_item_not_found", item=item_id[:80])
        if not _plays(session, item):
            raise invalid(
                "jellyfin_client_cannot_play",
                item=item.name,
                client=session.device_name or session.client or "?",
            )
        enqueue = kwargs.get(ATTR_MEDIA_ENQUEUE) or MediaPlayerEnqueue.PLAY
        command = PLAY_COMMANDS[MediaPlayerEnqueue(enqueue)]
        await self.async_send(
            lambda c, session_id: c.async_play(session_id, [item.id], command=command)
        )

    def _item_id(self, value: str) -> str:
        """The Jellyfin item id of a media id of this entry (or a bare item id)."""
        entry = self.coordinator.config_entry
        parsed = parse_media_id(value)
        if parsed is not None and parsed[0] == entry.entry_id and _ID.fullmatch(parsed[1]):
            return parsed[1]
        if parsed is None and _ID.fullmatch(value):
            return value
        raise invalid("jellyfin_not_a_library_item", item=value[:120], title=entry.title)

    @override
    async def async_browse_media(
        self,
        media_content_type: MediaType | str | None = None,
        media_content_id: str | None = None,
    ) -> BrowseMedia:
        """The entry's library, as the media source shows it, for this client."""
        session = self.live_session()
        entry = self.coordinator.config_entry
        rest = self._rest(media_content_id)
        return playable_by(session, await LIBRARY.async_browse(self.hass, entry, rest))

    def _rest(self, media_content_id: str | None) -> str:
        """The library node a browse or search names (``""``: the library's root)."""
        if not media_content_id:
            return ""
        parsed = parse_media_id(media_content_id)
        if parsed is None or parsed[0] != self.coordinator.config_entry.entry_id:
            raise media_error("media_item_not_found", {"item": media_content_id[:80]})
        return parsed[1]

    @override
    async def async_search_media(self, query: SearchMediaQuery) -> SearchMedia:
        """Search the entry's library (below the node the query names, if any)."""
        session = self.live_session()
        entry = self.coordinator.config_entry
        rest = self._rest(query.media_content_id)
        found = await LIBRARY.async_search(self.hass, entry, rest, query)
        return SearchMedia(result=[playable_by(session, node) for node in found])


def _plays(session: Session, item: LibraryItem) -> bool:
    """Whether the client can play ``item`` (a folder plays the files it holds)."""
    return item.is_folder or item.media_type in session.playable_media_types


def _reported_at(check_in: datetime | None) -> datetime:
    """When the position was reported: the client's check-in, never later than now."""
    now = dt_util.utcnow()
    return now if check_in is None or check_in > now else check_in
