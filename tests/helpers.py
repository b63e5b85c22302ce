"""Helpers shared by the integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pandora_box.config_flow import field_default, fields_of
from custom_components.pandora_box.const import CONF_KIND, DOMAIN, Kind
from custom_components.pandora_box.upstreams import Upstream
from simulators import SIMULATORS, Simulator

KINDS = tuple(SIMULATORS)

LISTENERS = ("pandora_box jellyfin push",)
"""Name prefixes of entry background tasks that live as long as their entry."""


async def settle(hass: HomeAssistant) -> None:
    """``async_block_till_done(wait_background_tasks=True)``, but for the listeners.

    A Jellyfin entry's push task (``upstreams/jellyfin/push.py``) runs until
    the entry unloads, so waiting for every background task would never end;
    this waits for the others (scheduled polls, setup retries) instead.
    """
    while True:
        await hass.async_block_till_done()
        pending = [
            task
            for task in hass._background_tasks  # what block_till_done waits for
            if not task.done()
            and not (isinstance(task, asyncio.Task) and task.get_name().startswith(LISTENERS))
        ]
        if not pending:
            return
        await asyncio.wait(pending)


def new_simulator(kind: str, tmp_path: Path, **kwargs: object) -> Simulator:
    """Create (not start) a simulator of ``kind``; CloudCmd serves a fresh folder."""
    cls = SIMULATORS[kind]
    if kind == "cloudcmd":
        root = tmp_path / f"cloudcmd-root-{len(list(tmp_path.iterdir()))}"
        root.mkdir()
        return cls(root=root, **kwargs)  # type: ignore[call-arg]
    return cls(**kwargs)


def manifest_entry_data(kind: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Config-entry data (kind included) for ``kind``'s ``manifest``, as the flow stores it."""
    data: dict[str, Any] = {CONF_KIND: kind}
    for field in fields_of(Kind(kind)):
        default = field_default(Kind(kind), field)
        if field in manifest or default is not None:  # an unused alternative stays out
            data[field] = manifest.get(field, default)
    return data


def entry_data(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Config-entry data (kind included) that reaches ``sim``, as the flow stores it."""
    data = manifest_entry_data(sim.kind, sim.manifest())
    data.update(overrides)
    return data


def form_input(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """What a user types into the kind's form to reach ``sim``."""
    data = entry_data(sim, **overrides)
    del data[CONF_KIND]
    return data


def secret_field(kind: str) -> str:
    """The field holding the secret credential of ``kind``."""
    return CONF_PASSWORD if CONF_PASSWORD in fields_of(Kind(kind)) else CONF_API_KEY


def mock_entry(
    sim: Simulator,
    *,
    unique_id: str | None = None,
    title: str | None = None,
    entry_id: str | None = None,
    options: dict[str, Any] | None = None,
    version: int = 1,
    minor_version: int = 2,
    **overrides: Any,
) -> MockConfigEntry:
    """A config entry of ``sim``'s kind pointing at ``sim`` (``overrides`` go in its data).

    A fixed ``entry_id`` keeps unique ids (built from it) stable for snapshots.
    """
    extra: dict[str, Any] = {} if entry_id is None else {"entry_id": entry_id}
    return MockConfigEntry(
        domain=DOMAIN,
        title=title or f"{sim.kind} test",
        data=entry_data(sim, **overrides),
        options=options or {},
        unique_id=unique_id or f"{sim.kind}:test",
        version=version,
        minor_version=minor_version,
        **extra,
    )


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` to Home Assistant and set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def loaded_entry(hass: HomeAssistant, sim: Simulator, **kwargs: Any) -> MockConfigEntry:
    """A set-up entry of ``sim``'s kind (``kwargs`` as for :func:`mock_entry`)."""
    entry = mock_entry(sim, **kwargs)
    await setup_integration(hass, entry)
    return entry


def state_of(entry: ConfigEntry) -> ConfigEntryState:
    """The entry's state now (a call, so type checkers do not carry an old narrowing)."""
    return entry.state


@contextmanager
def only_platforms(*platforms: Platform) -> Iterator[None]:
    """Set entries up with only ``platforms`` forwarded (core's platform filter)."""
    with patch.object(
        Upstream, "forwarded_platforms", new_callable=PropertyMock, return_value=list(platforms)
    ):
        yield
