"""Property: no action lets bad input through to an upstream or escape untranslated.

Every registered ``pandora_box`` action (whatever issue added it: the list is
read from Home Assistant and the fields from ``services.yaml``) is called
with generated input: wrong types, missing and unknown fields, huge strings,
path tricks, unknown entry ids, entries of the wrong kind, an entry that is
not loaded and one of another integration.  All seven kinds are loaded
against their simulators.  The only outcomes allowed:

* ``vol.Invalid`` from the action's schema, or a ``ServiceValidationError``
  with a translation of ours — and then **no request reached any upstream**;
* success, or a ``HomeAssistantError`` with a translation of ours (the input
  was acceptable and the upstream answered what it answered).

The coordinators are shut down after setup so that every request a simulator
logs during a call was made by that call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util.yaml import load_yaml_dict
from hypothesis import HealthCheck, given, settings, strategies as st
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.const import DOMAIN
from simulators import Simulator

from .helpers import KINDS, mock_entry, new_simulator

COMPONENT = Path(__file__).parent.parent / "custom_components" / "pandora_box"
EXCEPTIONS: dict[str, Any] = json.loads((COMPONENT / "strings.json").read_text(encoding="utf-8"))[
    "exceptions"
]
HUGE = st.builds(lambda n: "x" * n, st.just(200_000))
"""A 200 kB string (built, so a failing example's report stays short)."""

NASTY: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    HUGE,
    st.sampled_from(
        [
            "",
            " ",
            "/",
            "..",
            "../../etc/passwd",
            "%2e%2e%2f",
            "a\\b",
            "\x00\n\t",
            "all",
            "magnet:?xt=urn:btih:zz",
            "http://",
            "javascript:alert(1)",
            "movie",
            "tv",
        ]
    ),
    st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none()), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
"""Values that are wrong for most fields, and sometimes right by accident."""


def service_fields() -> dict[str, list[str]]:
    """Field names of every action in services.yaml."""
    raw = load_yaml_dict(COMPONENT / "services.yaml")
    return {name: list((spec or {}).get("fields", {})) for name, spec in raw.items()}


@dataclass
class Stack:
    """All seven kinds loaded, and ids to feed the actions."""

    sims: list[Simulator]
    entry_ids: list[str]

    def requests(self) -> int:
        """Requests all upstreams have received so far."""
        return sum(len(sim.requests) for sim in self.sims)


@pytest.fixture
async def stack(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Stack]:
    """One loaded entry per kind, polling stopped; plus an unloaded and a foreign entry."""
    sims: list[Simulator] = []
    entry_ids: list[str] = []
    try:
        for kind in KINDS:
            sim = new_simulator(kind, tmp_path)
            await sim.start()
            sims.append(sim)
            entry = mock_entry(sim, unique_id=f"{kind}:bad-input")
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            entry_ids.append(entry.entry_id)
        await hass.async_block_till_done()
        for entry in hass.config_entries.async_entries(DOMAIN):
            if (coordinator := entry.runtime_data.coordinator) is not None:
                await coordinator.async_shutdown()  # no background polls from here on
        unloaded = mock_entry(sims[-1], unique_id="unloaded:bad-input")
        unloaded.add_to_hass(hass)
        foreign = MockConfigEntry(domain="other_integration", title="other")
        foreign.add_to_hass(hass)
        entry_ids += [unloaded.entry_id, foreign.entry_id]
        yield Stack(sims, entry_ids)
    finally:
        for sim in sims:
            await sim.stop()


PLAUSIBLE: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=30),
    st.lists(st.text(max_size=12), max_size=3),
    st.integers(min_value=-5, max_value=10**7),
    st.booleans(),
)
"""Values of the right shape for many fields, so calls get past the schema and further."""


def payload(data: st.DataObject, fields: list[str], entry_ids: list[str]) -> dict[str, Any]:
    """Draw an action's input: some of its fields, nasty or plausible values, maybe extras."""
    names = [name for name in fields if name != "config_entry_id"]
    chosen = data.draw(
        st.sets(st.sampled_from(names), max_size=len(names)) if names else st.just(set())
    )
    values = data.draw(st.sampled_from([NASTY, PLAUSIBLE]))
    drawn: dict[str, Any] = {name: data.draw(values) for name in sorted(chosen)}
    if data.draw(st.integers(0, 4)) == 0:
        drawn["unknown_field"] = data.draw(NASTY)
    entry = data.draw(
        st.one_of(
            st.none(),  # left out
            st.sampled_from(entry_ids),  # of every kind: mostly the wrong one
            st.sampled_from(entry_ids),
            st.text(max_size=40),  # unknown
            NASTY,
        )
    )
    if entry is not None:
        drawn["config_entry_id"] = entry
    return drawn


