"""Fixtures for client tests: a plain aiohttp session, no Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Client tests need no Home Assistant instance."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain session, as Home Assistant's shared one would be."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session
