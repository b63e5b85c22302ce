"""Validators shared by the actions' schemas.

``vol.Coerce(int)`` (and ``cv.positive_int`` built on it) lets an
``OverflowError`` escape for ``inf`` and silently truncates ``2.5``; action
input must fail as ``vol.Invalid`` instead, which Home Assistant turns into a
clear validation error.
"""

from __future__ import annotations

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
