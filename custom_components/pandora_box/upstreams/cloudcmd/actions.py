"""CloudCmd file actions: list, make folders, move, copy, rename and delete.

Every path and name is confined to the entry's root folder by ``paths.py``
before any request (a translated ``ServiceValidationError`` otherwise): the
real CloudCmd's ``copy`` writes outside its own root, so that check is the
only guard.  The client adds its own last checks (no ``..`` in a URL, no
silent overwrite, no copy into the same folder, no folder moved into itself).

Rules of the actions:

* Actions that change anything need an admin Home Assistant user when the
  call has one; calls without a user (automations, scripts: written by an
  admin) are allowed.  ``async_register_admin_service`` cannot return
  responses, so :func:`async_require_admin` does the same check itself.
* A call is checked as a whole before anything changes: a missing folder or
  name, or a name that already exists at the destination, is a translated
  error and nothing is done.  Then each name is moved, copied or deleted by
  its own request, so a failure part-way (another writer, CloudCmd going
  down) is reported exactly: the response lists what was done and what
  failed; when nothing was done the first failure is raised instead.
* Every change fires ``pandora_box_file_operation`` (entry, action, user,
  paths, names) with the call's context; ``logbook.py`` describes it.

Sizes in ``list_files`` come from CloudCmd's human strings (``"4.88kb"``)
and are approximate; the response says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final, Literal

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import (
    HomeAssistantError,
    Unauthorized,
    UnknownUser,
)
import homeassistant.helpers.config_validation as cv
import probatio as vol

from ...api.cloudcmd import AlreadyExistsError, CloudCmdClient, FileEntry, NotFoundError
from ...api.errors import CannotConnectError, InvalidAuthError, PandoraError
from ...const import DOMAIN, LOGGER, Kind
from ...coordinator import PandoraConfigEntry, entry_client
from ...helpers import EntryResolver, invalid, upstream_errors
from .paths import (
    PathRejectedError,
    basename,
    check_name,
    check_names,
    check_not_root,
    check_transfer,
    child,
    confine,
    parent,
)

EVENT_FILE_OPERATION: Final = "pandora_box_file_operation"
"""Fired after every file action that changed something."""

SERVICE_LIST_FILES: Final = "list_files"
SERVICE_CREATE_DIRECTORY: Final = "create_directory"
SERVICE_MOVE_FILES: Final = "move_files"
SERVICE_COPY_FILES: Final = "copy_files"
SERVICE_RENAME_FILE: Final = "rename_file"
SERVICE_DELETE_FILES: Final = "delete_files"

ATTR_PATH: Final = "path"
ATTR_SOURCE: Final = "source"
ATTR_DESTINATION: Final = "destination"
ATTR_NAMES: Final = "names"
ATTR_NEW_NAME: Final = "new_name"
ATTR_NEW_PATH: Final = "new_path"
ATTR_ACTION: Final = "action"
ATTR_ENTRY_ID: Final = "entry_id"
ATTR_USER_ID: Final = "user_id"

MAX_NAMES: Final = 200
"""Most names one call may act on (each is its own request)."""

SIZE_NOTE: Final = "Sizes are approximate: CloudCmd reports them rounded, for example 4.88kb."

type Handler = Callable[
    [HomeAssistant, PandoraConfigEntry, ServiceCall], Awaitable[ServiceResponse]
]

_NAMES = vol.All(cv.ensure_list, vol.Length(max=MAX_NAMES), [cv.string])


# -- checks and errors ---------------------------------------------------------------


async def async_require_admin(hass: HomeAssistant, call: ServiceCall) -> None:
    """Raise ``Unauthorized`` unless the call has no user or an admin user.

    The same rule as Home Assistant's ``async_register_admin_service``.
    """
    user_id = call.context.user_id
    if not user_id:
        return
    user = await hass.auth.async_get_user(user_id)
    if user is None:
        raise UnknownUser(context=call.context)
    if not user.is_admin:
        raise Unauthorized(context=call.context)


def _failed(key: str, **placeholders: str) -> HomeAssistantError:
    """A translated error about what CloudCmd reported."""
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@asynccontextmanager
async def _validated() -> AsyncIterator[None]:
    """Turn a refused path or name into its translated ``ServiceValidationError``."""
    try:
        yield
    except PathRejectedError as err:
        raise invalid(err.key, **err.placeholders) from err


@asynccontextmanager
async def _file_errors(
    hass: HomeAssistant, entry: PandoraConfigEntry, action: str
) -> AsyncIterator[None]:
    """Map the client's errors for a file action (specific ones first)."""
    title = entry.title
    async with upstream_errors(hass, entry):
        try:
            yield
        except NotFoundError as err:
            raise _failed("file_not_found", title=title, path=err.path) from err
        except AlreadyExistsError as err:
            # the client names the clashing entries of a folder, CloudCmd the path itself
            if err.names:
                where, names = err.path, ", ".join(err.names)
            else:
                where, names = parent(err.path), basename(err.path)
            raise _failed("file_exists", title=title, path=where, names=names) from err
        except ValueError as err:  # the client's own last guard; our checks come first
            raise invalid(
                "file_action_refused", title=title, action=action, error=str(err)
            ) from err


