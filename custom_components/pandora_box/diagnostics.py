"""Diagnostics of Pandora Box entries and their devices, with every secret removed.

An entry's dump holds its config entry (data and options redacted), what the
upstream reported at setup, the coordinator's state and latest data (kinds
that poll), and the health monitor (``health.py``).  A device's dump holds
the device and the current state of its entities.

Coordinator data are dataclass trees (one per kind, see
``upstreams/<kind>/coordinator.py``); ``as_jsonable`` turns any of them into
JSON types field by field, so a kind that gains a coordinator is covered
without a change here.

Secrets are removed three ways, because a dump is pasted into public
issues:

1. the value of every key named like a secret (``TO_REDACT``: the shared
   ones and each upstream's ``redact`` of the registry) replaced, at any
   depth (``scrub``);
2. user-info and secret query parameters stripped from every URL-like string;
3. every configured secret value (``SECRET_FIELDS`` of the entry's data and
   options, user names aside) replaced wherever it still occurs in any
   string of the dump, e.g. inside a URL or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from pathlib import PurePath
import re
from typing import Any, Final

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import (
    CONF_ACCESS_TOKEN,
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from yarl import URL

from .api.errors import PandoraError
from .coordinator import PandoraConfigEntry
from .upstreams import UPSTREAMS

SECRET_FIELDS: Final = frozenset(
    {CONF_PASSWORD, CONF_API_KEY, CONF_TOKEN, CONF_ACCESS_TOKEN, CONF_USERNAME}
)
"""Entry data/options fields whose values must never appear in a dump."""

TO_REDACT: Final = SECRET_FIELDS.union(
    {
        "api_token",
        "apikey",
        "apiKey",
        "authorization",
        "Authorization",
        "cookie",
        "cookies",
        "passkey",
        "refresh_token",
        "secret",
    },
    *(upstream.redact for upstream in UPSTREAMS.values()),
)
"""Keys whose values are replaced wherever they occur in a dump (each upstream adds its own)."""

MAX_ITEMS: Final = 100
"""Items kept of any one list or mapping of coordinator data (a dump stays readable)."""

_URL_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_SECRET_QUERY_KEYS = frozenset(
    {
        "apikey",
        "api_key",
        "jackett_apikey",
        "token",
        "access_token",
        "passkey",
        "password",
        "key",
        "sid",
    }
)
_MIN_SECRET_LEN = 3
"""Shorter configured values are not searched for (they would garble unrelated text)."""


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PandoraConfigEntry
) -> dict[str, Any]:
    """Diagnostics of one entry: config, runtime, coordinator data, health."""
    runtime = entry.runtime_data
    dump: dict[str, Any] = {
        "entry": entry.as_dict(),
        "kind": runtime.kind.value,
        "upstream": as_jsonable(runtime.info),
        "health": runtime.health.as_dict() if runtime.health is not None else None,
        "coordinator": None,
        "data": None,
    }
    if (coordinator := runtime.coordinator) is not None:
        interval = coordinator.update_interval
        dump["coordinator"] = {
            "last_update_success": coordinator.last_update_success,
            "update_interval": interval.total_seconds() if interval else None,
            "last_exception": (
                repr(coordinator.last_exception) if coordinator.last_exception else None
            ),
        }
        dump["data"] = as_jsonable(coordinator.data)
    result: dict[str, Any] = scrub(dump, configured_secrets(entry))
    return result


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: PandoraConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Diagnostics of one device (a service, container, stack, torrent …) and its entities."""
    registry = er.async_get(hass)
    entities: list[dict[str, Any]] = []
    for entity in er.async_entries_for_device(registry, device.id, include_disabled_entities=True):
        state = hass.states.get(entity.entity_id)
        entities.append(
            {
                "entity_id": entity.entity_id,
                "unique_id": entity.unique_id,
                "translation_key": entity.translation_key,
                "disabled_by": entity.disabled_by,
                "state": state.state if state is not None else None,
                "attributes": dict(state.attributes) if state is not None else None,
            }
        )
    dump = {
        "device": {
            "name": device.name,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "sw_version": device.sw_version,
            "entry_type": device.entry_type,
            "identifiers": sorted(list(identifier) for identifier in device.identifiers),
            "via_device": device.via_device_id is not None,
        },
        "entities": sorted(entities, key=lambda item: str(item["unique_id"])),
    }
    result: dict[str, Any] = scrub(as_jsonable(dump), configured_secrets(entry))
    return result


def configured_secrets(entry: PandoraConfigEntry) -> set[str]:
    """The secret values configured in ``entry`` (data and options).

    User names are redacted where they are a field, but not searched for:
    a name like ``admin`` is no secret and would garble unrelated text.
    """
    return {
        value
        for source in (entry.data, entry.options)
        for key, value in source.items()
        if key in SECRET_FIELDS - {CONF_USERNAME}
        and isinstance(value, str)
        and len(value) >= _MIN_SECRET_LEN
    }


def as_jsonable(value: Any) -> Any:
    """Turn coordinator data (dataclasses, mappings, sequences, dates …) into JSON types."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return as_jsonable(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath | URL):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, PandoraError):
        return value.message  # written for people, without secrets (scrubbed anyway)
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: as_jsonable(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Mapping):
        items = list(value.items())
        result = {str(key): as_jsonable(item) for key, item in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            result["…"] = f"{len(items) - MAX_ITEMS} more"
        return result
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
        result_list = [as_jsonable(item) for item in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            result_list.append(f"… {len(items) - MAX_ITEMS} more")
        return result_list
    return f"<{type(value).__name__}>"


def scrub(value: Any, secrets: set[str]) -> Any:
    """Redact secret keys, URLs' user-info and secret query values, and ``secrets``."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED if key in TO_REDACT else scrub(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, str):
        text = _URL_RE.sub(lambda match: redact_url(match.group(0)), value)
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text
    return value


def redact_url(text: str) -> str:
    """``text`` (a URL) without user-info and with secret query values redacted."""
    try:
        url = URL(text)
    except ValueError:
        return text
    secret_query = _secret_query(url)
    if url.user is None and url.password is None and not secret_query:
        return text
    if url.user is not None or url.password is not None:
        url = url.with_user(REDACTED).with_password(None)
    if secret_query:
        url = url.with_query(
            {
                key: REDACTED if key.lower() in _SECRET_QUERY_KEYS else value
                for key, value in url.query.items()
            }
        )
    return str(url)


def _secret_query(url: URL) -> bool:
    """Whether ``url`` carries a secret in its query string."""
    return any(key.lower() in _SECRET_QUERY_KEYS for key in url.query)
