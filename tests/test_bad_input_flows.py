"""Property: no config-flow or options-flow field lets bad input through or breaks the flow.

The actions have their own property (``test_bad_input.py``); this module does
the same for the forms.  Every field of the user step of every kind, of
reauthentication and of reconfiguration, and every field of the options flows
of the kinds that have one (read from the registry), gets generated input:
control characters, whitespace, unicode, very long strings, numbers that are
negative, huge, fractional, NaN or infinite, URLs with wrong schemes, no host,
ports out of range or user info, lists and selections outside the choices,
wrong types and unknown fields (the flow API takes any JSON).  The outcomes
allowed:

* the form's schema refuses it (``InvalidData``, Home Assistant's own check of
  a selector), or the form comes back with an error whose key exists in
  strings.json (``config.error`` / ``options.error``) — and then **no request
  reached any upstream** and the stored entry and its options are unchanged;
* the input was acceptable: the upstream was asked and answered what it
  answered (``cannot_connect``, ``invalid_auth``, ``wrong_service``), or the
  entry was created or changed with data of the right types.

In every case the log has no traceback and no ERROR record, and the flow is
still usable.  Two families of input: *certainly bad* values per field, which
must be refused on that field's form (schema or error), and *anything*, for
which only the invariants hold.

Entries for reauthentication, reconfiguration and options are added but not
set up, so no coordinator polls and every request a simulator logs was made
by the submission under test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
import json
import logging
import math
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowManager, FlowResultType, InvalidData
from homeassistant.setup import async_setup_component
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.api._http import parse_base_url
from custom_components.pandora_box.config_flow import CREDENTIALS, field_default, fields_of
from custom_components.pandora_box.const import (
    CONF_LANGUAGE,
    CONF_REGION,
    CONF_ROOT,
    DOMAIN,
    Kind,
)
from custom_components.pandora_box.upstreams import UPSTREAMS
from simulators import Simulator

from .helpers import KINDS, form_input, mock_entry, new_simulator

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"
STRINGS: dict[str, Any] = json.loads((COMPONENT / "strings.json").read_text(encoding="utf-8"))
CONFIG_ERRORS = frozenset(STRINGS["config"]["error"])
OPTIONS_ERRORS = frozenset(STRINGS["options"]["error"])
UPSTREAM_ANSWERS = frozenset({"cannot_connect", "invalid_auth", "wrong_service", "root_not_found"})
"""Config-flow errors that mean the input was acceptable and the upstream was asked."""

OPTION_KINDS = tuple(kind.value for kind, up in UPSTREAMS.items() if up.options_flow is not None)

EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies ---------------------------------------------------------------------------

HUGE = st.builds(lambda n, c: c * n, st.sampled_from([5_000, 200_000]), st.sampled_from("xé🎬"))
"""Very long strings (built, so a failing example's report stays short)."""
CONTROL = st.characters(codec=None, categories=["Cc"])
WITH_CONTROL = st.builds(
    lambda a, c, b: a + c + b, st.text(max_size=8), CONTROL, st.text(max_size=8)
)
"""Text with at least one control character (NUL, CR, LF, tab, DEL, C1)."""
WHITESPACE = st.text(st.sampled_from(" \t\n\r\u00a0\u2003\u3000"), max_size=6)
UNICODE = st.text(max_size=40)
WRONG_TYPES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
"""Anything the flow API carries that is not a string."""
ANY_TEXT = st.one_of(UNICODE, WITH_CONTROL, WHITESPACE, HUGE)

BAD_URLS = st.one_of(
    st.builds(
        lambda scheme, rest: f"{scheme}{rest}",
        st.sampled_from(["ftp://", "file://", "javascript:", "ws://", "htp://", "", "//", "h:"]),
        st.sampled_from(["example.com", "127.0.0.1:8080", "/etc/passwd", "alert(1)"]),
    ),
    st.sampled_from(["http://", "https://", "http:///path", "http://:8080", "http://?q=1"]),
    st.builds(
        lambda port: f"http://127.0.0.1:{port}",
        st.one_of(st.integers(65536, 10**12), st.just(-1), st.just("x"), st.just(0)),
    ),
    st.builds(
        lambda user: f"http://{user}@127.0.0.1:8080",
        st.sampled_from(["user", "user:pass", ":pass", "a%40b:c"]),
    ),
    st.builds(
        lambda tail: f"http://127.0.0.1:8080/{tail}",
        st.sampled_from(["?apikey=1", "#frag", "x?y=z"]),
    ),
    st.builds(lambda host: f"http://{host}/", WITH_CONTROL),
    st.builds(lambda host: f"http://{host}.example/", HUGE),
    WHITESPACE,
)
"""URLs no form may accept: wrong scheme, no host, bad port, user info, query, control chars."""


def _stays_on_loopback(url: str) -> bool:
    """Whether a URL is refused before any request, or names 127.0.0.1.

    The tests may reach the simulators only: a name that resolves (``a``
    through a search domain, ``localhost`` to ``::1``) would meet pytest-socket's
    block, which no real network has.
    """
    try:
        return parse_base_url(url).host == "127.0.0.1"
    except ValueError:
        return True


ANY_URL = st.one_of(
    BAD_URLS,
    st.builds(
        lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
        st.sampled_from(["http", "https", "HTTP", "hTTps"]),
        st.one_of(st.sampled_from(["127.0.0.1", "a..b", "-a-", "ex ample"]), UNICODE),
        st.one_of(st.just(""), st.builds(lambda p: f":{p}", st.integers(-5, 70_000))),
        st.one_of(st.just(""), st.just("/"), st.builds(lambda p: "/" + p, UNICODE)),
    ),
    ANY_TEXT,
).filter(_stays_on_loopback)
"""Any URL: the bad ones, loopback ones with any scheme, port and path, and any text."""

BAD_API_KEYS = st.one_of(
    st.just(""),
    WHITESPACE,
    WITH_CONTROL,
    HUGE,
    st.builds(lambda a, b: f"{a} {b}", st.text("abc123", min_size=1), st.text("abc", min_size=1)),
    st.builds(lambda a: f'{a}"', st.text("abc123", max_size=8)),
    st.builds(lambda a: f"{a}é", st.text("abc123", max_size=8)),
)
"""API keys no upstream issues: empty, inner whitespace, control characters, quotes, non-ASCII."""
BAD_USERNAMES = st.one_of(st.just(""), WITH_CONTROL, HUGE)
BAD_PASSWORDS = st.one_of(st.just(""), WITH_CONTROL, HUGE)
BAD_LANGUAGES = st.one_of(
    st.sampled_from(["", "english", "EN-us", "e", "en_US", "en-USA", "12"]), WITH_CONTROL, HUGE
)
BAD_REGIONS = st.one_of(st.sampled_from(["", "USA", "1A", "U", "Ü1"]), WITH_CONTROL, HUGE)
BAD_ROOTS = st.one_of(
    st.sampled_from(["", "media", "/a/../b", "/..", "\\media", "/a\\b", "../x"]),
    st.builds(lambda c: f"/media{c}", WITH_CONTROL),
)

BAD_CONFIG_VALUES: dict[str, st.SearchStrategy[Any]] = {
    CONF_URL: BAD_URLS,
    CONF_USERNAME: BAD_USERNAMES,
    CONF_PASSWORD: BAD_PASSWORDS,
    CONF_API_KEY: BAD_API_KEYS,
    CONF_LANGUAGE: BAD_LANGUAGES,
    CONF_REGION: BAD_REGIONS,
    CONF_ROOT: BAD_ROOTS,
}
"""Certainly bad text per config field (``verify_ssl`` coerces anything: only wrong types)."""
ANY_CONFIG_VALUES: dict[str, st.SearchStrategy[Any]] = {
    CONF_URL: ANY_URL,
    CONF_USERNAME: ANY_TEXT,
    CONF_PASSWORD: ANY_TEXT,
    CONF_API_KEY: st.one_of(ANY_TEXT, st.text("0123456789abcdef", min_size=32, max_size=32)),
    CONF_LANGUAGE: st.one_of(ANY_TEXT, st.sampled_from(["en-US", " de-DE ", "fr", "pt-BR"])),
    CONF_REGION: st.one_of(ANY_TEXT, st.sampled_from(["US", "de", " gb "])),
    CONF_ROOT: st.one_of(ANY_TEXT, st.sampled_from(["/", "/./", "//", "/media/"])),
    CONF_VERIFY_SSL: st.booleans(),
}

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 0.5, 2.5, 1e308, 10**400]),
)
NON_FINITE_OR_FRACTION = st.one_of(
    st.sampled_from([math.nan, -math.nan, math.inf, -math.inf]),
    st.floats(min_value=1.01, max_value=49.99).filter(lambda x: not x.is_integer()),
)
"""Values no whole-number field with a range of 1-50 or wider may accept."""
SELECTIONS = st.one_of(
    st.lists(st.sampled_from(["1080p", "720p", "2160p", "480p", "x265", "bluray", "web"])),
    st.lists(UNICODE, max_size=3),
    WRONG_TYPES,
)
BAD_CATEGORIES = st.one_of(
    WITH_CONTROL,
    HUGE,
    st.sampled_from(["/movies", "movies/", "a//b", "a\\b", "\\"]),
)
"""qBittorrent refuses these category names (``BitTorrent::Session::isValidCategoryName``)."""
BAD_FOLDER_LINES = st.one_of(
    st.sampled_from(["movies", "=/media", "movies=", "movies=../x", "tv=/a/../..", "a=\\b"]),
    # a line break is no bad character in a list of lines (a trailing one ends the list)
    st.builds(
        lambda a, c, b: f"movies=/media/{a}{c}{b}",
        st.text(max_size=8),
        CONTROL.filter(lambda c: c != "\n"),
        st.text(max_size=8),
    ),
)
BAD_FOLDERS = st.one_of(
    st.sampled_from(["..", "/a/../..", "a\\b", "/media/%2e%2e/x"]),
    st.builds(lambda c: f"/media/{c}", WITH_CONTROL),
)
BAD_SERVICES = st.lists(st.one_of(WITH_CONTROL, HUGE), min_size=1, max_size=3)


