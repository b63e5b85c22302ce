"""Config flow for Pandora Box: one entry per upstream, chosen from a menu.

Every step checks what it was given against the live upstream before it
creates or changes an entry.  A malformed field, a host that cannot be
reached, credentials the upstream refuses and a URL where something other than
the expected service answers each get their own translated error, and the form
comes back with what the user typed.

What each kind asks for (its fields and their defaults), and whether it has
an options flow, comes from its package through the registry
(``upstreams/__init__.py``); the steps, the checks of each field and the
error mapping are the same for every kind.

Identity: Portainer and Jellyfin report a server id (``stable_id`` in the
registry), so a reauth or reconfigure that reaches a different server is
refused.  The other upstreams
have no such id; their entries are identified by URL (qBittorrent, Jackett,
CloudCmd with its root) or by a digest of the account's key (TMDB, Watchmode),
so reconfiguring them to a new URL or key moves the identity with it, unless
another entry already has it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
import re
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .api._http import parse_base_url
from .api.cloudcmd import NotFoundError as RootNotFoundError
from .api.errors import (
    AddressRefusedError,
    CannotConnectError,
    InvalidAuthError,
    PermissionDeniedError,
    ResponseError,
)
from .api.models import UpstreamInfo
from .const import (
    CONF_KIND,
    CONF_LANGUAGE,
    CONF_REGION,
    CONF_ROOT,
    DEFAULT_CLOUDCMD_ROOT,
    DEFAULT_LANGUAGE,
    DEFAULT_REGION,
    DOMAIN,
    LOGGER,
    Kind,
)
from .coordinator import PandoraConfigEntry
from .upstreams import UPSTREAMS, create_client, entry_title, upstream_of
from .validation import has_control_character, valid_api_key, valid_login_text

SECRETS: Final = frozenset({CONF_PASSWORD, CONF_API_KEY})
CREDENTIALS: Final = frozenset({CONF_USERNAME, CONF_PASSWORD, CONF_API_KEY})

_COMMON_DEFAULTS: Final[dict[str, Any]] = {
    CONF_VERIFY_SSL: True,
    CONF_LANGUAGE: DEFAULT_LANGUAGE,
    CONF_REGION: DEFAULT_REGION,
    CONF_ROOT: DEFAULT_CLOUDCMD_ROOT,
}
_TEXT = TextSelector()
_SELECTORS: Final = {
    CONF_URL: TextSelector(TextSelectorConfig(type=TextSelectorType.URL, autocomplete="url")),
    CONF_USERNAME: TextSelector(TextSelectorConfig(autocomplete="username")),
    CONF_PASSWORD: TextSelector(
        TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
    ),
    CONF_API_KEY: TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
    CONF_VERIFY_SSL: BooleanSelector(),
    CONF_LANGUAGE: _TEXT,
    CONF_REGION: _TEXT,
    CONF_ROOT: _TEXT,
}
_CREDENTIAL_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    CONF_USERNAME: valid_login_text,
    CONF_PASSWORD: valid_login_text,
    CONF_API_KEY: valid_api_key,
}
"""Checked before any request: a malformed credential gets ``invalid_<field>``."""
_LANGUAGE_RE: Final = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_REGION_RE: Final = re.compile(r"^[A-Z]{2}$")


def fields_of(kind: Kind) -> tuple[str, ...]:
    """The config-entry fields of ``kind``, in the order of its form."""
    return UPSTREAMS[kind].fields


def field_default(kind: Kind, field: str) -> Any:
    """Return the default of ``field`` for ``kind``, or ``None`` when it has none."""
    return UPSTREAMS[kind].defaults.get(field, _COMMON_DEFAULTS.get(field))


def _choice_fields(kind: Kind) -> frozenset[str]:
    """The credential fields of ``kind`` that belong to one of its alternatives."""
    return frozenset(f for choice in UPSTREAMS[kind].credential_choices for f in choice)


def _schema(
    kind: Kind, fields: tuple[str, ...], *, optional: frozenset[str] = frozenset()
) -> vol.Schema:
    """Build the form for ``fields`` of ``kind``; ``optional`` fields may stay empty.

    Fields of credential alternatives are always optional: the one typed in
    picks the alternative (``_pick_credentials``).
    """
    optional = optional | _choice_fields(kind)
    schema: dict[vol.Marker, Any] = {}
    for field in fields:
        default = field_default(kind, field)
        if field in optional:
            key: vol.Marker = vol.Optional(field)
        elif default is None:
            key = vol.Required(field)
        else:
            key = vol.Required(field, default=default)
        schema[key] = _SELECTORS[field]
    return vol.Schema(schema)


def _normalise(kind: Kind, data: dict[str, Any]) -> dict[str, str]:
    """Tidy the fields of ``data`` in place and return the errors of malformed ones."""
    # a control character anywhere, even where tidying would strip it: a typo or a
    # paste gone wrong, never part of a value (each field's error names its rules)
    errors: dict[str, str] = {
        field: f"invalid_{field}"
        for field in fields_of(kind)
        if isinstance(data.get(field), str) and has_control_character(data[field])
    }
    try:
        data[CONF_URL] = str(parse_base_url(str(data.get(CONF_URL, "")))).rstrip("/")
    except ValueError:
        errors[CONF_URL] = "invalid_url"
    if CONF_LANGUAGE in fields_of(kind):
        data[CONF_LANGUAGE] = str(data[CONF_LANGUAGE]).strip()
        if not _LANGUAGE_RE.match(data[CONF_LANGUAGE]):
            errors[CONF_LANGUAGE] = "invalid_language"
    if CONF_REGION in fields_of(kind):
        data[CONF_REGION] = str(data[CONF_REGION]).strip().upper()
        if not _REGION_RE.match(data[CONF_REGION]):
            errors[CONF_REGION] = "invalid_region"
    if CONF_ROOT in fields_of(kind):
        root = str(data[CONF_ROOT]).strip()
        parts = root.split("/")
        if (
            not root.startswith("/")
            or ".." in parts
            or any(ch in root for ch in "\\\0")
            or has_control_character(root)
        ):
            errors[CONF_ROOT] = "invalid_root"
        else:
            data[CONF_ROOT] = "/" + "/".join(p for p in parts if p and p != ".")
    if CONF_API_KEY in data:
        data[CONF_API_KEY] = str(data[CONF_API_KEY]).strip(" ")  # pasted with a space
    choices = _choice_fields(kind)
    for field, valid in _CREDENTIAL_CHECKS.items():
        if field not in fields_of(kind):
            continue
        if field in choices and data.get(field) in ("", None):
            continue  # an alternative left empty: _pick_credentials decides
        if not valid(str(data.get(field, ""))):
            errors[field] = f"invalid_{field}"
    if choices and not errors:
        errors = _pick_credentials(kind, data)
    return errors


def _pick_credentials(kind: Kind, data: dict[str, Any]) -> dict[str, str]:
    """Keep exactly one of ``kind``'s credential alternatives in ``data``; errors if not one.

    The alternative whose secret is given wins; the fields of the others are
    dropped (a user name typed next to an API key is not stored).  No secret,
    or secrets of two alternatives, is an error on each secret field; a
    chosen alternative missing a field is that field's ``invalid_<field>``.
    """
    choices = UPSTREAMS[kind].credential_choices
    for field in _choice_fields(kind):
        if data.get(field) in ("", None):
            data.pop(field, None)
    given = [c for c in choices if any(f in data for f in c if f in SECRETS)]
    secrets = sorted(f for c in choices for f in c if f in SECRETS)
    if not given:
        return dict.fromkeys(secrets, "credentials_missing")
    if len(given) > 1:
        return dict.fromkeys((f for f in secrets if f in data), "credentials_both")
    chosen = given[0]
    for field in _choice_fields(kind) - set(chosen):
        data.pop(field, None)
    return {field: f"invalid_{field}" for field in chosen if field not in data}


def _merge_credentials(
    kind: Kind, stored: Mapping[str, Any], user_input: Mapping[str, Any], *, keep: bool
) -> dict[str, Any]:
    """The stored data updated by a reauth's or reconfigure's input.

    A secret typed for one credential alternative replaces whatever
    alternative was stored (its fields are dropped first); without one, the
    stored alternative stays if ``keep`` (reconfigure), else nothing stays
    (reauth: the stored credentials were just refused).
    """
    merged = dict(stored)
    typed = {k: v for k, v in user_input.items() if v not in ("", None)}
    if not keep or any(f in typed for f in _choice_fields(kind) if f in SECRETS):
        for field in _choice_fields(kind):
            merged.pop(field, None)
    return {**merged, **typed}


def _unique_id(kind: Kind, info: UpstreamInfo) -> str:
    """Return the entry's unique id: the kind and what the upstream identified."""
    return f"{kind.value}:{info.unique_id}"


class PandoraBoxConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add, reauthenticate and reconfigure one upstream of the media box."""

    VERSION = 1
    MINOR_VERSION = 2
    """2: titles without versions (``naming.py``); ``async_migrate_entry`` renames."""

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: PandoraConfigEntry) -> OptionsFlow:
        """The options flow of the entry's kind (the registry's ``options_flow``)."""
        options_flow = upstream_of(config_entry.data).options_flow
        assert options_flow is not None  # async_supports_options_flow said so
        return options_flow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Only kinds with an options flow in the registry have options."""
        kind = config_entry.data.get(CONF_KIND)
        return kind in UPSTREAMS and UPSTREAMS[Kind(kind)].options_flow is not None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which upstream to add."""
        return self.async_show_menu(step_id="user", menu_options=[kind.value for kind in UPSTREAMS])

    async def _async_step_add(
        self, kind: Kind, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Show the form of ``kind``; validate live and create the entry."""
        errors: dict[str, str] = {}
        detail = ""
        if user_input is not None:
            data = {CONF_KIND: kind.value, **user_input}
            info, errors, detail = await self._async_validate(kind, data)
            if info is not None:
                await self.async_set_unique_id(_unique_id(kind, info))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=entry_title(data), data=data)
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(
                _schema(kind, fields_of(kind)), user_input or {}
            ),
            errors=errors,
            description_placeholders={"error_detail": detail},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication when the upstream refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials and check them before they replace the old."""
        entry = self._get_reauth_entry()
        kind = Kind(entry.data[CONF_KIND])
        fields = tuple(f for f in fields_of(kind) if f in CREDENTIALS)
        errors: dict[str, str] = {}
        detail = ""
        if user_input is not None:
            # alternatives: the one typed in replaces the stored one; else all as typed
            data = (
                _merge_credentials(kind, entry.data, user_input, keep=False)
                if _choice_fields(kind)
                else {**entry.data, **user_input}
            )
            info, errors, detail = await self._async_validate(kind, data)
            if info is not None:
                return await self._async_update_entry(entry, kind, info, data)
        suggested = {f: entry.data[f] for f in fields if f not in SECRETS and f in entry.data}
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                _schema(kind, fields), user_input or suggested
            ),
            errors=errors,
            description_placeholders={"name": entry.title, "error_detail": detail},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change any field of an entry; empty secrets keep the stored ones."""
        entry = self._get_reconfigure_entry()
        kind = Kind(entry.data[CONF_KIND])
        secrets = frozenset(f for f in fields_of(kind) if f in SECRETS)
        errors: dict[str, str] = {}
        detail = ""
        if user_input is not None:
            data = _merge_credentials(kind, entry.data, user_input, keep=True)
            info, errors, detail = await self._async_validate(kind, data)
            if info is not None:
                return await self._async_update_entry(entry, kind, info, data)
        suggested = {
            f: entry.data[f] for f in fields_of(kind) if f not in SECRETS and f in entry.data
        }
        shown = {k: v for k, v in (user_input or suggested).items() if k not in SECRETS}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _schema(kind, fields_of(kind), optional=secrets), shown
            ),
            errors=errors,
            description_placeholders={"name": entry.title, "error_detail": detail},
        )

    async def _async_update_entry(
        self, entry: ConfigEntry, kind: Kind, info: UpstreamInfo, data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Store checked data on ``entry`` (reauth or reconfigure) and reload it."""
        unique_id = _unique_id(kind, info)
        await self.async_set_unique_id(unique_id, raise_on_progress=False)
        if UPSTREAMS[kind].stable_id:
            self._abort_if_unique_id_mismatch(reason="wrong_server")
        elif any(
            other.unique_id == unique_id and other.entry_id != entry.entry_id
            for other in self._async_current_entries(include_ignore=False)
        ):
            return self.async_abort(reason="already_configured")
        # a title the user kept as we named it follows the new URL; their own stays
        title = entry_title(data) if entry.title == entry_title(entry.data) else entry.title
        return self.async_update_reload_and_abort(
            entry, unique_id=unique_id, title=title, data=data
        )

    async def _async_validate(
        self, kind: Kind, data: dict[str, Any]
    ) -> tuple[UpstreamInfo | None, dict[str, str], str]:
        """Tidy ``data`` in place and check it live.

        Returns what the upstream reported (``None`` on failure), the form
        errors and a detail for the error text (the client's message, which
        never contains a secret).
        """
        errors = _normalise(kind, data)
        if errors:
            return None, errors, ""
        handle = create_client(self.hass, data)
        try:
            return await handle.client.async_get_info(), {}, ""
        except AddressRefusedError as err:
            return None, {"base": "address_refused"}, err.message
        except InvalidAuthError as err:
            return None, {"base": "invalid_auth"}, err.message
        except CannotConnectError as err:
            return None, {"base": "cannot_connect"}, err.message
        except RootNotFoundError as err:
            return None, {CONF_ROOT: "root_not_found"}, err.message
        except PermissionDeniedError as err:
            return None, {"base": "missing_permission"}, err.message
        except ResponseError as err:
            return None, {CONF_URL: "wrong_service"}, err.message
        except Exception:  # noqa: BLE001 - any bug must show "unknown", not break the flow
            LOGGER.exception("Unexpected error while checking %s at %s", kind, data[CONF_URL])
            return None, {"base": "unknown"}, ""
        finally:
            if handle.close is not None:
                handle.close()


type AddStep = Callable[
    [PandoraBoxConfigFlow, dict[str, Any] | None], Coroutine[Any, Any, ConfigFlowResult]
]


def _add_step(kind: Kind) -> AddStep:
    """The menu's step of ``kind``: its form, built from what its package declares."""

    async def async_step(
        self: PandoraBoxConfigFlow, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_step_add(kind, user_input)

    async_step.__doc__ = f"Add a {kind} entry."
    return async_step


# Home Assistant finds a menu option's step by name (``async_step_<kind>``).
for _kind in UPSTREAMS:
    setattr(PandoraBoxConfigFlow, f"async_step_{_kind}", _add_step(_kind))
