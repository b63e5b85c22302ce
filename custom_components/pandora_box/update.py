"""Update entities of Pandora Box: each upstream adds its own (``upstreams/<kind>/update.py``)."""

from __future__ import annotations

from homeassistant.const import Platform

from .handover import platform_setup_entry

PARALLEL_UPDATES = 1  # installing acts on the upstream: one at a time

async_setup_entry = platform_setup_entry(Platform.UPDATE)
"""Hand over to the entry's upstream."""
