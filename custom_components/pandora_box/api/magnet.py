"""Magnet links: tell one apart and read its BitTorrent v1 info hash.

qBittorrent's ``torrents/add`` answers "Ok." without the hash of what it
added (before Web API 2.14), so we derive it from the magnet link the way
qBittorrent itself identifies a torrent: the ``xt=urn:btih:`` parameter holds
the 20-byte SHA-1 info hash, written as 40 hex digits or as 32 base32
characters (BEP 9).  Both become 40 lower-case hex digits, the form
qBittorrent uses as the torrent's ``hash``.

Standard library only (``urllib.parse``, ``base64``): a library would add a
dependency for a few lines.  A v2-only magnet (``urn:btmh:``, no ``btih``)
has no v1 hash; it yields ``None`` rather than a guess.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, urlsplit

_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
_BASE32_32 = re.compile(r"[A-Za-z2-7]{32}")
_BTIH = "urn:btih:"


def is_magnet(uri: str) -> bool:
    """Return whether ``uri`` is a magnet link (``magnet:?…``, any case)."""
    return isinstance(uri, str) and uri.strip()[:8].lower() == "magnet:?"


def info_hash_from_magnet(uri: str | None) -> str | None:
    """Return the v1 info hash of a magnet link as 40 lower-case hex digits.

    ``None`` when ``uri`` is missing, not a magnet link or carries no valid
    ``xt=urn:btih:`` parameter.  The first valid one wins when there are
    several (``xt.1``, ``xt.2`` … count as ``xt`` too).
    """
    if uri is None or not is_magnet(uri):
        return None
    try:
        query = urlsplit(uri.strip()).query
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return None
    for key, value in pairs:
        name = key.lower()
        if name != "xt" and not name.startswith("xt."):
            continue
        if value[: len(_BTIH)].lower() != _BTIH:
            continue
        digest = normalize_info_hash(value[len(_BTIH) :])
        if digest is not None:
            return digest
    return None


def normalize_info_hash(value: str | None) -> str | None:
    """Return a v1 info hash (40 hex or 32 base32 characters) as 40 lower-case hex.

    Surrounding whitespace is ignored; ``None`` for a missing, empty or
    malformed value.
    """
    if not value:
        return None
    text = value.strip()
    if _HEX40.fullmatch(text):
        return text.lower()
    if _BASE32_32.fullmatch(text):
        try:
            return base64.b32decode(text.upper()).hex()
        except binascii.Error:  # pragma: no cover - the pattern admits only valid input
            return None
    return None
