"""Assist sentences of Pandora Box: intents of our own, sentences shipped with them.

Core integrations register intent handlers in ``intent.py`` (shopping_list)
and get their sentences from the ``home-assistant/intents`` package, which a
custom integration cannot add to.  So the sentences (``sentences/<language>
.yaml``, that package's format) are registered with the default conversation
agent as sentence triggers (the agent manager's ``register_trigger``, what
the ``conversation`` trigger of automations uses); a match hands the slots to
our intent (``intent.async_handle``), whose handler calls the action and
answers in the conversation's language.  Nothing to copy into
``custom_sentences/``, and the intents serve ``intent_script`` or the intent
API too.

The answers are the actions' own sentences: ``download_media`` and
``add_to_watchlist`` answer with their ``message`` (German: the same
sentence per outcome, ``speech.py``); "what is downloading" and "pause/
resume all downloads" with the voice blueprints' sentences.  Trigger
sentences match in any language, so "download Dune" works in a German
pipeline too (answered in German).  An automation whose conversation
trigger matches the same sentence (the voice blueprints') goes first; ours
then steps aside, so nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.setup import async_when_setup
from homeassistant.util.yaml import load_yaml_dict

from ..const import DOMAIN, LOGGER
from .speech import (
    async_call,
    async_pause_resume_all,
    async_torrents,
    download_sentence,
    downloads_sentence,
    paused_sentence,
    watchlist_sentence,
)

if TYPE_CHECKING:
    from hassil.recognize import RecognizeResult
    from homeassistant.components.conversation import ConversationInput
    from homeassistant.components.conversation.agent_manager import AgentManager

INTENT_DOWNLOAD: Final = "PandoraBoxDownload"
INTENT_ADD_TO_WATCHLIST: Final = "PandoraBoxAddToWatchlist"
INTENT_LIST_DOWNLOADS: Final = "PandoraBoxListDownloads"
INTENT_PAUSE_DOWNLOADS: Final = "PandoraBoxPauseDownloads"
INTENT_RESUME_DOWNLOADS: Final = "PandoraBoxResumeDownloads"

SENTENCES: Final = Path(__file__).parent / "sentences"
"""``<language>.yaml`` per language."""

SLOT_TITLE: Final = "title"
TITLE_SLOT: Final[dict[Any, Any]] = {SLOT_TITLE: cv.string}
"""The slot schema of the intents that take a title."""


def _title(intent_obj: intent.Intent) -> str:
    """The spoken title, without what a speech engine adds at its end."""
    return str(intent_obj.slots[SLOT_TITLE]["value"]).strip().rstrip(".?!").strip()


class PandoraIntentHandler(intent.IntentHandler):
    """Answers with ``async_speak``; an action's refusal or fault is the spoken error."""

    platforms = None

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the action, answer its sentence (or its translated error)."""
        self.async_validate_slots(intent_obj.slots)
        response = intent_obj.create_response()
        try:
            speech = await self.async_speak(intent_obj)
        except HomeAssistantError as err:
            response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err))
            return response
        response.async_set_speech(speech)
        return response

    async def async_speak(self, intent_obj: intent.Intent) -> str:
        """What to say after doing the intent's work."""
        raise NotImplementedError


class DownloadIntent(PandoraIntentHandler):
    """The intent of “Download {title}”: ``download_media``."""

    intent_type = INTENT_DOWNLOAD
    description = "Downloads a film or show with Pandora Box"
    slot_schema = TITLE_SLOT

    @override
    async def async_speak(self, intent_obj: intent.Intent) -> str:
        """Call ``download_media`` with the title."""
        title = _title(intent_obj)
        answer = await async_call(
            intent_obj.hass, "download_media", {"query": title}, intent_obj.context
        )
        return download_sentence(answer, title, intent_obj.language)


class AddToWatchlistIntent(PandoraIntentHandler):
    """The intent of “Add {title} to my watchlist”: ``add_to_watchlist``."""

    intent_type = INTENT_ADD_TO_WATCHLIST
    description = "Adds a film or show to the Pandora Box watchlist"
    slot_schema = TITLE_SLOT

    @override
    async def async_speak(self, intent_obj: intent.Intent) -> str:
        """Call ``add_to_watchlist`` with the title."""
        answer = await async_call(
            intent_obj.hass, "add_to_watchlist", {"query": _title(intent_obj)}, intent_obj.context
        )
        return watchlist_sentence(answer, intent_obj.language)


