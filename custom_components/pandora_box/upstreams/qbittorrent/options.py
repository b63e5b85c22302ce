"""The options of a qBittorrent entry: per-torrent entities, downloads and the library.

The options flow asks for both parts.  Per-torrent entities (on or off, and
for how many torrents) are read by the coordinator (``tracker.TorrentOptions``).
Downloads and the library are read by ``download_media`` (the categories films
and shows get) and by post-processing (``media/postprocess.py``: category →
library folder, and the download folder as qBittorrent and as CloudCmd name
it), through :class:`LibraryOptions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import probatio as vol

from ...const import DEFAULT_LIBRARY_FOLDERS
from ...validation import form_number, has_control_character, valid_category_name
from ..cloudcmd import PathRejectedError, confine, replace_prefix
from .tracker import CONF_TORRENT_COUNT, CONF_TORRENT_ENTITIES, MAX_TORRENT_COUNT, TorrentOptions

CONF_LIBRARY_FOLDERS: Final = "library_folders"
"""qBittorrent option: category → library folder (a CloudCmd path)."""
CONF_DOWNLOAD_PATH: Final = "download_path"
"""qBittorrent option: the download folder as qBittorrent names it."""
CONF_CLOUDCMD_DOWNLOAD_PATH: Final = "cloudcmd_download_path"
"""qBittorrent option: the same folder as CloudCmd names it."""


def parse_library_folders(text: str) -> dict[str, str]:
    """Parse ``category=folder`` lines (``:`` works too); raise ``ValueError`` on a bad line.

    Empty lines are skipped; the folder is checked to be a plain path
    (``cloudcmd.paths.confine`` against ``/``), its final check against the CloudCmd
    root comes when a download completes.
    """
    if has_control_character(text.replace("\r\n", "\n").replace("\n", "")):
        # splitlines() would take \x1c-\x1e and \x85 for line breaks
        raise ValueError("control character in the folders")
    folders: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        sep = "=" if "=" in line else ":"
        category, found, folder = (part.strip() for part in line.partition(sep))
        if not found or not category or not folder:
            raise ValueError(f"not category=folder: {line!r}")
        try:
            confine("/", folder)
        except PathRejectedError as err:
            raise ValueError(f"bad folder in {line!r}") from err
        folders[category] = folder
    return folders


def format_library_folders(folders: Mapping[str, str]) -> str:
    """The text the options form shows for a mapping."""
    return "\n".join(f"{category}={folder}" for category, folder in folders.items())


def check_folder(path: str) -> str:
    """Return a path option tidied (absolute, normalised); raise ``ValueError`` if refused."""
    try:
        return confine("/", path)
    except PathRejectedError as err:
        raise ValueError(str(err)) from err


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryOptions:
    """The post-processing options of a qBittorrent entry."""

    folders: Mapping[str, str]
    download_path: str | None = None
    cloudcmd_download_path: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> LibraryOptions:
        """Read an entry's options (anything malformed counts as unset).

        Never set: the defaults of the documented stack (``docs/docker-compose.yml``:
        ``movies`` → ``/media/Movies``, ``tv`` → ``/media/Shows``), so it works
        without edits; set to nothing in the options form: post-processing is off.
        """
        raw = options.get(CONF_LIBRARY_FOLDERS, DEFAULT_LIBRARY_FOLDERS)
        folders = (
            {str(k): str(v) for k, v in raw.items() if k and v} if isinstance(raw, dict) else {}
        )
        download = options.get(CONF_DOWNLOAD_PATH)
        cloudcmd = options.get(CONF_CLOUDCMD_DOWNLOAD_PATH)
        return cls(
            folders=folders,
            download_path=download if isinstance(download, str) and download else None,
            cloudcmd_download_path=cloudcmd if isinstance(cloudcmd, str) and cloudcmd else None,
        )

    def map_save_path(self, save_path: str) -> str:
        """Return qBittorrent's save path in CloudCmd's names (prefix replaced segment-wise)."""
        source, target = self.download_path, self.cloudcmd_download_path
        if source is None or target is None:
            return save_path
        mapped = replace_prefix(save_path, source, target)
        return save_path if mapped is None else mapped

    def qbittorrent_path(self, folder: str) -> str | None:
        """Return a CloudCmd folder in qBittorrent's names (the reverse of ``map_save_path``).

        ``None`` when a mapping is set and the folder lies outside its
        CloudCmd side: qBittorrent has no name for it that we know.
        """
        source, target = self.download_path, self.cloudcmd_download_path
        if source is None or target is None:
            return folder
        return replace_prefix(folder, target, source)


CONF_MOVIE_CATEGORY: Final = "movie_category"
"""qBittorrent option: the category ``download_media`` gives films (default ``movies``)."""
CONF_TV_CATEGORY: Final = "tv_category"
"""qBittorrent option: the category ``download_media`` gives shows (default ``tv``)."""
DEFAULT_MOVIE_CATEGORY: Final = "movies"
DEFAULT_TV_CATEGORY: Final = "tv"

_TEXT_OPTIONS: Final = (
    CONF_MOVIE_CATEGORY,
    CONF_TV_CATEGORY,
    CONF_DOWNLOAD_PATH,
    CONF_CLOUDCMD_DOWNLOAD_PATH,
)


def library_options_fields() -> dict[vol.Marker, Any]:
    """The options-form fields of downloads and the library (all optional)."""
    text = TextSelector()
    return {
        vol.Optional(CONF_MOVIE_CATEGORY): text,
        vol.Optional(CONF_TV_CATEGORY): text,
        vol.Optional(CONF_LIBRARY_FOLDERS): TextSelector(TextSelectorConfig(multiline=True)),
        vol.Optional(CONF_DOWNLOAD_PATH): text,
        vol.Optional(CONF_CLOUDCMD_DOWNLOAD_PATH): text,
    }


def library_options_suggested(options: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for stored options (the folders as ``category=folder`` lines)."""
    shown: dict[str, Any] = {k: options[k] for k in _TEXT_OPTIONS if options.get(k)}
    folders = LibraryOptions.from_options(options).folders
    if folders:
        shown[CONF_LIBRARY_FOLDERS] = format_library_folders(folders)
    return shown


