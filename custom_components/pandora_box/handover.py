"""How a root platform file hands over to the entry's upstream.

Home Assistant loads a platform from the integration's root (``sensor.py``
…); each of those files is ``PARALLEL_UPDATES`` and an ``async_setup_entry``
from here, which adds what the entry's upstream declares for that platform in
the registry (``upstreams/<kind>/<platform>.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PandoraConfigEntry
from .upstreams import UPSTREAMS

type PlatformSetupEntry = Callable[
    [HomeAssistant, PandoraConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]
"""The ``async_setup_entry`` of a platform module."""


def async_setup_platform(
    platform: Platform,
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entities the entry's upstream has on ``platform``, if any."""
    if (setup := UPSTREAMS[entry.runtime_data.kind].platforms.get(platform)) is not None:
        setup(entry, async_add_entities)


def platform_setup_entry(platform: Platform) -> PlatformSetupEntry:
    """The ``async_setup_entry`` of a root platform file: hand over to the entry's upstream."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: PandoraConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the entities the entry's upstream has on this platform."""
        async_setup_platform(platform, entry, async_add_entities)

    return async_setup_entry