def assert_ours(err: BaseException | None) -> None:
    """A translated error of this integration, whose key exists in strings.json."""
    assert isinstance(err, HomeAssistantError), repr(err)
    assert err.translation_domain == DOMAIN, repr(err)
    assert err.translation_key in EXCEPTIONS, repr(err)


@dataclass(frozen=True)
class Attempt:
    """How one call ended and whether it reached an upstream."""

    outcome: str
    """``ok``, ``schema`` (vol.Invalid), ``refused`` (ServiceValidationError),
    ``failed`` (another HomeAssistantError) or ``escaped`` (anything else)."""
    error: BaseException | None
    requests: int

    def check(self, *what: object) -> bool:
        """Assert an allowed outcome; return whether the input was refused."""
        assert self.outcome != "escaped", (*what, repr(self.error))
        if self.outcome in ("refused", "failed"):
            assert_ours(self.error)
        if self.outcome in ("schema", "refused"):
            assert self.requests == 0, (*what, self.outcome, "yet an upstream was asked")
            return True
        return False


async def attempt(
    hass: HomeAssistant, stack: Stack, action: str, data: dict[str, Any], *, response: bool
) -> Attempt:
    """Call ``action`` with ``data`` and classify the outcome."""
    before = stack.requests()
    outcome = "ok"
    error_seen: BaseException | None = None
    try:
        await hass.services.async_call(
            DOMAIN, action, data, blocking=True, return_response=response
        )
    except vol.Invalid as err:
        outcome, error_seen = "schema", err
    except ServiceValidationError as err:
        outcome, error_seen = "refused", err
    except HomeAssistantError as err:
        outcome, error_seen = "failed", err
    except Exception as err:  # noqa: BLE001 - what the property forbids, reported by check()
        outcome, error_seen = "escaped", err
    return Attempt(outcome, error_seen, stack.requests() - before)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_action_refuses_bad_input(
    hass: HomeAssistant, stack: Stack, data: st.DataObject
) -> None:
    """Each example calls every action once with drawn input; only the allowed outcomes."""
    actions = sorted(hass.services.async_services_for_domain(DOMAIN))
    assert actions, "no actions registered"
    fields = service_fields()
    for action in actions:
        service_data = payload(data, fields.get(action, []), stack.entry_ids)
        support = hass.services.supports_response(DOMAIN, action)
        want_response = support is SupportsResponse.ONLY or (
            support is SupportsResponse.OPTIONAL and data.draw(st.booleans())
        )
        result = await attempt(hass, stack, action, service_data, response=want_response)
        result.check(action)


async def test_every_action_has_fields_in_services_yaml(hass: HomeAssistant, stack: Stack) -> None:
    """The generator knows every registered action's fields (services.yaml is complete)."""
    actions = set(hass.services.async_services_for_domain(DOMAIN))
    assert actions <= set(service_fields()), actions - set(service_fields())


async def test_wrong_kind_and_unknown_entry_are_refused_without_requests(
    hass: HomeAssistant, stack: Stack
) -> None:
    """Deterministic corner: every action with an unknown id, each kind's entry, unloaded, foreign.

    Unknown, unloaded and foreign entries are always refused without a
    request; of the seven kinds' entries at most one (the action's own kind)
    may get past validation.
    """
    kinds_ids = stack.entry_ids[: len(KINDS)]
    never_ok = ["no-such-entry", *stack.entry_ids[len(KINDS) :]]
    for action in sorted(hass.services.async_services_for_domain(DOMAIN)):
        want = hass.services.supports_response(DOMAIN, action) is SupportsResponse.ONLY
        accepted: list[str] = []
        for entry_id in [*never_ok, *kinds_ids]:
            result = await attempt(
                hass, stack, action, {"config_entry_id": entry_id}, response=want
            )
            if not result.check(action, entry_id):
                accepted.append(entry_id)
        assert not set(accepted) & set(never_ok), (action, accepted)
        assert len(accepted) <= 1, (action, accepted)


async def test_every_field_refuses_non_finite_and_huge_numbers(
    hass: HomeAssistant, stack: Stack
) -> None:
    """Each field of each action given inf, -inf, nan or 10**400: refused, never a traceback.

    (``vol.Coerce(int)`` lets ``OverflowError`` through for infinities: YAML's ``.inf``.)
    """
    fields = service_fields()
    escaped: list[tuple[str, str, str, str]] = []
    for action in sorted(hass.services.async_services_for_domain(DOMAIN)):
        want = hass.services.supports_response(DOMAIN, action) is SupportsResponse.ONLY
        for field in fields.get(action, []):
            for value in (float("inf"), float("-inf"), float("nan"), 10**400):
                result = await attempt(hass, stack, action, {field: value}, response=want)
                if result.outcome == "escaped":
                    escaped.append((action, field, repr(value)[:12], repr(result.error)[:80]))
                else:
                    result.check(action, field, value)
    assert not escaped, escaped