@dataclass(frozen=True)
class OptionField:
    """An options-flow field: what is certainly bad for it and what is anything."""

    bad: st.SearchStrategy[Any]
    anything: st.SearchStrategy[Any]


OPTION_FIELDS: dict[str, dict[str, OptionField]] = {
    "qbittorrent": {
        "torrent_entities": OptionField(st.nothing(), st.booleans()),
        "torrent_count": OptionField(NON_FINITE_OR_FRACTION, NUMBERS),
        "movie_category": OptionField(BAD_CATEGORIES, ANY_TEXT),
        "tv_category": OptionField(BAD_CATEGORIES, ANY_TEXT),
        "library_folders": OptionField(
            BAD_FOLDER_LINES,
            st.one_of(ANY_TEXT, st.builds("\n".join, st.lists(BAD_FOLDER_LINES, max_size=3))),
        ),
        "download_path": OptionField(BAD_FOLDERS, ANY_TEXT),
        "cloudcmd_download_path": OptionField(BAD_FOLDERS, ANY_TEXT),
    },
    "jackett": {
        "preferred_resolutions": OptionField(
            st.lists(st.sampled_from(["4320p", "", "1080P", "x"]), min_size=1), SELECTIONS
        ),
        "allowed_resolutions": OptionField(st.just([]), SELECTIONS),
        "min_seeders": OptionField(NON_FINITE_OR_FRACTION, NUMBERS),
        "max_size_movies_gb": OptionField(
            st.sampled_from([math.nan, math.inf, -1, 1001, 10**400]), NUMBERS
        ),
        "max_size_tv_gb": OptionField(st.sampled_from([math.nan, -math.inf, -0.5, 1e9]), NUMBERS),
        "preferred_sources": OptionField(
            st.lists(st.sampled_from(["not-a-source", "BluRay ", ""]), min_size=1), SELECTIONS
        ),
        "preferred_codecs": OptionField(st.just(["mpeg2"]), SELECTIONS),
    },
    "tmdb": {
        "cache_ttl": OptionField(NON_FINITE_OR_FRACTION, NUMBERS),
    },
    "watchmode": {
        "cache_ttl": OptionField(NON_FINITE_OR_FRACTION, NUMBERS),
        "my_services": OptionField(BAD_SERVICES, st.one_of(SELECTIONS, BAD_SERVICES)),
    },
}
"""Every options-flow field of every kind with options (checked against the forms below)."""