class ListDownloadsIntent(PandoraIntentHandler):
    """The intent of “What is downloading”: ``get_torrents`` of every qBittorrent entry."""

    intent_type = INTENT_LIST_DOWNLOADS
    description = "Says what qBittorrent is downloading"

    @override
    async def async_speak(self, intent_obj: intent.Intent) -> str:
        """Name the downloads and their progress."""
        torrents = await async_torrents(intent_obj.hass, "downloading", intent_obj.context)
        return downloads_sentence(torrents, intent_obj.language)


class PauseResumeIntent(PandoraIntentHandler):
    """The intent of “Pause/resume all downloads”: every torrent of every qBittorrent entry."""

    pause: bool

    @override
    async def async_speak(self, intent_obj: intent.Intent) -> str:
        """Pause or resume, then say how many are paused (downloading) now."""
        count = await async_pause_resume_all(
            intent_obj.hass, pause=self.pause, context=intent_obj.context
        )
        return paused_sentence(pause=self.pause, count=count, language=intent_obj.language)


class PauseDownloadsIntent(PauseResumeIntent):
    """The intent of “Pause all downloads”."""

    intent_type = INTENT_PAUSE_DOWNLOADS
    description = "Pauses every Pandora Box download"
    pause = True


class ResumeDownloadsIntent(PauseResumeIntent):
    """The intent of “Resume all downloads”."""

    intent_type = INTENT_RESUME_DOWNLOADS
    description = "Resumes every Pandora Box download"
    pause = False


HANDLERS: Final = (
    DownloadIntent,
    AddToWatchlistIntent,
    ListDownloadsIntent,
    PauseDownloadsIntent,
    ResumeDownloadsIntent,
)


def load_sentences() -> dict[str, list[str]]:
    """Intent type → its sentences in every language we ship (runs in the executor)."""
    sentences: dict[str, list[str]] = {}
    for path in sorted(SENTENCES.glob("*.yaml")):
        for intent_type, spec in load_yaml_dict(path)["intents"].items():
            for data in spec["data"]:
                sentences.setdefault(intent_type, []).extend(data["sentences"])
    return sentences


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents, and their sentences once ``conversation`` is set up."""
    for handler in HANDLERS:
        intent.async_register(hass, handler())
    sentences = await hass.async_add_executor_job(load_sentences)

    async def register_sentences(hass: HomeAssistant, _component: str) -> None:
        """Hand every sentence to the default agent, each intent as one trigger."""
        from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
            get_agent_manager,  # conversation is loaded now (an after-dependency)
        )

        manager = get_agent_manager(hass)
        ours: set[object] = set()
        for intent_type, texts in sentences.items():
            answer = _trigger_callback(hass, intent_type, manager, ours)
            ours.add(answer)
            manager.register_trigger(texts, answer)
        LOGGER.debug("Registered Assist sentences for %s", ", ".join(sentences))

    async_when_setup(hass, "conversation", register_sentences)


async def _async_someone_else_answers(
    manager: AgentManager, user_input: ConversationInput, ours: set[object]
) -> bool:
    """Whether a trigger not ours (an automation's) matches the sentence too."""
    agent = manager.default_agent
    if agent is None:
        return False
    matched = await agent.async_recognize_sentence_trigger(user_input)
    if matched is None:
        return False
    return any(manager.get_trigger_callback(name) not in ours for name in matched.matched_triggers)


@callback
def _trigger_callback(
    hass: HomeAssistant, intent_type: str, manager: AgentManager, ours: set[object]
) -> Callable[[ConversationInput, RecognizeResult], Awaitable[str | None]]:
    """The trigger's answer: our intent with the sentence's slots, its speech.

    An automation whose conversation trigger matches the same sentence (one
    from the voice blueprints) goes first: then ours does nothing and says
    nothing, so nothing is done twice.
    """

    async def answer(user_input: ConversationInput, result: RecognizeResult) -> str | None:
        """Handle the intent as the conversation's user, in its language."""
        if await _async_someone_else_answers(manager, user_input, ours):
            return None
        slots = {
            name: {
                "value": entity.value.strip() if isinstance(entity.value, str) else entity.value,
                "text": entity.text.strip(),
            }
            for name, entity in result.entities.items()
        }
        try:
            response = await intent.async_handle(
                hass,
                DOMAIN,
                intent_type,
                slots,
                text_input=user_input.text,
                context=user_input.context,
                language=user_input.language,
                assistant="conversation",
                device_id=user_input.device_id,
                satellite_id=user_input.satellite_id,
                conversation_agent_id=user_input.agent_id,
            )
        except intent.IntentError as err:
            return str(err)
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return speech

    return answer