def _fire(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    call: ServiceCall,
    data: Mapping[str, Any],
) -> None:
    """Fire ``pandora_box_file_operation`` for a change, with the call's context."""
    hass.bus.async_fire(
        EVENT_FILE_OPERATION,
        {
            ATTR_ENTRY_ID: entry.entry_id,
            ATTR_ACTION: call.service,
            ATTR_USER_ID: call.context.user_id,
            **data,
        },
        context=call.context,
    )


def _entry_json(entry: FileEntry) -> dict[str, Any]:
    """One listing entry as the response shows it."""
    return {
        "name": entry.name,
        "type": entry.type,
        "size": entry.size_bytes,
        "modified": entry.modified.isoformat() if entry.modified else None,
    }


async def folder_entries(client: CloudCmdClient, folder: str) -> dict[str, FileEntry] | None:
    """The entries of ``folder`` by name, or ``None`` when it does not exist."""
    try:
        listing = await client.async_list(folder)
    except NotFoundError:
        return None
    return {entry.name: entry for entry in listing.entries}


async def _check_present(
    entry: PandoraConfigEntry, client: CloudCmdClient, folder: str, names: Sequence[str]
) -> None:
    """Raise a translated error unless ``folder`` exists and holds every name."""
    present = await folder_entries(client, folder)
    if present is None:
        raise _failed("folder_not_found", title=entry.title, path=folder)
    missing = [name for name in names if name not in present]
    if missing:
        raise _failed("files_not_found", title=entry.title, path=folder, names=", ".join(missing))


# -- per-name execution --------------------------------------------------------------


@dataclass(slots=True)
class _Outcome:
    """What happened to each name of a call."""

    done: list[str]
    failed: list[dict[str, str]]
    first_error: PandoraError | None = None


def _code(err: PandoraError) -> str:
    """A short code for a failed name in a response."""
    if isinstance(err, NotFoundError):
        return "not_found"
    if isinstance(err, AlreadyExistsError):
        return "already_exists"
    if isinstance(err, InvalidAuthError):
        return "invalid_auth"
    if isinstance(err, CannotConnectError):
        return "cannot_connect"
    return "upstream_error"


async def _each(names: Sequence[str], run: Callable[[str], Awaitable[None]]) -> _Outcome:
    """Run ``run`` for each name; stop at lost connection or auth, go on otherwise."""
    outcome = _Outcome(done=[], failed=[])
    for index, name in enumerate(names):
        try:
            await run(name)
        except PandoraError as err:
            outcome.first_error = outcome.first_error or err
            outcome.failed.append({"name": name, "error": _code(err), "message": err.message})
            if isinstance(err, CannotConnectError | InvalidAuthError):
                outcome.failed.extend(
                    {"name": rest, "error": "not_attempted", "message": err.message}
                    for rest in names[index + 1 :]
                )
                break
        else:
            outcome.done.append(name)
    return outcome