# -- the stack ----------------------------------------------------------------------------


@dataclass
class Stack:
    """A simulator per kind and an entry per kind (added, not set up)."""

    sims: dict[str, Simulator]
    entries: dict[str, MockConfigEntry]

    def requests(self) -> int:
        """Requests all upstreams have received so far."""
        return sum(len(sim.requests) for sim in self.sims.values())


@pytest.fixture
async def stack(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Stack]:
    """Seven simulators and seven entries, none loaded.

    The integration is set up first, with no entry: an entry a flow creates
    then loads alone, and these stay unloaded (setting the integration up
    later would load every entry it finds).
    """
    assert await async_setup_component(hass, DOMAIN, {})
    sims: dict[str, Simulator] = {}
    entries: dict[str, MockConfigEntry] = {}
    try:
        for kind in KINDS:
            sim = new_simulator(kind, tmp_path)
            await sim.start()
            sims[kind] = sim
            entry = mock_entry(sim, unique_id=f"{kind}:bad-input-flows")
            entry.add_to_hass(hass)
            entries[kind] = entry
        yield Stack(sims, entries)
    finally:
        for sim in sims.values():
            await sim.stop()


@dataclass(frozen=True)
class Outcome:
    """How one submission ended."""

    kind: str
    """``schema`` (InvalidData), ``refused`` (a form error on a field), ``asked`` (a base
    error from the upstream's answer), ``accepted`` (created, changed or aborted)."""
    result: Mapping[str, Any] | None
    requests: int


