"""Client of CloudCmd's REST API (``/api/v1``), the file manager over the media disk.

What it does: list a folder, read and write small files, make folders, and
delete, move, copy and rename entries, over HTTP Basic auth, inside one
configured ``root`` folder of CloudCmd's namespace.

Library decision: no maintained Python library speaks CloudCmd, so this is our
own client on :class:`~._http.HttpClient` (see ``shared/upstreams.md``).

Verified against the source of cloudcmd 18.8.11 and the dependency versions
``npm install cloudcmd@18.8.11`` resolves (restafary 12.1.4, ponse 7.0.0,
win32 7.2.0, redzip 3.0.5, readify 10.0.1, formatify 2.0.1, format-io 2.0.0,
copymitter 9.0.0, @cloudcmd/move-files 8.0.0, @cloudcmd/rename-files 2.0.0,
remy 7.0.0, http-auth 4.2.1), and measured on that install:

* Every error, whatever it is, is answered ``404`` with the Node error message
  as plain text (ponse ``sendError``): ``ENOENT: no such file or directory,
  scandir '/srv/root/x/'``, ``EEXIST: …``, ``EISDIR: …``, ``Path … beyond root
  …!``, even a JSON ``SyntaxError``.  So the 404 body is read: ``ENOENT`` →
  :class:`NotFoundError`; ``EEXIST`` (a folder made where a file is) and
  ``ENOTEMPTY`` → :class:`AlreadyExistsError`; anything else →
  :class:`ResponseError` naming the error code.  CloudCmd reports no EEXIST
  for ``make dir`` on an existing folder (``mkdir -p``) nor for a file written
  over an existing one (it overwrites).
* **Overwrites are silent.**  ``rename`` onto an existing file replaces it
  (measured), ``move`` and ``copy`` overwrite files and merge folders.  So
  :meth:`async_move`, :meth:`async_copy` and :meth:`async_rename` first list
  the destination and raise :class:`AlreadyExistsError` on a clash unless
  ``overwrite=True`` (a check, not a lock: another writer can still race it).
* **Two measured data-loss traps are refused before any request** with
  ``ValueError``: copying into the folder the names come from truncates each
  file (a 3 MB file became 128 KiB, answered ``copy: ok``), and moving a folder
  into itself or below itself deletes it with everything in it (the rename
  fails, the copy fallback copies, then the source is removed; answered
  ``move: ok``).  Moving within one folder is refused too: it does nothing.
* **Two requests kill CloudCmd 18.8.11** (the process exits; measured):
  ``GET /api/v1/fs/<file>/`` (a file path with a trailing slash: the read
  stream's unhandled ``ENOTDIR``), and an unknown ``PUT /api/v1/<cmd>`` when the
  request accepts gzip (ponse reads ``undefined.length`` and the unhandled
  rejection handler exits).  Without gzip the unknown command is the
  documented trap: ``200`` with an empty body, nothing done.  So this client
  never puts a trailing slash on a path it reads (a folder without one is
  listed all the same, with ``path`` lacking the slash), sends
  ``Accept-Encoding: identity`` on every request (CloudCmd gzips nothing we
  need), and checks that each mutation's answer is ``<op>: ok`` (optionally
  followed by ``("…")``): an empty or other 200 is a :class:`ResponseError`.
  ``delete`` on the root folder answers bare ``delete: ok`` (the basename of
  ``/`` is empty), hence the optional suffix.
* Query words must be exact: restafary compares the whole query string with
  ``dir`` / ``files`` (``?dir=`` would *save an empty file* instead of making a
  folder, and ``DELETE`` without ``?files`` removes the whole folder: the
  client always sends ``?files`` with a JSON list and refuses an empty list).
  The query is written into the already-encoded path so it stays ``?dir``.
* Paths: the server ``unescape``s the path once and replaces the first literal
  ``&nbsp;`` in the raw URL with U+00A0, so every path segment is
  percent-encoded with only RFC 3986 unreserved characters left as they are.
  Listing names show the first U+00A0 of a name as ``&nbsp;``; it is turned
  back here.
* Listing entries are ``{name, size, date, owner, mode, type}``: ``size`` is
  format-io's human string (``"6b"``, ``"4.88kb"`` with two decimals, powers of
  1024, folders show their inode size, links their own ``lstat`` size),
  ``date`` is ``dd.mm.yyyy`` in the server's local time zone, ``owner`` a user
  name (or a uid when it has none), ``mode`` like ``"rw- r-- r--"``, ``type``
  one of ``directory``, ``file``, ``archive`` (a ``.zip``), each possibly with
  ``-link``.  Folders come first, then files, each sorted by name (code units).
* ``GET /api/v1`` answers ``{"version", "prefix", "memory"}`` behind the same
  auth; it gives the version for the entry and proves this is CloudCmd.
* Basic credentials are decoded by http-auth as UTF-8, so they are sent as
  UTF-8 (aiohttp's default would be Latin-1).

Sizes parsed from the human strings are approximate (at most 0.5 % off above
1 KiB); :attr:`FileEntry.size_text` keeps what CloudCmd showed.  Reading files
is capped at the client's body size limit: it is for small files (NFO,
subtitles, lists), not for media.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
import re
from typing import Any, Literal
from urllib.parse import quote

import aiohttp

from ._http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    HttpResponse,
    as_dict,
    as_list,
    basic_authorization,
    read_capped,
    transport_error,
)
from .errors import CannotConnectError, InvalidAuthError, ResponseError
from .models import UpstreamInfo

FS_PREFIX = "api/v1/fs"
"""Path of restafary's file system routes under the base URL."""

