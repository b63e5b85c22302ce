"""Logbook descriptions of Pandora Box's bus events (the activity log).

Home Assistant's logbook calls :func:`async_describe_events` once; every
event type in :data:`DESCRIBERS` is registered with its describer.  Each kind
adds its describers in its own section below and one line per event type in
the table.  A describer gets the event and returns the logbook entry's name
(the config entry's title) and message; the user who acted comes from the
event's context, which the logbook shows by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Final

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN
from .media.postprocess import (
    ATTR_PATH as MEDIA_READY_PATH,
    ATTR_TITLE as MEDIA_READY_TITLE,
    EVENT_MEDIA_READY,
)
from .upstreams.cloudcmd import (
    ATTR_ACTION,
    ATTR_DESTINATION,
    ATTR_ENTRY_ID,
    ATTR_NAMES,
    ATTR_NEW_PATH,
    ATTR_PATH,
    ATTR_SOURCE,
    EVENT_FILE_OPERATION,
    SERVICE_COPY_FILES,
    SERVICE_CREATE_DIRECTORY,
    SERVICE_DELETE_FILES,
    SERVICE_MOVE_FILES,
    SERVICE_RENAME_FILE,
)
from .upstreams.qbittorrent import (
    EVENT_TORRENT_ADDED,
    EVENT_TORRENT_COMPLETED,
    EVENT_TORRENT_REMOVED,
)
from .upstreams.tmdb import EVENT_WATCHLIST_GRABBED

type Describer = Callable[[HomeAssistant, Event[Any]], dict[str, str]]

DEFAULT_NAME = "Pandora Box"
"""Logbook name when the event's entry is gone."""
NAMES_SHOWN = 5
"""Names listed in a message before the rest are only counted."""


def entry_name(hass: HomeAssistant, event: Event[Any]) -> str:
    """The title of the event's config entry, or ``Pandora Box``."""
    entry_id = event.data.get(ATTR_ENTRY_ID)
    entry = hass.config_entries.async_get_entry(entry_id) if isinstance(entry_id, str) else None
    return entry.title if entry is not None else DEFAULT_NAME


def list_names(names: Any) -> str:
    """``a, b and c`` for a list of names; long lists end with ``and N more``."""
    if not isinstance(names, Sequence) or isinstance(names, str):
        return str(names)
    shown = [str(name) for name in names[:NAMES_SHOWN]]
    rest = len(names) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0] if shown else "nothing"


# -- CloudCmd --


_FILE_MESSAGES: dict[str, str] = {
    SERVICE_CREATE_DIRECTORY: "created the folder {path}",
    SERVICE_MOVE_FILES: "moved {names} from {source} to {destination}",
    SERVICE_COPY_FILES: "copied {names} from {source} to {destination}",
    SERVICE_RENAME_FILE: "renamed {path} to {new_path}",
    SERVICE_DELETE_FILES: "deleted {names} in {path}",
}


def describe_file_operation(hass: HomeAssistant, event: Event[Any]) -> dict[str, str]:
    """Describe ``pandora_box_file_operation``: what was done to which paths."""
    data = event.data
    action = data.get(ATTR_ACTION)
    template = _FILE_MESSAGES.get(action) if isinstance(action, str) else None
    if template is None:
        message = f"changed files ({action})"
    else:
        message = template.format(
            names=list_names(data.get(ATTR_NAMES, [])),
            path=data.get(ATTR_PATH),
            source=data.get(ATTR_SOURCE),
            destination=data.get(ATTR_DESTINATION),
            new_path=data.get(ATTR_NEW_PATH),
        )
    return {LOGBOOK_ENTRY_NAME: entry_name(hass, event), LOGBOOK_ENTRY_MESSAGE: message}


# -- download pipeline --


def describe_media_ready(hass: HomeAssistant, event: Event[Any]) -> dict[str, str]:
    """Describe ``pandora_box_media_ready``: a finished download was filed into the library."""
    data = event.data
    title = data.get(MEDIA_READY_TITLE) or "a download"
    message = f"filed {title} into the library at {data.get(MEDIA_READY_PATH)}"
    return {LOGBOOK_ENTRY_NAME: entry_name(hass, event), LOGBOOK_ENTRY_MESSAGE: message}


def describe_watchlist_grabbed(hass: HomeAssistant, event: Event[Any]) -> dict[str, str]:
    """Describe ``pandora_box_watchlist_grabbed``: the watchlist picked a release."""
    data = event.data
    title = data.get("title") or "a title"
    if data.get("year"):
        title = f"{title} ({data['year']})"
    if data.get("season") is not None:
        title = f"{title} season {data['season']}"
    message = f"picked {data.get('release') or 'a release'} for {title} from the watchlist"
    return {LOGBOOK_ENTRY_NAME: entry_name(hass, event), LOGBOOK_ENTRY_MESSAGE: message}


# -- qBittorrent --


def human_size(size: Any) -> str | None:
    """``6.1 GB`` for a byte count (binary units, as qBittorrent shows them).

    ``None`` for no count, and for 0: what qBittorrent reports before it has
    a magnet's metadata, not a size worth showing ("(0 B)" for a 7.8 GB film).
    """
    if not isinstance(size, int | float) or isinstance(size, bool) or size <= 0:
        return None
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def _torrent_message(event: Event[Any], verb: str) -> str:
    """``<verb> Dune (8.2 GB) in movies``: name, size and category when known."""
    data = event.data
    message = f"{verb} {data.get('name') or data.get('hash') or 'a torrent'}"
    if size := human_size(data.get("size")):
        message += f" ({size})"
    if isinstance(category := data.get("category"), str) and category:
        message += f" in {category}"
    return message


def torrent_describer(verb: str) -> Describer:
    """A describer of one torrent event: ``<verb> Dune (8.2 GB) in movies``.

    The torrent events come from polling: who added or removed a torrent (one
    of our actions, another qBittorrent client) is not known, so the message
    names no user; an event fired with a user's context shows that user.
    """

    def describe(hass: HomeAssistant, event: Event[Any]) -> dict[str, str]:
        message = _torrent_message(event, verb)
        return {LOGBOOK_ENTRY_NAME: entry_name(hass, event), LOGBOOK_ENTRY_MESSAGE: message}

    return describe


describe_torrent_added: Final = torrent_describer("added")
"""Describe ``pandora_box_torrent_added``: ``added Dune (8.2 GB) in movies``."""
describe_torrent_completed: Final = torrent_describer("finished downloading")
"""Describe ``pandora_box_torrent_completed``: ``finished downloading Dune (8.2 GB)``."""
describe_torrent_removed: Final = torrent_describer("removed")
"""Describe ``pandora_box_torrent_removed``: ``removed Dune (8.2 GB) in movies``."""


# -- the table: one line per event type, in each kind's section --

DESCRIBERS: dict[str, Describer] = {
    # -- CloudCmd --
    EVENT_FILE_OPERATION: describe_file_operation,
    # -- download pipeline --
    EVENT_MEDIA_READY: describe_media_ready,
    EVENT_WATCHLIST_GRABBED: describe_watchlist_grabbed,
    # -- qBittorrent --
    EVENT_TORRENT_ADDED: describe_torrent_added,
    EVENT_TORRENT_COMPLETED: describe_torrent_completed,
    EVENT_TORRENT_REMOVED: describe_torrent_removed,
}
"""The describer of each of our event types."""


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event[Any]], dict[str, str]]], None],
) -> None:
    """Register a describer for each event type in :data:`DESCRIBERS`."""
    for event_type, describer in DESCRIBERS.items():
        async_describe_event(DOMAIN, event_type, callback(partial(describer, hass)))
