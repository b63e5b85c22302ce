"""Config flow for Pandora Box: one entry per upstream, chosen from a menu.

Every step checks what it was given against the live upstream before it
creates or changes an entry.  A malformed field, a host that cannot be
reached, credentials the upstream refuses and a URL where something other than
the expected service answers each get their own translated error, and the form
comes back with what the user typed.

Identity: Portainer and Jellyfin report a server id, so a reauth or
reconfigure that reaches a different server is refused.  The other upstreams
have no such id; their entries are identified by URL (qBittorrent, Jackett,
CloudCmd with its root) or by a digest of the account's key (TMDB, Watchmode),
so reconfiguring them to a new URL or key moves the identity with it, unless
another entry already has it.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
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
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .api._http import parse_base_url
from .api.cloudcmd import NotFoundError as RootNotFoundError
from .api.errors import CannotConnectError, InvalidAuthError, ResponseError
from .api.models import UpstreamInfo
from .clients import create_client
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
    TMDB_DEFAULT_URL,
    WATCHMODE_DEFAULT_URL,
    Kind,
)
from .coordinator import PandoraConfigEntry
from .jackett import JackettOptionsFlow
from .postprocess import (
    options_fields as library_options_fields,
    options_from_input as library_options_from_input,
    options_suggested as library_options_suggested,
)
from .qbittorrent import (
    CONF_TORRENT_COUNT,
    CONF_TORRENT_ENTITIES,
    MAX_TORRENT_COUNT,
    TorrentOptions,
)
from .tmdb import TMDBOptionsFlow
from .watchmode import WatchmodeOptionsFlow

FIELDS: Final[dict[Kind, tuple[str, ...]]] = {
    Kind.QBITTORRENT: (CONF_URL, CONF_USERNAME, CONF_PASSWORD, CONF_VERIFY_SSL),
    Kind.JACKETT: (CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
    Kind.TMDB: (CONF_URL, CONF_API_KEY, CONF_LANGUAGE, CONF_REGION),
    Kind.WATCHMODE: (CONF_URL, CONF_API_KEY, CONF_REGION),
    Kind.CLOUDCMD: (CONF_URL, CONF_USERNAME, CONF_PASSWORD, CONF_ROOT, CONF_VERIFY_SSL),
    Kind.PORTAINER: (CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
    Kind.JELLYFIN: (CONF_URL, CONF_API_KEY, CONF_VERIFY_SSL),
}
SECRETS: Final = frozenset({CONF_PASSWORD, CONF_API_KEY})
CREDENTIALS: Final = frozenset({CONF_USERNAME, CONF_PASSWORD, CONF_API_KEY})
STABLE_ID_KINDS: Final = frozenset({Kind.PORTAINER, Kind.JELLYFIN})

_DEFAULTS: Final[dict[Kind, dict[str, Any]]] = {
    Kind.TMDB: {CONF_URL: TMDB_DEFAULT_URL},
    Kind.WATCHMODE: {CONF_URL: WATCHMODE_DEFAULT_URL},
}
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
_LANGUAGE_RE: Final = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_REGION_RE: Final = re.compile(r"^[A-Z]{2}$")


def field_default(kind: Kind, field: str) -> Any:
    """Return the default of ``field`` for ``kind``, or ``None`` when it has none."""
    return _DEFAULTS.get(kind, {}).get(field, _COMMON_DEFAULTS.get(field))


def _schema(
    kind: Kind, fields: tuple[str, ...], *, optional: frozenset[str] = frozenset()
) -> vol.Schema:
    """Build the form for ``fields`` of ``kind``; ``optional`` fields may stay empty."""
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
    errors: dict[str, str] = {}
    try:
        data[CONF_URL] = str(parse_base_url(str(data.get(CONF_URL, "")))).rstrip("/")
    except ValueError:
        errors[CONF_URL] = "invalid_url"
    if CONF_LANGUAGE in FIELDS[kind]:
        data[CONF_LANGUAGE] = str(data[CONF_LANGUAGE]).strip()
        if not _LANGUAGE_RE.match(data[CONF_LANGUAGE]):
            errors[CONF_LANGUAGE] = "invalid_language"
    if CONF_REGION in FIELDS[kind]:
        data[CONF_REGION] = str(data[CONF_REGION]).strip().upper()
        if not _REGION_RE.match(data[CONF_REGION]):
            errors[CONF_REGION] = "invalid_region"
    if CONF_ROOT in FIELDS[kind]:
        root = str(data[CONF_ROOT]).strip()
        parts = root.split("/")
        if (
            not root.startswith("/")
            or ".." in parts
            or any(ch in root for ch in "\\\0")
            or any(ord(ch) < 32 for ch in root)
        ):
            errors[CONF_ROOT] = "invalid_root"
        else:
            data[CONF_ROOT] = "/" + "/".join(p for p in parts if p and p != ".")
    return errors


def _unique_id(kind: Kind, info: UpstreamInfo) -> str:
    """Return the entry's unique id: the kind and what the upstream identified."""
    return f"{kind.value}:{info.unique_id}"


class PandoraBoxConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add, reauthenticate and reconfigure one upstream of the media box."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: PandoraConfigEntry) -> OptionsFlow:
        """The options flow of the entry's kind (see ``OPTIONS_FLOWS``)."""
        return OPTIONS_FLOWS[Kind(config_entry.data[CONF_KIND])]()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Only kinds listed in ``OPTIONS_FLOWS`` have options."""
        return config_entry.data.get(CONF_KIND) in OPTIONS_FLOWS

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which upstream to add."""
        return self.async_show_menu(step_id="user", menu_options=[kind.value for kind in Kind])

    async def async_step_qbittorrent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a qBittorrent WebUI."""
        return await self._async_step_add(Kind.QBITTORRENT, user_input)

    async def async_step_jackett(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Jackett server."""
        return await self._async_step_add(Kind.JACKETT, user_input)

    async def async_step_tmdb(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add a TMDB account."""
        return await self._async_step_add(Kind.TMDB, user_input)

    async def async_step_watchmode(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Watchmode account."""
        return await self._async_step_add(Kind.WATCHMODE, user_input)

    async def async_step_cloudcmd(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a CloudCmd file manager."""
        return await self._async_step_add(Kind.CLOUDCMD, user_input)

    async def async_step_portainer(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Portainer server."""
        return await self._async_step_add(Kind.PORTAINER, user_input)

    async def async_step_jellyfin(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Jellyfin server."""
        return await self._async_step_add(Kind.JELLYFIN, user_input)

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
                return self.async_create_entry(title=info.name, data=data)
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(
                _schema(kind, FIELDS[kind]), user_input or {}
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
        fields = tuple(f for f in FIELDS[kind] if f in CREDENTIALS)
        errors: dict[str, str] = {}
        detail = ""
        if user_input is not None:
            data = {**entry.data, **user_input}
            info, errors, detail = await self._async_validate(kind, data)
            if info is not None:
                return await self._async_update_entry(entry, kind, info, data)
        suggested = {f: entry.data[f] for f in fields if f not in SECRETS}
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
        secrets = frozenset(f for f in FIELDS[kind] if f in SECRETS)
        errors: dict[str, str] = {}
        detail = ""
        if user_input is not None:
            data = {**entry.data, **{k: v for k, v in user_input.items() if v not in ("", None)}}
            info, errors, detail = await self._async_validate(kind, data)
            if info is not None:
                return await self._async_update_entry(entry, kind, info, data)
        suggested = {f: entry.data[f] for f in FIELDS[kind] if f not in SECRETS}
        shown = {k: v for k, v in (user_input or suggested).items() if k not in SECRETS}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _schema(kind, FIELDS[kind], optional=secrets), shown
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
        if kind in STABLE_ID_KINDS:
            self._abort_if_unique_id_mismatch(reason="wrong_server")
        elif any(
            other.unique_id == unique_id and other.entry_id != entry.entry_id
            for other in self._async_current_entries(include_ignore=False)
        ):
            return self.async_abort(reason="already_configured")
        return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)

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
        except InvalidAuthError as err:
            return None, {"base": "invalid_auth"}, err.message
        except CannotConnectError as err:
            return None, {"base": "cannot_connect"}, err.message
        except RootNotFoundError as err:
            return None, {CONF_ROOT: "root_not_found"}, err.message
        except ResponseError as err:
            return None, {CONF_URL: "wrong_service"}, err.message
        except Exception:  # noqa: BLE001 - any bug must show "unknown", not break the flow
            LOGGER.exception("Unexpected error while checking %s at %s", kind, data[CONF_URL])
            return None, {"base": "unknown"}, ""
        finally:
            if handle.close is not None:
                handle.close()


# -- qBittorrent options (issue 5) --


class QBittorrentOptionsFlow(OptionsFlowWithReload):
    """Per-torrent entities of a qBittorrent entry: on or off, and for how many torrents.

    The entry reloads (Home Assistant's automatic reload) only when the torrent
    entity options changed; the download and library fields apply from the next
    download without one.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options; the entry reloads when they changed.

        Issue 8 adds the download and library fields (``postprocess.py``):
        categories for ``download_media``, category → library folder, and the
        download folder as qBittorrent and as CloudCmd name it.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            library, errors = library_options_from_input(user_input)
            if not errors:
                options = TorrentOptions.from_options(user_input)
                self.automatic_reload = options != TorrentOptions.from_options(
                    self.config_entry.options
                )
                return self.async_create_entry(
                    data={
                        CONF_TORRENT_ENTITIES: options.torrent_entities,
                        CONF_TORRENT_COUNT: options.torrent_count,
                        **library,
                    }
                )
        current = TorrentOptions.from_options(self.config_entry.options)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_TORRENT_ENTITIES, default=current.torrent_entities
                ): BooleanSelector(),
                vol.Required(CONF_TORRENT_COUNT, default=current.torrent_count): NumberSelector(
                    NumberSelectorConfig(
                        min=1, max=MAX_TORRENT_COUNT, step=1, mode=NumberSelectorMode.BOX
                    )
                ),
                **library_options_fields(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or library_options_suggested(self.config_entry.options)
            ),
            errors=errors,
        )


OPTIONS_FLOWS: dict[Kind, type[OptionsFlow]] = {
    Kind.QBITTORRENT: QBittorrentOptionsFlow,
    Kind.JACKETT: JackettOptionsFlow,
    Kind.TMDB: TMDBOptionsFlow,
    Kind.WATCHMODE: WatchmodeOptionsFlow,
}
"""The options flow of each kind that has options; each kind adds its own line."""
