"""LLM tools for conversation agents: the ``llm`` platform of Pandora Box.

Home Assistant's ``llm`` integration asks every loaded integration with an
``llm.py`` for its tools (``async_get_tools``) when a conversation agent opens
the Assist API.  The platform exists on 2026.9 already, but tools with
``ToolAnnotations`` and ``ToolResult`` came with 2026.10; on an older release
this module offers nothing (and imports nothing that release lacks), so
agents there simply see no Pandora Box tools.  The tools are in
``assist/tools.py``.
"""

from __future__ import annotations

from typing import Final

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm

TOOLS_SUPPORTED: Final = hasattr(llm, "ToolAnnotations")
"""Whether this Home Assistant has annotated tools (2026.10 and later)."""

if TOOLS_SUPPORTED:
    from .assist import tools


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """Pandora Box's tools for the Assist API (none before 2026.10)."""
    if not TOOLS_SUPPORTED:
        return None
    return tools.async_get_tools(hass, llm_context, api_id)
