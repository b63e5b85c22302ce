"""Intents of Pandora Box and their Assist sentences (``assist/sentences.py``).

Home Assistant's ``intent`` integration calls ``async_setup_intents`` of every
loaded integration's ``intent.py`` (as it does shopping_list's).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .assist import sentences


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents; their sentences follow once ``conversation`` is set up."""
    await sentences.async_setup_intents(hass)
