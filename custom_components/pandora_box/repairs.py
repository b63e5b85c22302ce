"""Fix flows of Pandora Box's repair issues.

Post-processing issues (``postprocess_<entry>_<hash>``, raised by
``media/postprocess.py``) are fixable: the flow explains what failed and, when the
user confirms, tries the whole post-processing of that torrent again.  When
the retry succeeds (or the torrent no longer needs filing away) the flow
finishes and Home Assistant deletes the issue; when it fails again the form
comes back with an error, and the issue says what failed this time.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import probatio as vol

from .const import DOMAIN
from .media.postprocess import ISSUE_PREFIX, Job, async_process


class PostprocessRepairFlow(RepairsFlow):
    """Retry filing a finished torrent away."""

    def __init__(self, issue_id: str, job: Job) -> None:
        """Keep the issue and the job it stands for."""
        self._issue_id = issue_id
        self._job = job

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Explain what failed; on confirmation try again."""
        errors: dict[str, str] = {}
        if user_input is not None:
            outcome = await async_process(self.hass, self._job)
            if outcome.status != "failed":
                return self.async_create_entry(data={})
            errors["base"] = "retry_failed"
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self._issue_id)
        placeholders = dict(issue.translation_placeholders or {}) if issue is not None else {}
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=placeholders,
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Return the fix flow of one of our issues."""
    if issue_id.startswith(ISSUE_PREFIX) and data is not None:
        job = Job.from_data(data)
        if job is not None:
            return PostprocessRepairFlow(issue_id, job)
    return ConfirmRepairFlow()
