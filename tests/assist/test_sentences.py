"""Assist sentences, sent to Home Assistant's default conversation agent in English and German."""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from simulators import QBittorrentSimulator

ALL = ("tmdb", "jackett", "qbittorrent", "watchmode")
PAUSED = ("pausedDL", "stoppedDL")


async def say(hass: HomeAssistant, text: str, language: str) -> str:
    """What the default agent answers, with conversation set up as in a real Home Assistant."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=conversation.HOME_ASSISTANT_AGENT
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


@pytest.mark.usefixtures(*ALL)
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("download Inception", "en", "Downloading Inception (2010): "),
        ("lade Inception herunter", "de", "Ich lade Inception (2010) herunter: "),
    ],
)
async def test_download(
    hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    text: str,
    language: str,
    expected: str,
) -> None:
    before = set(qbittorrent_sim.torrents)
    answer = await say(hass, text, language)
    assert answer.startswith(expected)
    added = [qbittorrent_sim.torrents[h] for h in set(qbittorrent_sim.torrents) - before]
    assert len(added) == 1
    assert "Inception" in added[0]["name"]


@pytest.mark.usefixtures(*ALL)
async def test_download_unknown_title_adds_nothing(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    before = set(qbittorrent_sim.torrents)
    answer = await say(hass, "lade Qwxzyv Unbekannt herunter", "de")
    assert answer == "Ich habe Qwxzyv Unbekannt bei TMDB nicht gefunden."
    assert set(qbittorrent_sim.torrents) == before


@pytest.mark.usefixtures(*ALL)
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("add The Matrix to my watchlist", "en", "I added The Matrix (1999) to the watchlist."),
        (
            "setze The Matrix auf meine Merkliste",
            "de",
            "Ich habe The Matrix (1999) auf die Merkliste gesetzt.",
        ),
    ],
)
async def test_add_to_watchlist(
    hass: HomeAssistant, text: str, language: str, expected: str
) -> None:
    answer = await say(hass, text, language)
    assert answer.startswith(expected)
    state = hass.states.get("todo.tmdb_test_watchlist")
    assert state is not None
    assert state.state == "1"
    again = await say(hass, text, language)
    assert "already on the watchlist" in again or "steht schon auf der Merkliste" in again


@pytest.mark.usefixtures(*ALL)
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("what is downloading", "en", "2 downloads: "),
        ("was lädt gerade herunter", "de", "2 Downloads: "),
    ],
)
async def test_what_is_downloading(
    hass: HomeAssistant, text: str, language: str, expected: str
) -> None:
    answer = await say(hass, text, language)
    assert answer.startswith(expected)
    assert "Big Buck Bunny" in answer
    assert ("45 percent" if language == "en" else "45 Prozent") in answer


@pytest.mark.usefixtures(*ALL)
@pytest.mark.parametrize(
    ("pause", "resume", "language", "paused", "resumed"),
    [
        (
            "pause all downloads",
            "resume all downloads",
            "en",
            "Paused all downloads. 2 torrents are paused now.",
            "Resumed all downloads. 2 torrents are downloading now.",
        ),
        (
            "pausiere alle Downloads",
            "setze alle Downloads fort",
            "de",
            "Alle Downloads pausiert. 2 Torrents sind jetzt pausiert.",
            "Alle Downloads fortgesetzt. 2 Torrents sind jetzt am Laden.",
        ),
    ],
)
async def test_pause_and_resume(
    hass: HomeAssistant,
    qbittorrent_sim: QBittorrentSimulator,
    pause: str,
    resume: str,
    language: str,
    paused: str,
    resumed: str,
) -> None:
    assert await say(hass, pause, language) == paused
    assert all(t["state"] in PAUSED for t in qbittorrent_sim.torrents.values())
    assert await say(hass, resume, language) == resumed
    assert not any(t["state"] in PAUSED for t in qbittorrent_sim.torrents.values())


@pytest.mark.usefixtures("tmdb", "jackett")
async def test_no_qbittorrent_is_said(hass: HomeAssistant) -> None:
    """Without qBittorrent, "download" still answers (the best release, nothing added)."""
    answer = await say(hass, "download The Matrix", "en")
    assert "no qBittorrent is set up" in answer


async def test_action_error_is_spoken(hass: HomeAssistant) -> None:
    """No TMDB entry: the action's translated refusal is the answer, not a traceback."""
    assert await async_setup_component(hass, "pandora_box", {})
    answer = await say(hass, "download The Matrix", "en")
    assert answer.startswith("No loaded Pandora Box entry for tmdb")


@pytest.mark.usefixtures(*ALL)
async def test_an_automation_on_the_same_sentence_goes_first(
    hass: HomeAssistant, qbittorrent_sim: QBittorrentSimulator
) -> None:
    """A voice blueprint's automation with "download {title}": it answers, ours adds nothing."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [{"trigger": "conversation", "command": ["download {title}"]}],
                "actions": [
                    {"set_conversation_response": "The automation has {{ trigger.slots.title }}."}
                ],
            }
        },
    )
    before = set(qbittorrent_sim.torrents)
    assert await say(hass, "download Inception", "en") == "The automation has Inception."
    assert set(qbittorrent_sim.torrents) == before
    # a sentence the automation does not have is still ours
    assert (await say(hass, "what is downloading", "en")).startswith("2 downloads: ")