def library_options_from_input(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the form's download and library fields; return the options and form errors.

    Empty fields are left out (they mean "the default" or "not set").
    """
    options: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in (CONF_MOVIE_CATEGORY, CONF_TV_CATEGORY):
        raw = str(user_input.get(key) or "")
        value = raw.strip()
        # a control character is refused even where stripping would hide it
        if has_control_character(raw) or (value and not valid_category_name(value)):
            errors[key] = "invalid_category"  # qBittorrent would refuse every download
        elif value:
            options[key] = value
    try:
        folders = parse_library_folders(str(user_input.get(CONF_LIBRARY_FOLDERS) or ""))
    except ValueError:
        # options-flow errors live in strings.json ``options.error``
        field = CONF_LIBRARY_FOLDERS
        errors[field] = "invalid_library_folders"
    else:
        # kept even when empty: an emptied field turns post-processing off,
        # where a never-saved form means the documented defaults
        options[CONF_LIBRARY_FOLDERS] = folders
    mapping: dict[str, str] = {}
    for key in (CONF_DOWNLOAD_PATH, CONF_CLOUDCMD_DOWNLOAD_PATH):
        raw = str(user_input.get(key) or "")
        value = raw.strip()
        if has_control_character(raw):  # even where stripping would hide it
            errors[key] = "invalid_folder"
        elif value:
            try:
                mapping[key] = check_folder(value)
            except ValueError:
                errors[key] = "invalid_folder"
    if len(mapping) == 1 and not errors:
        missing = (
            CONF_CLOUDCMD_DOWNLOAD_PATH if CONF_DOWNLOAD_PATH in mapping else CONF_DOWNLOAD_PATH
        )
        errors[missing] = "path_mapping_incomplete"
    options.update(mapping)
    return options, errors


class QBittorrentOptionsFlow(OptionsFlowWithReload):
    """The options of a qBittorrent entry: per-torrent entities, downloads and the library.

    The entry reloads (Home Assistant's automatic reload) only when the
    per-torrent entity options changed; the download and library fields apply
    from the next download without one.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options; the entry reloads when the entity options changed.

        Per-torrent entities (on or off, for how many torrents), then the
        download and library fields: categories for ``download_media``,
        category → library folder, and the download folder as qBittorrent and
        as CloudCmd name it.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            library, errors = library_options_from_input(user_input)
            if form_number(user_input[CONF_TORRENT_COUNT], whole=True) is None:
                errors[CONF_TORRENT_COUNT] = "invalid_number"  # NaN or a fraction
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


__all__ = [
    "CONF_CLOUDCMD_DOWNLOAD_PATH",
    "CONF_DOWNLOAD_PATH",
    "CONF_LIBRARY_FOLDERS",
    "CONF_MOVIE_CATEGORY",
    "CONF_TV_CATEGORY",
    "DEFAULT_MOVIE_CATEGORY",
    "DEFAULT_TV_CATEGORY",
    "LibraryOptions",
    "QBittorrentOptionsFlow",
    "format_library_folders",
    "parse_library_folders",
]