async def _settle(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    action: str,
    outcome: _Outcome,
    *,
    folder: str,
    destination: str | None = None,
) -> None:
    """Raise the first error when nothing was done; otherwise log a partial failure.

    ``folder`` holds the names, ``destination`` is where they were going: a
    name that vanished or appeared meanwhile is reported against them.
    """
    error = outcome.first_error
    if error is None:
        return
    if not outcome.done:
        names = ", ".join(item["name"] for item in outcome.failed if item["error"] == _code(error))
        if isinstance(error, NotFoundError):
            raise _failed("files_not_found", title=entry.title, path=folder, names=names)
        if isinstance(error, AlreadyExistsError):
            raise _failed("file_exists", title=entry.title, path=destination or folder, names=names)
        async with _file_errors(hass, entry, action):
            raise error
    if isinstance(error, InvalidAuthError):
        entry.async_start_reauth(hass)
    LOGGER.warning(
        "%s: %s done for %s, failed for %s: %s",
        entry.title,
        action,
        ", ".join(outcome.done),
        ", ".join(item["name"] for item in outcome.failed),
        error.message,
    )


# -- handlers ------------------------------------------------------------------------


async def _async_list_files(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """List a folder: name, type, size (approximate) and day modified of each entry."""
    client = entry_client(entry, CloudCmdClient)
    async with _validated():
        folder = confine(client.root, call.data.get(ATTR_PATH, "."))
    async with _file_errors(hass, entry, call.service):
        try:
            listing = await client.async_list(folder)
        except NotFoundError as err:
            raise _failed("folder_not_found", title=entry.title, path=folder) from err
    return {
        "path": folder,
        "entries": [_entry_json(item) for item in listing.entries],
        "size_note": SIZE_NOTE,
    }


async def _async_create_directory(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Make a folder (and missing parents); an existing folder is left as it is."""
    client = entry_client(entry, CloudCmdClient)
    async with _validated():
        path = check_not_root(client.root, confine(client.root, call.data[ATTR_PATH]))
    async with _file_errors(hass, entry, call.service):
        siblings = await folder_entries(client, parent(path))
        existing = None if siblings is None else siblings.get(basename(path))
        if existing is not None:
            if existing.is_dir:
                return {"path": path, "created": False}
            raise _failed("file_exists", title=entry.title, path=parent(path), names=basename(path))
        await client.async_make_dir(path)
    _fire(hass, entry, call, {ATTR_PATH: path})
    return {"path": path, "created": True}


async def _async_transfer(
    hass: HomeAssistant,
    entry: PandoraConfigEntry,
    call: ServiceCall,
    operation: Literal["move", "copy"],
) -> ServiceResponse:
    """Move or copy names between folders, one request per name."""
    client = entry_client(entry, CloudCmdClient)
    async with _validated():
        source = confine(client.root, call.data[ATTR_SOURCE], field=ATTR_SOURCE)
        destination = confine(client.root, call.data[ATTR_DESTINATION], field=ATTR_DESTINATION)
        names = check_names(call.data[ATTR_NAMES])
        check_transfer(source, destination, names)
    async with _file_errors(hass, entry, call.service):
        await _check_present(entry, client, source, names)
        clash = await folder_entries(client, destination) or {}
        if existing := [name for name in names if name in clash]:
            raise _failed(
                "file_exists", title=entry.title, path=destination, names=", ".join(existing)
            )
    method = client.async_move if operation == "move" else client.async_copy

    async def run(name: str) -> None:
        await method(source, destination, [name])

    outcome = await _each(names, run)
    await _settle(hass, entry, call.service, outcome, folder=source, destination=destination)
    _fire(
        hass,
        entry,
        call,
        {ATTR_SOURCE: source, ATTR_DESTINATION: destination, ATTR_NAMES: outcome.done},
    )
    verb = "moved" if operation == "move" else "copied"
    response: dict[str, Any] = {
        "source": source,
        "destination": destination,
        verb: outcome.done,
        "failed": outcome.failed,
    }
    return response


async def _async_move_files(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Move names from one folder into another."""
    return await _async_transfer(hass, entry, call, "move")


async def _async_copy_files(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Copy names from one folder into another."""
    return await _async_transfer(hass, entry, call, "copy")


async def _async_rename_file(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Give a file or folder a new name in the same folder."""
    client = entry_client(entry, CloudCmdClient)
    async with _validated():
        path = check_not_root(client.root, confine(client.root, call.data[ATTR_PATH]))
        new_name = check_name(call.data[ATTR_NEW_NAME], field=ATTR_NEW_NAME)
    if new_name == basename(path):
        raise invalid("rename_same_name", path=path)
    new_path = child(parent(path), new_name)
    async with _file_errors(hass, entry, call.service):
        await client.async_rename(path, new_path)
    _fire(hass, entry, call, {ATTR_PATH: path, ATTR_NEW_PATH: new_path})
    return {"path": path, "new_path": new_path}


async def _async_delete_files(
    hass: HomeAssistant, entry: PandoraConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Delete the named files and folders (with their contents) in a folder."""
    client = entry_client(entry, CloudCmdClient)
    async with _validated():
        folder = confine(client.root, call.data[ATTR_PATH])
        names = check_names(call.data[ATTR_NAMES])
    async with _file_errors(hass, entry, call.service):
        await _check_present(entry, client, folder, names)

    async def run(name: str) -> None:
        await client.async_delete(folder, [name])

    outcome = await _each(names, run)
    await _settle(hass, entry, call.service, outcome, folder=folder)
    _fire(hass, entry, call, {ATTR_PATH: folder, ATTR_NAMES: outcome.done})
    response: dict[str, Any] = {
        "path": folder,
        "deleted": outcome.done,
        "failed": outcome.failed,
    }
    return response


# -- registration --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudCmdAction:
    """One file action: its fields, handler, response support and admin rule."""

    service: str
    fields: dict[Any, Any]
    handler: Handler
    supports_response: SupportsResponse = SupportsResponse.OPTIONAL
    admin: bool = True


CLOUDCMD_ACTIONS: Final = (
    CloudCmdAction(
        service=SERVICE_LIST_FILES,
        fields={vol.Optional(ATTR_PATH): cv.string},
        handler=_async_list_files,
        supports_response=SupportsResponse.ONLY,
        admin=False,
    ),
    CloudCmdAction(
        service=SERVICE_CREATE_DIRECTORY,
        fields={vol.Required(ATTR_PATH): cv.string},
        handler=_async_create_directory,
    ),
    CloudCmdAction(
        service=SERVICE_MOVE_FILES,
        fields={
            vol.Required(ATTR_SOURCE): cv.string,
            vol.Required(ATTR_DESTINATION): cv.string,
            vol.Required(ATTR_NAMES): _NAMES,
        },
        handler=_async_move_files,
    ),
    CloudCmdAction(
        service=SERVICE_COPY_FILES,
        fields={
            vol.Required(ATTR_SOURCE): cv.string,
            vol.Required(ATTR_DESTINATION): cv.string,
            vol.Required(ATTR_NAMES): _NAMES,
        },
        handler=_async_copy_files,
    ),
    CloudCmdAction(
        service=SERVICE_RENAME_FILE,
        fields={vol.Required(ATTR_PATH): cv.string, vol.Required(ATTR_NEW_NAME): cv.string},
        handler=_async_rename_file,
    ),
    CloudCmdAction(
        service=SERVICE_DELETE_FILES,
        fields={vol.Required(ATTR_PATH): cv.string, vol.Required(ATTR_NAMES): _NAMES},
        handler=_async_delete_files,
    ),
)
"""The CloudCmd actions, registered by ``services.py``."""


def async_register_cloudcmd_actions(
    hass: HomeAssistant, base_schema: vol.Schema, get_entry: EntryResolver
) -> None:
    """Register every CloudCmd action.

    ``base_schema`` and ``get_entry`` are ``services.py``'s ``ENTRY_SCHEMA``
    and ``async_get_entry``, passed in so this module does not import it back.
    """
    for action in CLOUDCMD_ACTIONS:
        hass.services.async_register(
            DOMAIN,
            action.service,
            _make_handler(hass, action, get_entry),
            schema=base_schema.extend(action.fields),
            supports_response=action.supports_response,
        )


def _make_handler(
    hass: HomeAssistant, action: CloudCmdAction, get_entry: EntryResolver
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """The service handler of ``action``: admin rule, entry, then the action."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        """Check the user, resolve the entry and run the action."""
        if action.admin:
            await async_require_admin(hass, call)
        entry = get_entry(hass, call, Kind.CLOUDCMD)
        return await action.handler(hass, entry, call)

    return handle


__all__ = [
    "CLOUDCMD_ACTIONS",
    "EVENT_FILE_OPERATION",
    "CloudCmdAction",
    "async_register_cloudcmd_actions",
    "async_require_admin",
]
