"""What the assistants say about downloads, and the calls they share.

The answers of ``what is downloading`` and ``pause/resume all downloads``
are the sentences of the voice blueprints (``blueprints/automation/
pandora_box/``), in English and German; the LLM tools answer in English (the
agent speaks the user's language itself).
"""

from __future__ import annotations

import re
from typing import Any, Final

from homeassistant.core import Context, HomeAssistant

from ..const import DOMAIN, Kind
from ..helpers import loaded_entries

MOST_SPOKEN: Final = 5
"""Torrents named in a spoken list; the rest are counted (the blueprint's default)."""

_YEAR_OR_RESOLUTION_RE: Final = re.compile(r"[._ ]((19|20)\d\d|\d{3,4}p)([._ ].*)?$")
_SEPARATORS_RE: Final = re.compile(r"[._]+")


def spoken_name(name: str) -> str:
    """A torrent's name without year, quality and dots (the blueprint's rule).

    ``Big Buck Bunny`` for ``Big.Buck.Bunny.2008.1080p.BluRay.x264-GRP``.
    """
    short = _SEPARATORS_RE.sub(" ", _YEAR_OR_RESOLUTION_RE.sub("", name)).strip()
    return short or name


def _series(items: list[str], and_word: str) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {and_word} {items[-1]}"


def downloads_sentence(torrents: list[dict[str, Any]], language: str | None) -> str:
    """What is downloading, e.g. ``2 downloads: Big Buck Bunny at 50 percent and Sintel …``."""
    german = _is_german(language)
    if not torrents:
        return "Gerade lädt nichts herunter." if german else "Nothing is downloading right now."
    count = len(torrents)
    parts = [
        f"{spoken_name(str(t['name']))} {'bei' if german else 'at'} "
        f"{round(float(t.get('progress') or 0))} {'Prozent' if german else 'percent'}"
        for t in torrents[:MOST_SPOKEN]
    ]
    rest = count - len(parts)
    if german:
        head = f"{count} {'Download' if count == 1 else 'Downloads'}"
        more = f" und {rest} weitere" if rest else ""
        return f"{head}: {_series(parts, 'und') if not rest else ', '.join(parts)}{more}."
    head = f"{count} {'download' if count == 1 else 'downloads'}"
    more = f", and {rest} more" if rest else ""
    return f"{head}: {_series(parts, 'and') if not rest else ', '.join(parts)}{more}."


def paused_sentence(*, pause: bool, count: int, language: str | None) -> str:
    """``Paused all downloads. 3 torrents are paused now.`` (or resumed … downloading)."""
    if _is_german(language):
        if pause:
            return f"Alle Downloads pausiert. {count} {_torrents_de(count)} jetzt pausiert."
        return f"Alle Downloads fortgesetzt. {count} {_torrents_de(count)} jetzt am Laden."
    are = "torrent is" if count == 1 else "torrents are"
    if pause:
        return f"Paused all downloads. {count} {are} paused now."
    return f"Resumed all downloads. {count} {are} downloading now."


def _torrents_de(count: int) -> str:
    return "Torrent ist" if count == 1 else "Torrents sind"


def _is_german(language: str | None) -> bool:
    return (language or "").lower().split("-")[0] == "de"


async def async_call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    context: Context | None,
    *,
    response: bool = True,
) -> dict[str, Any]:
    """Call one of our actions as the assistant's user and return its response."""
    result = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, context=context, return_response=response
    )
    return dict(result or {})


def qbittorrent_entry_ids(hass: HomeAssistant) -> list[str]:
    """The loaded qBittorrent entries ("all downloads" means all of them)."""
    return [entry.entry_id for entry in loaded_entries(hass, Kind.QBITTORRENT)]


async def async_torrents(
    hass: HomeAssistant, wanted: str, context: Context | None
) -> list[dict[str, Any]]:
    """``get_torrents`` of every loaded qBittorrent entry, newest first per entry."""
    torrents: list[dict[str, Any]] = []
    for entry_id in qbittorrent_entry_ids(hass):
        answer = await async_call(
            hass, "get_torrents", {"config_entry_id": entry_id, "filter": wanted}, context
        )
        torrents.extend(answer.get("torrents", []))
    return torrents


async def async_pause_resume_all(
    hass: HomeAssistant, *, pause: bool, context: Context | None
) -> int:
    """Pause or resume every torrent of every entry; how many are then paused/downloading."""
    service = "pause_torrents" if pause else "resume_torrents"
    for entry_id in qbittorrent_entry_ids(hass):
        await async_call(
            hass, service, {"config_entry_id": entry_id, "all": True}, context, response=False
        )
    return len(await async_torrents(hass, "paused" if pause else "downloading", context))