def _log_problems(caplog: pytest.LogCaptureFixture, start: int) -> list[str]:
    """Records since ``start`` with a traceback or at ERROR or above."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()[:200]}"
        for r in caplog.records[start:]
        if r.exc_info or r.levelno >= logging.ERROR
    ]


async def submit(
    hass: HomeAssistant,
    manager: FlowManager[Any, Any],
    flow_id: str,
    user_input: dict[str, Any],
    stack: Stack,
    caplog: pytest.LogCaptureFixture,
    *,
    errors: frozenset[str],
    what: object,
) -> Outcome:
    """Submit ``user_input`` and check the invariants every outcome shares."""
    before = stack.requests()
    start = len(caplog.records)
    try:
        result = await manager.async_configure(flow_id, user_input)
    except InvalidData:
        result = None
    await hass.async_block_till_done()
    asked = stack.requests() - before
    problems = _log_problems(caplog, start)
    assert not problems, (what, user_input, problems)
    if result is None:
        assert asked == 0, (what, "schema refused it, yet an upstream was asked")
        return Outcome("schema", None, 0)
    if result["type"] is FlowResultType.FORM:
        found = dict(result["errors"] or {})
        assert found, (what, user_input, "the form came back without an error")
        unknown = set(found.values()) - errors
        assert not unknown, (what, "error keys missing from strings.json", unknown)
        assert "unknown" not in found.values(), (what, user_input)
        if set(found.values()) <= UPSTREAM_ANSWERS:
            # the input was sent (to a simulator, or to a host where nothing answers)
            return Outcome("asked", result, asked)
        assert asked == 0, (what, user_input, found, "refused, yet an upstream was asked")
        return Outcome("refused", result, 0)
    assert result["type"] in (FlowResultType.CREATE_ENTRY, FlowResultType.ABORT), result
    return Outcome("accepted", result, asked)


def assert_refused_on(outcome: Outcome, field: str, what: object) -> None:
    """The schema refused the input, or the form came back with an error on ``field``."""
    assert outcome.kind in ("schema", "refused"), (what, field, outcome)
    if outcome.kind == "refused":
        assert outcome.result is not None
        assert field in outcome.result["errors"], (what, field, outcome.result["errors"])


def _snapshot(entry: MockConfigEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    return dict(entry.data), dict(entry.options)


async def _restore(hass: HomeAssistant, entry: MockConfigEntry, saved: tuple[Any, Any]) -> None:
    """Put an entry back as it was (an accepted submission may have changed and loaded it)."""
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
    data, options = saved
    hass.config_entries.async_update_entry(entry, data=data, options=options)
    await hass.async_block_till_done()


def _assert_typed(kind: str, data: Mapping[str, Any]) -> None:
    """Stored config data: text fields are tidy strings, ``verify_ssl`` a bool."""
    alternatives = _alternative_fields(kind)
    for field in fields_of(Kind(kind)):
        if field not in data:
            assert field in alternatives, (field, data)  # only an unused alternative is left out
            continue
        value = data[field]
        if field == CONF_VERIFY_SSL:
            assert isinstance(value, bool), (field, value)
        else:
            assert isinstance(value, str), (field, value)
            assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in value), (field, value)


# -- config flow: the user step of every kind ---------------------------------------------


async def _open_user_form(hass: HomeAssistant, kind: str) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    return str(result["flow_id"])


def _form_fields(result: Mapping[str, Any]) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


def _corrupt(
    data: st.DataObject,
    base: dict[str, Any],
    fields: tuple[str, ...],
    values: Callable[[str], st.SearchStrategy[Any]],
) -> tuple[dict[str, Any], str]:
    """``base`` with one drawn field given a drawn value; returns the input and the field."""
    field = data.draw(st.sampled_from(fields), label="field")
    user_input = {**base, field: data.draw(values(field), label=field)}
    return user_input, field


def _damage(
    data: st.DataObject,
    user_input: dict[str, Any],
    fields: tuple[str, ...],
    values: Callable[[str], st.SearchStrategy[Any]],
) -> None:
    """Give some of ``fields`` (at least one) any value, or a value of a wrong type."""
    for field in sorted(data.draw(st.sets(st.sampled_from(fields), min_size=1), label="fields")):
        user_input[field] = data.draw(st.one_of(values(field), WRONG_TYPES), label=field)


def _alternative_fields(kind: str) -> frozenset[str]:
    """The credential fields of ``kind`` that belong to one of its alternatives (qBittorrent)."""
    return frozenset(f for c in UPSTREAMS[Kind(kind)].credential_choices for f in c)


def _certainly_bad_for(
    kind: str, base: Mapping[str, Any], values: Callable[[str], st.SearchStrategy[Any]]
) -> Callable[[str], st.SearchStrategy[Any]]:
    """``values``, except that a blank field of an alternative ``base`` does not use is fine.

    qBittorrent takes a password or an API key: an empty API key next to a
    good password is no error, it is the other alternative left unused.
    """
    unused = _alternative_fields(kind) - set(base)

    def strategy(field: str) -> st.SearchStrategy[Any]:
        if field not in unused:
            return values(field)
        return values(field).filter(lambda v: not (isinstance(v, str) and not v.strip(" ")))

    return strategy


def _bad_config_value(field: str) -> st.SearchStrategy[Any]:
    """Certainly-bad values of a text field: bad text, or not text at all."""
    return st.one_of(BAD_CONFIG_VALUES[field], WRONG_TYPES.filter(lambda v: v is not None))


def _text_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields with certainly-bad values: all but ``verify_ssl``.

    Home Assistant's ``BooleanSelector`` coerces whatever it gets (``None``,
    ``[]``, ``"no"``) with ``bool()`` before the flow sees it, so no value of
    that field can be refused by us; the *anything* tests check it is stored
    as a bool.
    """
    return tuple(f for f in fields if f != CONF_VERIFY_SSL)


