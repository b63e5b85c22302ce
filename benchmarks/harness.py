"""A Home Assistant test instance outside pytest, prepared as the pytest plugin prepares one.

``pytest_homeassistant_custom_component``'s ``hass`` fixture adds a few things
to ``async_test_home_assistant``: the frame helper (entity platforms need it),
custom integrations enabled, and no zeroconf resolver for aiohttp (it needs
the network integration; loopback needs no mDNS).  The benchmarks do the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from pytest_homeassistant_custom_component.common import async_test_home_assistant


@asynccontextmanager
async def running_hass(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """A running test Home Assistant whose files go to ``config_dir`` (created)."""
    await asyncio.to_thread(config_dir.mkdir, parents=True, exist_ok=True)
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=ThreadedResolver(),
    ):
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            frame.async_setup(hass)
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            yield hass
