"""Validators shared by the actions' schemas and the config and options forms.

``vol.Coerce(int)`` (and ``cv.positive_int`` built on it) lets an
``OverflowError`` escape for ``inf`` and silently truncates ``2.5``; action
input must fail as ``vol.Invalid`` instead, which Home Assistant turns into a
clear validation error.
"""

from __future__ import annotations

import math
from typing import Any

import probatio as vol


def whole_number(value: Any) -> int:
    """Coerce a whole number (``5``, ``5.0``, ``"5"``); NaN, infinities and the rest: invalid."""
    if isinstance(value, bool):
        raise vol.Invalid("expected a whole number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise vol.Invalid("expected a whole number") from err
    if not number.is_integer():  # also NaN and infinities
        raise vol.Invalid("expected a whole number")
    return int(number)


# -- form fields (config and options flows) ------------------------------------------------
# What no upstream can take is refused on the form, before any request: a header
# cannot carry a control character (aiohttp raises on CR/LF, the flow would show
# "unknown" with a traceback), no upstream issues an API key with spaces, quotes
# or non-ASCII characters, and nothing here is kilobytes long.

MAX_CREDENTIAL_LENGTH = 1024
"""Longest user name, password or API key a form takes (TMDB's read-access tokens are ~250)."""
MAX_NAME_LENGTH = 100
"""Longest category or service name an options form takes."""


def has_control_character(text: str) -> bool:
    """Whether ``text`` holds a C0/C1 control character or DEL."""
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


def valid_api_key(key: str) -> bool:
    """An API key or token: 1-1024 visible ASCII characters, no quote or backslash.

    Jackett, Watchmode and Jellyfin keys are hex or alphanumeric, Portainer's
    ``ptr_`` base64, TMDB's a v3 hex key or a JWT; Jellyfin's header quotes
    the key (``Token="…"``), so a quote or backslash cannot be sent.
    """
    return 0 < len(key) <= MAX_CREDENTIAL_LENGTH and all(
        "!" <= ch <= "~" and ch not in '"\\' for ch in key
    )


def valid_login_text(text: str) -> bool:
    """A user name or password: not empty, not too long, no control character."""
    return 0 < len(text) <= MAX_CREDENTIAL_LENGTH and not has_control_character(text)


def valid_name(text: str) -> bool:
    """A category or service name: 1-100 characters, no control character."""
    return 0 < len(text) <= MAX_NAME_LENGTH and not has_control_character(text)


def valid_category_name(name: str) -> bool:
    """A qBittorrent category name that is also a :func:`valid_name`.

    As ``Session::isValidCategoryName``: no ``/`` at either end or twice in a
    row, no backslash (``simulators/qbittorrent.py`` checks the same).
    """
    return valid_name(name) and not (
        name.startswith("/") or name.endswith("/") or "//" in name or "\\" in name
    )


def form_number(value: Any, *, whole: bool = False) -> float | None:
    """A number field's value, or ``None`` when it is NaN or infinite (or fractional, ``whole``).

    Home Assistant's ``NumberSelector`` checks the range, but NaN is neither
    below nor above it, and the selector's ``step`` is only a hint to the
    frontend.
    """
    try:
        number = whole_number(value) if whole else float(value)
    except vol.Invalid, TypeError, ValueError, OverflowError:
        return None
    return number if math.isfinite(number) else None