async def test_user_forms_list_the_fields_the_strategies_know(
    hass: HomeAssistant, stack: Stack
) -> None:
    """Each kind's form has exactly its registry fields, and each has a bad-value strategy."""
    for kind in KINDS:
        flow_id = await _open_user_form(hass, kind)
        shown = _form_fields(await hass.config_entries.flow.async_configure(flow_id, None))
        assert shown == set(fields_of(Kind(kind)))
        assert shown <= set(ANY_CONFIG_VALUES), shown - set(ANY_CONFIG_VALUES)
        hass.config_entries.flow.async_abort(flow_id)
    assert stack.requests() == 0


@EXAMPLES
@given(data=st.data())
async def test_user_step_refuses_certainly_bad_input(
    hass: HomeAssistant, stack: Stack, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """One certainly-bad field in an otherwise good form: refused on that field, no request."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    fields = _text_fields(fields_of(Kind(kind)))
    base = form_input(stack.sims[kind])
    values = _certainly_bad_for(kind, base, _bad_config_value)
    user_input, field = _corrupt(data, base, fields, values)
    count = len(hass.config_entries.async_entries(DOMAIN))
    flow_id = await _open_user_form(hass, kind)
    outcome = await submit(
        hass, hass.config_entries.flow, flow_id, user_input, stack, caplog,
        errors=CONFIG_ERRORS, what=(kind, field),
    )  # fmt: skip
    assert_refused_on(outcome, field, (kind, user_input[field]))
    assert len(hass.config_entries.async_entries(DOMAIN)) == count
    # the flow is still usable: the good form creates the entry
    good = await hass.config_entries.flow.async_configure(flow_id, form_input(stack.sims[kind]))
    assert good["type"] is FlowResultType.CREATE_ENTRY, good
    await hass.async_block_till_done()
    await hass.config_entries.async_remove(good["result"].entry_id)
    await hass.async_block_till_done()


@EXAMPLES
@given(data=st.data())
async def test_user_step_takes_anything_cleanly(
    hass: HomeAssistant, stack: Stack, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """Any value in any fields, missing and unknown fields too: only the allowed outcomes."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    fields = fields_of(Kind(kind))
    user_input = form_input(stack.sims[kind])
    _damage(data, user_input, fields, ANY_CONFIG_VALUES.__getitem__)
    if data.draw(st.booleans(), label="drop a field"):
        # a public API's URL has a default, which is not on loopback: keep it given
        droppable = [f for f in fields if f != CONF_URL or field_default(Kind(kind), f) is None]
        user_input.pop(data.draw(st.sampled_from(droppable)), None)
    if data.draw(st.integers(0, 5), label="extra") == 0:
        user_input[data.draw(st.sampled_from(["kind", "unknown", "entry_id"]))] = "x"
    flow_id = await _open_user_form(hass, kind)
    outcome = await submit(
        hass, hass.config_entries.flow, flow_id, user_input, stack, caplog,
        errors=CONFIG_ERRORS, what=kind,
    )  # fmt: skip
    if outcome.kind == "accepted":
        assert outcome.result is not None
        if outcome.result["type"] is FlowResultType.CREATE_ENTRY:
            _assert_typed(kind, outcome.result["data"])
            await hass.async_block_till_done()
            await hass.config_entries.async_remove(outcome.result["result"].entry_id)
            await hass.async_block_till_done()
    else:
        hass.config_entries.flow.async_abort(flow_id)


# -- config flow: reauthentication and reconfiguration ------------------------------------


async def _open_reauth(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    return str(result["flow_id"])


async def _open_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return str(result["flow_id"])


def _reauth_fields(kind: str) -> tuple[str, ...]:
    return tuple(f for f in fields_of(Kind(kind)) if f in CREDENTIALS)


def _reconfigure_bad_value(field: str) -> st.SearchStrategy[Any]:
    """As for the user step; an empty field is no error here (it keeps the stored value)."""
    return _bad_config_value(field).filter(lambda v: v != "")


FLOWS = pytest.mark.parametrize("flow", ["reauth", "reconfigure"])


@FLOWS
@EXAMPLES
@given(data=st.data())
async def test_reauth_and_reconfigure_refuse_certainly_bad_input(
    hass: HomeAssistant,
    stack: Stack,
    caplog: pytest.LogCaptureFixture,
    flow: str,
    data: st.DataObject,
) -> None:
    """A certainly-bad field: refused on that field, nothing asked, the entry unchanged."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    entry = stack.entries[kind]
    saved = _snapshot(entry)
    good = form_input(stack.sims[kind])
    if flow == "reauth":
        shown = _reauth_fields(kind)
        flow_id = await _open_reauth(hass, entry)
        values = _bad_config_value
    else:
        shown = fields_of(Kind(kind))
        flow_id = await _open_reconfigure(hass, entry)
        values = _reconfigure_bad_value
    base = {f: good[f] for f in shown if f in good}
    fields = _text_fields(shown)
    user_input, field = _corrupt(data, base, fields, _certainly_bad_for(kind, base, values))
    try:
        outcome = await submit(
            hass, hass.config_entries.flow, flow_id, user_input, stack, caplog,
            errors=CONFIG_ERRORS, what=(flow, kind, field),
        )  # fmt: skip
        assert_refused_on(outcome, field, (flow, kind, user_input[field]))
        assert _snapshot(entry) == saved
        assert entry.state is ConfigEntryState.NOT_LOADED
        hass.config_entries.flow.async_abort(flow_id)
    finally:
        await _restore(hass, entry, saved)  # a failing example must not spoil the next


@FLOWS
@EXAMPLES
@given(data=st.data())
async def test_reauth_and_reconfigure_take_anything_cleanly(
    hass: HomeAssistant,
    stack: Stack,
    caplog: pytest.LogCaptureFixture,
    flow: str,
    data: st.DataObject,
) -> None:
    """Any values: the allowed outcomes; the entry changes only when the flow succeeded."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    entry = stack.entries[kind]
    saved = _snapshot(entry)
    fields = _reauth_fields(kind) if flow == "reauth" else fields_of(Kind(kind))
    good = form_input(stack.sims[kind])
    user_input = {f: good[f] for f in fields if f in good}
    _damage(data, user_input, fields, ANY_CONFIG_VALUES.__getitem__)
    if data.draw(st.integers(0, 5), label="extra") == 0:
        user_input["kind"] = "portainer"  # not a field of these forms: refused by the schema
    flow_id = await (_open_reauth if flow == "reauth" else _open_reconfigure)(hass, entry)
    try:
        outcome = await submit(
            hass, hass.config_entries.flow, flow_id, user_input, stack, caplog,
            errors=CONFIG_ERRORS, what=(flow, kind),
        )  # fmt: skip
        if outcome.kind == "accepted" and outcome.result is not None:
            assert outcome.result["reason"] in (
                "reauth_successful",
                "reconfigure_successful",
                "already_configured",
                "wrong_server",
            ), outcome.result
            _assert_typed(kind, entry.data)
        else:
            assert _snapshot(entry) == saved
            hass.config_entries.flow.async_abort(flow_id)
    finally:
        await _restore(hass, entry, saved)


# -- options flows ------------------------------------------------------------------------


async def _open_options(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[str, set[str]]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return str(result["flow_id"]), _form_fields(result)


def _good_options(kind: str) -> dict[str, Any]:
    """A valid options form of ``kind``."""
    forms: dict[str, dict[str, Any]] = {
        "qbittorrent": {
            "torrent_entities": False,
            "torrent_count": 10,
            "movie_category": "movies",
            "tv_category": "tv",
            "library_folders": "movies=/media/Movies\ntv=/media/Shows",
        },
        "jackett": {
            "preferred_resolutions": ["1080p"],
            "allowed_resolutions": ["1080p", "720p"],
            "min_seeders": 1,
            "max_size_movies_gb": 20,
            "max_size_tv_gb": 5,
        },
        "tmdb": {"cache_ttl": 60},
        "watchmode": {"cache_ttl": 60, "my_services": ["Netflix"]},
    }
    return forms[kind]


async def test_options_forms_list_the_fields_the_strategies_know(
    hass: HomeAssistant, stack: Stack
) -> None:
    """Every kind with options is covered, each form field has strategies, good input works."""
    assert set(OPTION_KINDS) == set(OPTION_FIELDS)
    for kind in OPTION_KINDS:
        flow_id, shown = await _open_options(hass, stack.entries[kind])
        assert shown == set(OPTION_FIELDS[kind]), (kind, shown)
        result = await hass.config_entries.options.async_configure(flow_id, _good_options(kind))
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert stack.requests() == 0


@EXAMPLES
@given(data=st.data())
async def test_options_refuse_certainly_bad_input(
    hass: HomeAssistant, stack: Stack, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """A certainly-bad field in good options: refused on that field, options unchanged."""
    kind = data.draw(st.sampled_from(OPTION_KINDS), label="kind")
    entry = stack.entries[kind]
    saved = _snapshot(entry)
    fields = tuple(f for f, spec in OPTION_FIELDS[kind].items() if f != "torrent_entities")

    def bad(field: str) -> st.SearchStrategy[Any]:
        return OPTION_FIELDS[kind][field].bad

    user_input, field = _corrupt(data, _good_options(kind), fields, bad)
    flow_id, _ = await _open_options(hass, entry)
    outcome = await submit(
        hass, hass.config_entries.options, flow_id, user_input, stack, caplog,
        errors=OPTIONS_ERRORS, what=(kind, field),
    )  # fmt: skip
    assert_refused_on(outcome, field, (kind, user_input[field]))
    assert _snapshot(entry) == saved
    # the flow is still usable
    good = await hass.config_entries.options.async_configure(flow_id, _good_options(kind))
    assert good["type"] is FlowResultType.CREATE_ENTRY, good
    await _restore(hass, entry, saved)


@EXAMPLES
@given(data=st.data())
async def test_options_take_anything_cleanly(
    hass: HomeAssistant, stack: Stack, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """Any values in any option fields: allowed outcomes; stored options are JSON-safe."""
    kind = data.draw(st.sampled_from(OPTION_KINDS), label="kind")
    entry = stack.entries[kind]
    saved = _snapshot(entry)
    user_input = _good_options(kind)
    _damage(data, user_input, tuple(OPTION_FIELDS[kind]), lambda f: OPTION_FIELDS[kind][f].anything)
    if data.draw(st.integers(0, 5), label="extra") == 0:
        user_input["unknown_option"] = 1
    flow_id, _ = await _open_options(hass, entry)
    try:
        outcome = await submit(
            hass, hass.config_entries.options, flow_id, user_input, stack, caplog,
            errors=OPTIONS_ERRORS, what=kind,
        )  # fmt: skip
        if outcome.kind == "accepted":
            # what is stored survives JSON (no NaN, no infinity) and reads back the same
            stored = dict(entry.options)
            assert json.loads(json.dumps(stored, allow_nan=False)) == stored
        else:
            assert _snapshot(entry) == saved
            hass.config_entries.options.async_abort(flow_id)
    finally:
        await _restore(hass, entry, saved)


# -- what the properties found, pinned ----------------------------------------------------

FOUND_CONFIG = [
    ("qbittorrent", CONF_URL, "http://\x1f/", "invalid_url"),  # yarl keeps it as the host
    ("qbittorrent", CONF_URL, "http://127.0.0.1:0", "invalid_url"),
    ("jackett", CONF_URL, "http://a b/", "invalid_url"),
    ("jackett", CONF_URL, "http://127.0.0.1\t:8080/", "invalid_url"),  # yarl drops the tab
    ("portainer", CONF_URL, f"http://{'x' * 64}.example/", "invalid_url"),  # a 64-char label
    ("jellyfin", CONF_API_KEY, 'abc"def', "invalid_api_key"),  # breaks Token="…"
    ("portainer", CONF_API_KEY, "ptr_abc\r\nX-Injected: 1", "invalid_api_key"),  # aiohttp raised
    ("tmdb", CONF_API_KEY, "", "invalid_api_key"),  # was sent as is
    ("watchmode", CONF_API_KEY, "k" * 5000, "invalid_api_key"),
    ("qbittorrent", CONF_USERNAME, "", "invalid_username"),  # was sent as is
    ("cloudcmd", CONF_PASSWORD, "pw\x00", "invalid_password"),
    ("cloudcmd", CONF_ROOT, "/media\x7f", "invalid_root"),  # DEL passed the < 32 check
    ("tmdb", CONF_LANGUAGE, "\x1fen-US", "invalid_language"),  # strip() hid it
    ("watchmode", CONF_REGION, "US\x1c", "invalid_region"),
]


@pytest.mark.parametrize(("kind", "field", "value", "error"), FOUND_CONFIG)
async def test_found_config_input_is_refused_on_its_field(
    hass: HomeAssistant,
    stack: Stack,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    field: str,
    value: str,
    error: str,
) -> None:
    """Each value the properties found: its own translated error, and no request."""
    assert error in CONFIG_ERRORS
    count = len(hass.config_entries.async_entries(DOMAIN))
    flow_id = await _open_user_form(hass, kind)
    user_input = {**form_input(stack.sims[kind]), field: value}
    outcome = await submit(
        hass, hass.config_entries.flow, flow_id, user_input, stack, caplog,
        errors=CONFIG_ERRORS, what=(kind, field),
    )  # fmt: skip
    assert outcome.kind == "refused"
    assert outcome.result is not None
    assert outcome.result["errors"] == {field: error}
    assert len(hass.config_entries.async_entries(DOMAIN)) == count


FOUND_OPTIONS = [
    ("tmdb", "cache_ttl", math.nan, "invalid_number"),  # int(nan) raised in the flow
    ("watchmode", "cache_ttl", 2.5, "invalid_number"),  # was cut to 2
    ("qbittorrent", "torrent_count", math.nan, "invalid_number"),
    ("jackett", "min_seeders", math.nan, "invalid_number"),
    ("jackett", "max_size_tv_gb", math.nan, "invalid_number"),
    ("qbittorrent", "movie_category", "/movies", "invalid_category"),  # qBittorrent refuses it
    ("qbittorrent", "tv_category", "\x1f", "invalid_category"),  # strip() hid it
    ("qbittorrent", "download_path", "/downloads\x1f", "invalid_folder"),
    ("qbittorrent", "library_folders", "movies=/media/Movies\x1etv=/x", "invalid_library_folders"),
    ("watchmode", "my_services", ["Net\x00flix"], "invalid_services"),
    ("watchmode", "my_services", ["x" * 101], "invalid_services"),
]


@pytest.mark.parametrize(("kind", "field", "value", "error"), FOUND_OPTIONS)
async def test_found_option_input_is_refused_on_its_field(
    hass: HomeAssistant,
    stack: Stack,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    field: str,
    value: Any,
    error: str,
) -> None:
    """Each value the properties found: its own translated error, the options unchanged."""
    assert error in OPTIONS_ERRORS
    entry = stack.entries[kind]
    saved = _snapshot(entry)
    flow_id, _ = await _open_options(hass, entry)
    outcome = await submit(
        hass, hass.config_entries.options, flow_id, {**_good_options(kind), field: value},
        stack, caplog, errors=OPTIONS_ERRORS, what=(kind, field),
    )  # fmt: skip
    assert outcome.kind == "refused"
    assert outcome.result is not None
    assert outcome.result["errors"] == {field: error}
    assert _snapshot(entry) == saved
