"""The watchlist to-do lists of Pandora Box (TMDB entries: ``upstreams/tmdb/todo.py``)."""

from __future__ import annotations

from homeassistant.const import Platform

from .handover import platform_setup_entry

PARALLEL_UPDATES = 1  # items are changed one at a time

async_setup_entry = platform_setup_entry(Platform.TODO)
"""Hand over to the entry's upstream."""
