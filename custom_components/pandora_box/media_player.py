"""Media players of Pandora Box: each entry's upstream adds its own (``upstreams/<kind>/``)."""

from __future__ import annotations

from homeassistant.const import Platform

from .handover import platform_setup_entry

PARALLEL_UPDATES = 1  # commands go to one client at a time

async_setup_entry = platform_setup_entry(Platform.MEDIA_PLAYER)
"""Hand over to the entry's upstream."""
