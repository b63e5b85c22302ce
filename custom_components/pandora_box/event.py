"""Event entities of Pandora Box: each upstream adds its own (``upstreams/<kind>/event.py``)."""

from __future__ import annotations

from homeassistant.const import Platform

from .handover import platform_setup_entry

PARALLEL_UPDATES = 0  # read-only: the coordinator does the polling

async_setup_entry = platform_setup_entry(Platform.EVENT)
"""Hand over to the entry's upstream."""
