"""Numbers of Pandora Box: each entry's upstream adds its own (``upstreams/<kind>/number.py``)."""

from __future__ import annotations

from homeassistant.const import Platform

from .handover import platform_setup_entry

PARALLEL_UPDATES = 1  # entities act on the upstream: one command at a time

async_setup_entry = platform_setup_entry(Platform.NUMBER)
"""Hand over to the entry's upstream."""