_NO_GZIP = {"Accept-Encoding": "identity"}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)\s*$", re.IGNORECASE)
_UNITS = {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4, "pb": 5}
_DATE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_CODE_RE = re.compile(r"^(E[A-Z]+):\s*([^,]*)")
_NBSP_ENTITY = "&nbsp;"
_DETAIL_MAX = 500
_ERROR_MAX_BYTES = 64 * 1024
"""Most of an error answer read while streaming (CloudCmd's are one line)."""

type Operation = Literal["move", "copy", "rename", "delete", "make dir", "save"]


class NotFoundError(ResponseError):
    """CloudCmd answered ``ENOENT``: the path (or one of the names) does not exist.

    ``path`` is the CloudCmd path the request was about; ``detail`` is
    CloudCmd's own message (it names the path on the server's disk).
    """

    def __init__(self, message: str, *, path: str, detail: str = "") -> None:
        """Keep the path and CloudCmd's message next to ours."""
        super().__init__(message, status=404)
        self.path = path
        self.detail = detail


class AlreadyExistsError(ResponseError):
    """The destination already exists.

    Raised for CloudCmd's ``EEXIST`` / ``ENOTEMPTY`` and by this client's own
    check before a move, copy or rename that would overwrite (``names``).
    """

    def __init__(
        self, message: str, *, path: str, names: tuple[str, ...] = (), detail: str = ""
    ) -> None:
        """Keep the path, the clashing names and CloudCmd's message (if any)."""
        super().__init__(message, status=404 if detail else None)
        self.path = path
        self.names = names
        self.detail = detail


class IsAFolderError(ResponseError):
    """A file was asked for, and CloudCmd answered with a folder's listing."""

    def __init__(self, message: str, *, path: str) -> None:
        """Keep the path next to the message."""
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEntry:
    """One entry of a folder listing.

    ``size_bytes`` is parsed from CloudCmd's human string and is approximate
    (``"4.88kb"`` → 4997); ``size_text`` is the string itself.  ``modified`` is
    the day only (CloudCmd sends ``dd.mm.yyyy``, server-local).
    """

    name: str
    type: Literal["file", "directory"]
    size_bytes: int | None
    size_text: str | None
    modified: date | None
    mode: str | None
    owner: str | None
    is_link: bool = False

    @property
    def is_dir(self) -> bool:
        """Whether the entry is a folder (or a link to one)."""
        return self.type == "directory"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStream:
    """A file being read from CloudCmd, its bytes not read yet.

    ``size`` is the exact length CloudCmd announced (``Content-Length``, the
    file's ``stat`` size), ``None`` if it announced none.  CloudCmd 18.8.11
    ignores ``Range`` (measured: ``200`` and the whole file, although it
    answers ``Accept-Ranges: bytes``), so :meth:`chunks` reads and drops
    what lies before ``start``.
    """

    size: int | None
    content_type: str
    content: aiohttp.StreamReader
    service: str
    origin: str

    async def chunks(self, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """The bytes from ``start`` on (``length`` of them, or to the end) as they arrive.

        Nothing is kept beyond the chunk at hand.  An answer that ends before
        ``start + length`` bytes (or the announced size) raises
        ``CannotConnectError``: the caller must not pass it off as complete.
        """
        skip = start
        left = length if length is not None else (None if self.size is None else self.size - start)
        try:
            async for chunk in self.content.iter_any():
                if skip >= len(chunk):
                    skip -= len(chunk)
                    continue
                part = chunk[skip:] if skip else chunk
                skip = 0
                if left is not None and len(part) >= left:
                    if left:
                        yield part[:left]
                    return
                if left is not None:
                    left -= len(part)
                yield part
        except (aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            raise transport_error(self.service, self.origin, err) from err
        except TimeoutError as err:
            raise CannotConnectError(
                f"{self.service} at {self.origin} stopped sending the file"
            ) from err
        if skip or left:
            raise CannotConnectError(
                f"{self.service} at {self.origin} sent less of the file than it announced"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """A folder and its entries, folders first, as CloudCmd sorts them."""

    path: str
    entries: tuple[FileEntry, ...]


def parse_size(text: Any) -> int | None:
    """Return bytes for a format-io size (``"6b"``, ``"1.20mb"``), else ``None``.

    Approximate: format-io rounds to two decimals in powers of 1024.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    if not isinstance(text, str):
        return None
    match = _SIZE_RE.match(text)
    if match is None:
        return None
    return round(float(match.group(1)) * (1 << (10 * _UNITS[match.group(2).lower()])))


def parse_date(text: Any) -> date | None:
    """Return the day of a ``dd.mm.yyyy`` string, else ``None`` (e.g. ``--.--.----``)."""
    if not isinstance(text, str):
        return None
    match = _DATE_RE.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def answer_confirms(text: str, operation: str) -> bool:
    """Return whether ``text`` is CloudCmd's success answer for ``operation``.

    ``<op>: ok`` alone or followed by ``("…")``; anything else (notably the
    empty body of an unknown route) is not a confirmation.
    """
    prefix = f"{operation}: ok"
    return text == prefix or text.startswith(prefix + "(")


def split_path(path: str) -> list[str]:
    """Return the segments of an absolute CloudCmd path, refusing dot segments.

    The integration confines paths before they get here; this is the last
    guard so that no ``..`` can ever be put into a URL or a request body.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError("a CloudCmd path must be absolute (start with '/')")
    if "\0" in path:
        raise ValueError("a CloudCmd path must not contain NUL")
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        raise ValueError("a CloudCmd path must not contain '.' or '..' segments")
    return segments


def join_path(segments: Sequence[str]) -> str:
    """Return the absolute path of ``segments`` (``/`` for none)."""
    return "/" + "/".join(segments)


def check_names(names: Sequence[str]) -> tuple[str, ...]:
    """Return ``names`` as a tuple after refusing empty or path-like names."""
    if isinstance(names, str):
        raise TypeError("names must be a list of names, not one string")
    result = tuple(names)
    if not result:
        raise ValueError("names must not be empty")
    for name in result:
        if not isinstance(name, str) or name in ("", ".", ".."):
            raise ValueError("every name must be a non-empty file or folder name")
        if "/" in name or "\0" in name:
            raise ValueError("a name must not contain '/' or NUL")
    return result


def _under(path: Sequence[str], ancestor: Sequence[str]) -> bool:
    """Whether ``path`` is ``ancestor`` or inside it (segment-wise)."""
    return list(path[: len(ancestor)]) == list(ancestor)


class CloudCmdClient(HttpClient):
    """Async client of one CloudCmd, confined by the caller to ``root``."""

    service = "CloudCmd"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        username: str,
        password: str,
        root: str,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, credentials and the entry's root folder."""
        super().__init__(session, url, verify_ssl=verify_ssl, timeout=timeout)
        self._root = join_path(split_path(root))
        self._authorization = basic_authorization(username, password)

    @property
    def root(self) -> str:
        """The entry's root folder (absolute, no trailing slash except ``/``)."""
        return self._root

    # -- requests --------------------------------------------------------------------

    def _fs_path(self, path: str, *, query: str = "") -> str:
        """Return the encoded request path of ``path`` under ``/api/v1/fs``.

        Never with a trailing slash (a file path with one kills CloudCmd);
        ``query`` is appended verbatim (``?dir`` must stay ``?dir``).
        """
        segments = split_path(path)
        encoded = "/".join(quote(segment, safe="") for segment in segments)
        suffix = f"?{query}" if query else ""
        return f"{FS_PREFIX}/{encoded}{suffix}"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        encoded: bool,
        json: Any = None,
        data: bytes | None = None,
    ) -> HttpResponse:
        """Send one authenticated request; 404 comes back for interpretation."""
        return await self._request(
            method,
            path,
            json=json,
            data=data,
            headers=self._headers(),
            encoded_path=encoded,
            allow_statuses=(404,),
        )

    def _headers(self) -> dict[str, str]:
        """The headers of every request: Basic auth, no gzip."""
        if self._authorization is None:
            raise InvalidAuthError(
                f"{self.service} at {self.origin} cannot take this user name: "
                "HTTP Basic auth does not allow ':' in it"
            )
        return {**_NO_GZIP, "Authorization": self._authorization}

    def _error(
        self, resp: HttpResponse, path: str, action: str, names: Sequence[str] = ()
    ) -> ResponseError:
        """Turn CloudCmd's plain-text 404 into our error for ``path`` (and ``names``)."""
        text = resp.text().strip()
        detail = text[:_DETAIL_MAX]
        where = f"{self.service} at {self.origin}"
        if names:
            listed = ", ".join(names)
            missing = f"{path} or one of {listed} does not exist"
            action = f"{action} {listed} in"
        else:
            missing = "it does not exist"
        match = _CODE_RE.match(text)
        if match is None:
            if "beyond root" in text:
                return ResponseError(
                    f"{where} refused {path}: it is outside the folder CloudCmd serves",
                    status=resp.status,
                )
            return ResponseError(
                f"{where} could not {action} {path} (HTTP {resp.status})", status=resp.status
            )
        code, reason = match.group(1), match.group(2).strip()
        if code == "ENOENT":
            return NotFoundError(
                f"{where} could not {action} {path}: {missing}", path=path, detail=detail
            )
        if code in ("EEXIST", "ENOTEMPTY"):
            return AlreadyExistsError(
                f"{where} could not {action} {path}: something already has that name",
                path=path,
                detail=detail,
            )
        return ResponseError(
            f"{where} could not {action} {path}: {code} ({reason or 'no reason given'})",
            status=resp.status,
        )

    def _confirm(
        self, resp: HttpResponse, operation: Operation, path: str, names: Sequence[str] = ()
    ) -> None:
        """Raise unless ``resp`` is CloudCmd's success answer for ``operation``."""
        if resp.status == 404:
            raise self._error(resp, path, operation, names)
        if not answer_confirms(resp.text().strip(), operation):
            raise self.bad_answer(
                f"no confirmation for {operation} of {path} (an empty or unexpected "
                "answer: is the URL CloudCmd's, without a wrong path prefix?)"
            )

    async def _command(
        self, operation: Operation, body: dict[str, Any], path: str, names: Sequence[str] = ()
    ) -> None:
        """``PUT /api/v1/<operation>`` with ``body`` and check the answer."""
        resp = await self._call("PUT", f"api/v1/{operation}", encoded=False, json=body)
        self._confirm(resp, operation, path, names)

    # -- reading ---------------------------------------------------------------------

    async def async_get_info(self) -> UpstreamInfo:
        """Check the credentials and that ``root`` is a folder; name the entry.

        ``GET /api/v1`` gives the version (and proves CloudCmd answers), then
        the root folder is listed.
        """
        resp = await self._call("GET", "api/v1/", encoded=False)
        if resp.status == 404:
            raise self.bad_answer("HTTP 404 for its API: is this a CloudCmd URL?")
        try:
            about = as_dict(resp.json(), self, "API information")
        except ResponseError as err:
            raise self.bad_answer("an answer that is not CloudCmd's API information") from err
        version = about.get("version")
        if not isinstance(version, str) or "prefix" not in about:
            raise self.bad_answer("API information without a version: is this CloudCmd?")
        try:
            await self.async_list(self._root)
        except NotFoundError as err:
            raise NotFoundError(
                f"The root folder {self._root} does not exist on {self.service} at "
                f"{self.origin}; check the folder",
                path=self._root,
                detail=err.detail,
            ) from err
        host = self.base_url.host or ""
        if self.base_url.explicit_port is not None:
            host = f"{host}:{self.base_url.explicit_port}"
        name = f"CloudCmd at {host}" if self._root == "/" else f"CloudCmd {self._root} at {host}"
        return UpstreamInfo(unique_id=f"{self.base_url}|{self._root}", name=name, version=version)

    async def async_list(self, path: str) -> Listing:
        """List the folder ``path``; ``NotFoundError`` if it does not exist."""
        resp = await self._call("GET", self._fs_path(path), encoded=True)
        if resp.status == 404:
            raise self._error(resp, path, "list")
        listing = self._parse_listing(resp, strict=True)
        if listing is None:
            raise ResponseError(
                f"{self.service} at {self.origin} could not list {path}: it is a file, not a folder"
            )
        return listing

    def _parse_listing(self, resp: HttpResponse, *, strict: bool) -> Listing | None:
        """Parse a folder listing; ``None`` when the answer is a file's content.

        ``strict``: JSON that does not parse is a broken listing (an error),
        not the content of a ``.json`` file.
        """
        if resp.content_type != "application/json":
            return None
        try:
            raw = resp.json()
        except ResponseError as err:
            if strict:
                raise self.bad_answer("a folder listing that is not valid JSON") from err
            return None
        if not isinstance(raw, dict) or "path" not in raw or "files" not in raw:
            return None
        files = as_list(raw["files"], self, "a folder listing")
        reported = raw["path"]
        if not isinstance(reported, str) or not reported.startswith("/"):
            raise self.bad_answer("a folder listing without a valid path")
        shown = reported.replace(_NBSP_ENTITY, "\xa0", 1).rstrip("/") or "/"
        return Listing(path=shown, entries=tuple(self._entries(files)))

    def _entries(self, files: Iterable[Any]) -> Iterable[FileEntry]:
        """Yield typed entries of a listing's ``files``."""
        for item in files:
            entry = as_dict(item, self, "a folder listing entry")
            name = entry.get("name")
            if not isinstance(name, str) or not name:
                raise self.bad_answer("a folder listing entry without a name")
            kind = str(entry.get("type") or "file")
            size = entry.get("size")
            owner = entry.get("owner")
            mode = entry.get("mode")
            yield FileEntry(
                name=name.replace(_NBSP_ENTITY, "\xa0", 1),
                type="directory" if kind.startswith("directory") else "file",
                size_bytes=parse_size(size),
                size_text=None if size is None else str(size),
                modified=parse_date(entry.get("date")),
                mode=mode if isinstance(mode, str) and mode else None,
                owner=None if owner is None or owner == "" else str(owner),
                is_link=kind.endswith("-link"),
            )

    async def async_read_file(self, path: str) -> bytes:
        """Return the content of the file ``path`` (small files only: size-capped)."""
        resp = await self._call("GET", self._fs_path(path), encoded=True)
        if resp.status == 404:
            raise self._error(resp, path, "read")
        listing = self._parse_listing(resp, strict=False)
        if listing is not None and listing.path == join_path(split_path(path)):
            raise ResponseError(
                f"{self.service} at {self.origin} could not read {path}: it is a folder"
            )
        return resp.body

    @asynccontextmanager
    async def async_open_file(self, path: str, *, head: bool = False) -> AsyncIterator[FileStream]:
        """Open the file ``path`` for reading its bytes in chunks, within the block.

        For media: no size cap, nothing read into memory (``FileStream``).
        ``head`` sends ``HEAD`` (CloudCmd answers its headers only).  A
        missing file is ``NotFoundError``; a folder (CloudCmd sends its
        listing as ``application/json``) is ``IsAFolderError`` unless the
        name ends in ``.json``, which cannot be told apart from a listing.
        """
        async with self._stream(
            "HEAD" if head else "GET",
            self._fs_path(path),
            headers=self._headers(),
            encoded_path=True,
            allow_statuses=(404,),
        ) as resp:
            if resp.status == 404:
                body = b"" if head else await self._error_body(resp)
                answer = HttpResponse(resp.status, resp.content_type, body, self.service)
                raise self._error(answer, path, "read")
            if resp.content_type == "application/json" and not path.lower().endswith(".json"):
                raise IsAFolderError(
                    f"{self.service} at {self.origin} could not read {path}: it is a folder",
                    path=path,
                )
            yield FileStream(
                size=resp.content_length,
                content_type=resp.content_type,
                content=resp.content,
                service=self.service,
                origin=self.origin,
            )

    async def _error_body(self, resp: aiohttp.ClientResponse) -> bytes:
        """The (short) body of an error answer met while streaming."""
        try:
            return await read_capped(resp, _ERROR_MAX_BYTES, self.service, self.origin)
        except (aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            raise transport_error(self.service, self.origin, err) from err

    async def _existing(self, folder: str, names: Iterable[str]) -> tuple[str, ...]:
        """Return which of ``names`` already exist in ``folder`` (none if it is missing)."""
        try:
            listing = await self.async_list(folder)
        except NotFoundError:
            return ()
        present = {entry.name for entry in listing.entries}
        return tuple(name for name in names if name in present)

    # -- writing ---------------------------------------------------------------------

    async def async_make_dir(self, path: str) -> None:
        """Make the folder ``path`` and any missing parents (no error if it exists)."""
        if not split_path(path):
            raise ValueError("the top folder exists already")
        resp = await self._call("PUT", self._fs_path(path, query="dir"), encoded=True)
        self._confirm(resp, "make dir", path)

    async def async_write_file(self, path: str, data: bytes) -> None:
        """Write ``data`` to the file ``path``, replacing it; parents are made."""
        if not split_path(path):
            raise ValueError("cannot write a file over the top folder")
        resp = await self._call("PUT", self._fs_path(path), encoded=True, data=bytes(data))
        self._confirm(resp, "save", path)

    async def async_delete(self, folder: str, names: Sequence[str]) -> None:
        """Delete ``names`` (files or whole folders) inside ``folder``.

        Always ``DELETE …?files`` with a JSON list: without ``?files``
        CloudCmd deletes ``folder`` itself.  An empty ``names`` is refused
        before any request.
        """
        checked = check_names(names)
        resp = await self._call(
            "DELETE", self._fs_path(folder, query="files"), encoded=True, json=list(checked)
        )
        self._confirm(resp, "delete", folder, checked)

    async def async_move(
        self, src_dir: str, dst_dir: str, names: Sequence[str], *, overwrite: bool = False
    ) -> None:
        """Move ``names`` from folder ``src_dir`` into folder ``dst_dir`` (made if missing)."""
        await self._transfer("move", src_dir, dst_dir, names, overwrite=overwrite)

    async def async_copy(
        self, src_dir: str, dst_dir: str, names: Sequence[str], *, overwrite: bool = False
    ) -> None:
        """Copy ``names`` from folder ``src_dir`` into folder ``dst_dir`` (made if missing)."""
        await self._transfer("copy", src_dir, dst_dir, names, overwrite=overwrite)

    async def _transfer(
        self,
        operation: Literal["move", "copy"],
        src_dir: str,
        dst_dir: str,
        names: Sequence[str],
        *,
        overwrite: bool,
    ) -> None:
        """What ``async_move`` and ``async_copy`` do; ``operation`` names which."""
        src, dst, checked = self._transfer_args(operation, src_dir, dst_dir, names)
        if not overwrite:
            await self._refuse_clash(dst, checked)
        await self._command(
            operation,
            {"from": self._dir(src), "to": self._dir(dst), "names": list(checked)},
            src,
            checked,
        )

    async def async_rename(self, from_path: str, to_path: str, *, overwrite: bool = False) -> None:
        """Rename (or move) the entry ``from_path`` to ``to_path``.

        CloudCmd replaces an existing file at ``to_path`` silently; unless
        ``overwrite`` this client refuses that with ``AlreadyExistsError``.
        """
        src = split_path(from_path)
        dst = split_path(to_path)
        if not src or not dst:
            raise ValueError("the top folder cannot be renamed or replaced")
        if src == dst:
            raise ValueError("the new path is the same as the old one")
        if _under(dst, src):
            raise ValueError("a folder cannot be moved into itself")
        if not overwrite:
            await self._refuse_clash(join_path(dst[:-1]), (dst[-1],))
        await self._command(
            "rename", {"from": join_path(src), "to": join_path(dst)}, join_path(src)
        )

    def _transfer_args(
        self, operation: str, src_dir: str, dst_dir: str, names: Sequence[str]
    ) -> tuple[str, str, tuple[str, ...]]:
        """Validate a move/copy and refuse the measured data-loss cases."""
        checked = check_names(names)
        src = split_path(src_dir)
        dst = split_path(dst_dir)
        if src == dst:
            raise ValueError(
                f"cannot {operation} into the same folder (CloudCmd would truncate "
                "or lose the files)"
            )
        for name in checked:
            if _under(dst, [*src, name]):
                raise ValueError(
                    f"cannot {operation} the folder {name!r} into itself (CloudCmd would delete it)"
                )
        return join_path(src), join_path(dst), checked

    async def _refuse_clash(self, folder: str, names: Sequence[str]) -> None:
        """Raise ``AlreadyExistsError`` if any of ``names`` exists in ``folder``."""
        clash = await self._existing(folder, names)
        if clash:
            raise AlreadyExistsError(
                f"{self.service} at {self.origin}: {', '.join(clash)} already "
                f"exist(s) in {folder}; not overwriting",
                path=folder,
                names=clash,
            )

    @staticmethod
    def _dir(path: str) -> str:
        """Return a folder path with the trailing slash move/copy bodies need."""
        return path if path.endswith("/") else path + "/"


__all__ = [
    "AlreadyExistsError",
    "CloudCmdClient",
    "FileEntry",
    "FileStream",
    "IsAFolderError",
    "Listing",
    "NotFoundError",
    "answer_confirms",
    "check_names",
    "parse_date",
    "parse_size",
]
