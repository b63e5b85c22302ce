"""CloudCmd 18.8.11 simulator over a real folder on disk.

It serves what ``custom_components/pandora_box/api/cloudcmd.py`` speaks, the
way the real cloudcmd 18.8.11 does (its source and an install of it were read
and measured; see the client's module docstring for the details):

* HTTP Basic auth on every route (realm ``Cloud Commander``; ``401`` with
  ``text/plain`` body ``401 Unauthorized``); the password must not be empty.
* ``GET /api/v1`` → ``{"version", "prefix", "memory"}``.
* restafary's routes under ``/api/v1/fs``: a folder → its listing (JSON with
  four-space indent, ``path`` relative to the root, folders first, human sizes,
  ``dd.mm.yyyy`` dates, the first U+00A0 of a name shown as ``&nbsp;``); a file
  → its raw bytes; ``PUT`` writes a file (parents made) or with ``?dir`` makes
  folders (``mkdir -p``); ``DELETE ?files`` with a JSON list removes those
  names (from the last to the first, stopping at a missing one: ``404
  ENOENT``); ``DELETE`` without ``?files`` removes the whole path, the faithful
  trap.  The query must be exactly ``dir`` / ``files``.  A path that climbs out
  of the root → ``404 Path … beyond root …!``.
* ``PUT /api/v1/move|copy|rename`` with ``{"from", "to", "names"}`` bodies and
  the real answers (``move: ok("["x"]")``, ``rename: ok("{…}")``); a
  missing name → ``404 ENOENT …``; moves (to a missing folder too) and copies
  overwrite files and merge folders, rename replaces a file; the measured
  data-loss cases are imitated: copying a file onto itself truncates it to
  128 KiB, moving a folder below itself deletes it.
* Unknown commands (``PUT /api/v1/mv``) → ``200`` with an empty body and
  nothing done; but when the request accepts gzip, the real process crashes
  (measured) and so does this one: the connection is dropped, the reason is
  appended to ``crashes`` and every later request is dropped too (fault
  ``down``) until ``clear_fault()`` restarts it.  ``GET`` of a file path with
  a trailing slash crashes it the same way after answering ``404 ENOTDIR``,
  and so do ``GET /api/v1/<anything>`` (no answer, then the process exits)
  and a ``copy`` body without ``from``, ``to`` or ``names``.  Other methods on
  ``/api/v1/<cmd>`` never answer, as the real one.
* Partial failures as measured: ``DELETE ?files`` and ``copy`` work from the
  last name back and stop at a missing one (what came after it in the list is
  already deleted / copied); ``move`` renames in order and, on the first
  failure, falls back to copymitter and ``rm -rf`` (a missing name then leaves
  one entry copied and the sources in place).

Deliberate differences, for safety on the test machine: the real ``move``,
``copy`` and ``rename`` do not confine their paths to the root (a copy to
``/../../`` wrote outside it, measured), and restafary's own check is a string
prefix test (``/srv/media2`` passes for root ``/srv/media``).  The simulator
never touches anything outside its root: it appends a description of each
such attempt to ``escapes`` and answers what the real one would (``copy:
ok(…)``), or, for the prefix flaw, refuses like a climbing path.  Tests
assert that ``escapes`` stays empty to prove no such request left our client.

Control: ``crashes``, ``escapes``, ``root`` (the served folder), plus the
base class faults, request log and credential rotation.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import errno
import json
import mimetypes
import os
from pathlib import Path
import posixpath
import pwd
import re
import shutil
import stat
import tempfile
import time
from typing import Any, ClassVar, Self, override
from urllib.parse import unquote

from aiohttp import web

from .base import Simulator
from .catalogue import TITLES

VERSION = "18.8.11"
API = "/api/v1"
FS = "/api/v1/fs"
REALM = "Cloud Commander"
DEFAULT_PASSWORD = "cloudcmd-secret"  # noqa: S105 - a fixed test credential, not a secret
_TEXT = "text/plain; charset=UTF-8"
_KNOWN = frozenset({"move", "copy", "rename", "pack", "extract"})
_UTF8 = frozenset({"application/json", "application/javascript", "application/xml"})
"""Types mime-types gives a UTF-8 charset besides ``text/*``."""

_NODE_MESSAGES = {
    errno.ENOENT: ("ENOENT", "no such file or directory"),
    errno.EEXIST: ("EEXIST", "file already exists"),
    errno.ENOTDIR: ("ENOTDIR", "not a directory"),
    errno.EISDIR: ("EISDIR", "illegal operation on a directory"),
    errno.ENOTEMPTY: ("ENOTEMPTY", "directory not empty"),
    errno.EACCES: ("EACCES", "permission denied"),
    errno.EPERM: ("EPERM", "operation not permitted"),
    errno.EINVAL: ("EINVAL", "invalid argument"),
    errno.EXDEV: ("EXDEV", "cross-device link not permitted"),
}


def node_message(err: OSError, syscall: str, path: str, dest: str | None = None) -> str:
    """Format ``err`` the way Node.js does (``ENOENT: no such …, scandir '/x'``)."""
    code, text = _NODE_MESSAGES.get(
        err.errno or 0, (errno.errorcode.get(err.errno or 0, "EIO"), err.strerror or "error")
    )
    target = f" -> '{dest}'" if dest is not None else ""
    return f"{code}: {text}, {syscall} '{path}'{target}"


def human_size(size: int) -> str:
    """format-io's ``size``: bytes below 1 KiB, else two decimals of kb/mb/gb/tb/pb."""
    if size < 1024:
        return f"{size}b"
    for power, unit in enumerate(("kb", "mb", "gb", "tb"), start=1):
        if size < 1024 ** (power + 1):
            return f"{size / 1024**power:.2f}{unit}"
    return f"{size / 1024**5:.2f}pb"


def symbolic_mode(mode: int) -> str:
    """format-io's permissions: ``0o644`` → ``rw- r-- r--``."""
    parts = []
    for shift in (6, 3, 0):
        bits = (mode >> shift) & 7
        parts.append(
            ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + ("x" if bits & 1 else "-")
        )
    return " ".join(parts)


def _js_key(name: str) -> bytes:
    """Sort key of JavaScript's string comparison (UTF-16 code units)."""
    return name.encode("utf-16-be", "surrogatepass")


def _nbsp(text: str) -> str:
    """win32's ``encodeNBSP``: the first U+00A0 becomes ``&nbsp;``."""
    return text.replace("\xa0", "&nbsp;", 1)


def _basename(name: str) -> str:
    """Node's ``path.basename`` (trailing slashes ignored)."""
    return posixpath.basename(name.rstrip("/"))


def _join(root: str, name: str) -> str:
    """Node's ``path.join``: normalised, a trailing slash of ``name`` kept."""
    joined = posixpath.normpath(f"{root}/{name}")
    if name.endswith("/") and not joined.endswith("/"):
        joined += "/"
    return joined


def _owner(uid: int) -> str | int:
    """nicki: the user name of ``uid``, or the uid when it has none."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return uid


def _remove(path: Path) -> None:
    """Remove a file, link or whole folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _copy_into(src: Path, dst: Path) -> None:
    """copymitter: copy ``src`` to ``dst``, overwriting files and merging folders."""
    if src.is_symlink():
        if dst.is_symlink() or dst.is_file():
            dst.unlink()
        dst.symlink_to(src.readlink())
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.resolve() == dst.resolve():
            # Measured: the real copy truncates a file copied onto itself
            # (3 MB became 128 KiB); keep the first 128 KiB the same way.
            data = src.read_bytes()[: 128 * 1024]
            dst.write_bytes(data)
            return
        shutil.copy2(src, dst)


def _move_names(src: Path, dst: Path, names: list[str]) -> str | None:
    """move-files 8: rename each name in order; on the first failure copy and remove.

    Returns the name copymitter's fallback found missing (answered ``404
    ENOENT``), else ``None``.  Measured on the real one: with a missing name the
    fallback copies one entry and stops, the sources stay; moving a folder
    below itself ends with the folder gone.
    """
    for name in names:
        try:
            (src / name).rename(dst / name)  # fs.rename: replaces a file silently
        except OSError:
            break
    else:
        return None
    found: list[str] = []
    for name in reversed(names):  # copymitter looks from the last name
        if not ((src / name).exists() or (src / name).is_symlink()):
            if found:  # it copies one entry, then the error pauses it
                _copy_into(src / found[-1], dst / found[-1])
            return name
        found.append(name)
    for name in names:
        if not (dst / name).is_relative_to(src / name):
            _copy_into(src / name, dst / name)
    for name in names:  # then rm -rf of every source
        with contextlib.suppress(FileNotFoundError):
            _remove(src / name)
    return None


class CloudCmdSimulator(Simulator):
    """Simulated CloudCmd serving the real folder ``root``."""

    kind: ClassVar[str] = "cloudcmd"
    credential_fields: ClassVar[tuple[str, ...]] = ("username", "password")

    def __init__(
        self,
        root: Path | None = None,
        *,
        username: str = "admin",
        password: str = DEFAULT_PASSWORD,
    ) -> None:
        """Serve ``root`` (a fresh temporary folder when not given)."""
        super().__init__()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if root is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pandora-cloudcmd-")
            root = Path(self._tmp.name)
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.username = username
        self.password = password
        self.escapes: list[str] = []
        self.crashes: list[str] = []

    @classmethod
    @override
    def for_demo(cls, *, root: Path, secret: str) -> Self:
        """Serve ``root/cloudcmd`` filled with a small media library."""
        folder = root / "cloudcmd"
        make_demo_library(folder)
        return cls(folder, password=secret)

    @override
    def manifest_extra(self) -> dict[str, Any]:
        """The config flow's root folder: all of what this simulator serves."""
        return {"root": "/"}

    @override
    def setup_routes(self, app: web.Application) -> None:
        """One catch-all route: CloudCmd dispatches on the raw URL itself."""
        app.router.add_route("*", "/{tail:.*}", self._dispatch)

    # -- helpers ---------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        """http-auth's Basic check (UTF-8 credentials, non-empty password)."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except binascii.Error, UnicodeDecodeError:
            return False
        user, sep, password = decoded.partition(":")
        if not sep or not password:
            return False
        return user == self.username and password == self.password

    @staticmethod
    def _error(message: str) -> web.Response:
        """Answer like ponse ``sendError``: every error is a 404 with the message as text."""
        return web.Response(status=404, text=message, content_type="text/plain", charset="UTF-8")

    @staticmethod
    def _ok(message: str) -> web.Response:
        """Answer like ponse ``send``: a short message."""
        return web.Response(text=message, content_type="text/plain", charset="UTF-8")

    def _crash(self, request: web.Request, reason: str) -> web.Response:
        """Die like the real process: drop this and every later connection."""
        self.crashes.append(reason)
        self.set_fault("down")
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=503)  # never sent: the connection is gone

    def _disk(self, web_path: str) -> Path:
        """The path on disk of a normalised absolute path (``_join`` result)."""
        return Path(web_path)

    def _inside(self, path: str) -> bool:
        """Whether the normalised ``path`` is the root or inside it (segment-wise)."""
        root = str(self.root)
        stripped = path.rstrip("/") or "/"
        return stripped == root or stripped.startswith(root + "/")

    # -- dispatch --------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Route like cloudcmd's middleware chain (auth, restafary, rest)."""
        if not self._authorised(request):
            return web.Response(
                status=401,
                body=b"401 Unauthorized",
                content_type="text/plain",
                headers={"WWW-Authenticate": f'Basic realm="{REALM}"'},
            )
        raw = request.raw_path.replace("&nbsp;", "\xa0", 1)
        pathname = unquote(raw.split("?", 1)[0], errors="surrogateescape")
        query = re.sub(r"^.*\?", "", raw)  # ponse getQuery: the whole URL without '?'
        if pathname.startswith(FS):
            return await self._fs(request, pathname[len(FS) :] or "/", query)
        if pathname.startswith(API):
            return await self._rest(request, pathname[len(API) :] or "/")
        if request.method == "GET" and pathname == "/":
            return web.Response(
                text="<!doctype html><title>Cloud Commander</title>", content_type="text/html"
            )
        return self._error(f"ENOENT: no such file or directory, lstat '{pathname}'")

    # -- restafary: /api/v1/fs ----------------------------------------------------------

    async def _fs(self, request: web.Request, name: str, query: str) -> web.StreamResponse:
        """Handle restafary's routes (its ``onFS``)."""
        root = str(self.root)
        web_path = _join(root, name)
        if not web_path.startswith(root):
            return self._error(f"Path {web_path} beyond root {root}!")
        if not self._inside(web_path):
            # restafary's check is a string prefix test: /srv/media2 passes for
            # /srv/media.  Never act outside the root; record it and refuse.
            self.escapes.append(f"{request.method} {name}")
            return self._error(f"Path {web_path} beyond root {root}!")
        match request.method:
            case "GET" | "HEAD":
                return await self._fs_get(request, name, web_path)
            case "PUT":
                return await self._fs_put(request, name, web_path, query)
            case "DELETE":
                return await self._fs_delete(request, name, web_path, query)
            case "OPTIONS":
                return self._ok("")
        return self._error(f"{request.method} is not simulated")

    async def _fs_get(self, request: web.Request, name: str, web_path: str) -> web.StreamResponse:
        """A folder's listing or a file's bytes."""
        disk = self._disk(web_path)
        try:
            is_dir = disk.is_dir()
            exists = disk.exists() or disk.is_symlink()
        except OSError as err:
            return self._error(node_message(err, "scandir", web_path))
        if is_dir:
            try:
                listing = self._listing(disk, web_path)
            except OSError as err:
                return self._error(node_message(err, "scandir", web_path))
            body = json.dumps(listing, indent=4, ensure_ascii=False).encode()
            return web.Response(body=body, content_type="application/json")
        if not exists:
            missing = FileNotFoundError(errno.ENOENT, "no such file or directory")
            return self._error(node_message(missing, "scandir", web_path))
        if web_path.endswith("/"):
            # Measured: the 404 goes out, then the unhandled ENOTDIR of the read
            # stream kills the process.
            not_dir = NotADirectoryError(errno.ENOTDIR, "not a directory")
            response = self._error(node_message(not_dir, "lstat", web_path))
            await response.prepare(request)
            await response.write_eof()
            self.crashes.append(f"GET {name}: ENOTDIR on a file path with a trailing slash")
            self.set_fault("down")
            return response
        data = await asyncio.to_thread(disk.read_bytes)
        content_type = mimetypes.guess_type(disk.name)[0]
        if content_type is None:
            return web.Response(body=data, content_type="text/plain")  # file-type's fallback
        charset = "utf-8" if content_type.startswith("text/") or content_type in _UTF8 else None
        return web.Response(body=data, content_type=content_type, charset=charset)

    def _listing(self, disk: Path, web_path: str) -> dict[str, Any]:
        """Build the JSON readify + win32 send: the JSON CloudCmd sends for a folder."""
        dirs: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        with os.scandir(disk) as entries:
            for entry in entries:
                item = self._entry(entry)
                (dirs if item["type"].startswith("directory") else files).append(item)
        dirs.sort(key=lambda item: _js_key(item["name"]))
        files.sort(key=lambda item: _js_key(item["name"]))
        without_root = web_path.replace(str(self.root), "", 1)
        shown = without_root if without_root.startswith("/") else "/" + without_root
        return {
            "path": _nbsp(shown),
            "files": [{**item, "name": _nbsp(item["name"])} for item in dirs + files],
        }

    @staticmethod
    def _entry(entry: os.DirEntry[str]) -> dict[str, Any]:
        """One listing entry: ``lstat`` values, a link's type from its target."""
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            return {
                "name": entry.name,
                "size": "0b",
                "date": "",
                "owner": _owner(0),
                "mode": "--- --- ---",
                "type": "file",
            }
        is_link = stat.S_ISLNK(info.st_mode)
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            kind = "directory"
        elif posixpath.splitext(entry.name)[1] == ".zip":
            kind = "archive"
        else:
            kind = "file"
        return {
            "name": entry.name,
            "size": human_size(info.st_size),
            "date": time.strftime("%d.%m.%Y", time.localtime(info.st_mtime)),
            "owner": _owner(info.st_uid),
            "mode": symbolic_mode(info.st_mode),
            "type": kind + ("-link" if is_link else ""),
        }

    async def _fs_put(
        self, request: web.Request, name: str, web_path: str, query: str
    ) -> web.StreamResponse:
        """Write a file, or make folders with ``?dir``."""
        disk = self._disk(web_path)
        body = await request.read()
        if query == "dir":

            def mkdir() -> None:
                disk.mkdir(parents=True, exist_ok=True)

            try:
                await asyncio.to_thread(mkdir)
            except OSError as err:  # EEXIST over a file, ENOTDIR below one
                return self._error(node_message(err, "mkdir", web_path))
            return self._ok(_message("make dir", _basename(name)))

        def write() -> None:
            disk.parent.mkdir(parents=True, exist_ok=True)
            if web_path.endswith("/") or disk.is_dir():
                raise IsADirectoryError(errno.EISDIR, "illegal operation on a directory")
            disk.write_bytes(body)

        try:
            await asyncio.to_thread(write)
        except OSError as err:
            return self._error(node_message(err, "open", web_path))
        return self._ok(_message("save", _basename(name)))

    async def _fs_delete(
        self, request: web.Request, name: str, web_path: str, query: str
    ) -> web.StreamResponse:
        """``?files`` with a JSON list removes those names; without, the whole path."""
        disk = self._disk(web_path)
        if query != "files":
            if not (disk.exists() or disk.is_symlink()):
                err = FileNotFoundError(errno.ENOENT, "no such file or directory")
                return self._error(node_message(err, "unlink", web_path.rstrip("/")))
            await asyncio.to_thread(_remove, disk)
            return self._ok(_message("delete", _basename(name)))
        text = (await request.read()).decode("utf-8", "replace")
        try:
            names = json.loads(text)
        except ValueError:
            return self._error(f'Unexpected token, "{text[:30]}" is not valid JSON')
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return self._error("TypeError: names should be an array of strings")
        for item in reversed(names):
            target = _join(web_path, item)
            if not self._inside(target):
                self.escapes.append(f"DELETE {name} ?files {item}")
                continue
            path = self._disk(target)
            if not (path.exists() or path.is_symlink()):
                err = FileNotFoundError(errno.ENOENT, "no such file or directory")
                return self._error(node_message(err, "unlink", target))
            try:
                await asyncio.to_thread(_remove, path)
            except OSError as err:
                return self._error(node_message(err, "unlink", target))
        return self._ok(_message("delete", _basename(name)))

    # -- cloudcmd's rest: /api/v1/<cmd> -------------------------------------------------

    async def _rest(self, request: web.Request, name: str) -> web.StreamResponse:
        """Handle cloudcmd's ``server/rest``: ``GET /api/v1`` and ``PUT`` commands."""
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        if request.method == "GET":
            if name == "/":
                about = {"version": VERSION, "prefix": "", "memory": "42.00mb"}
                return web.Response(
                    text=_js_json(about), content_type="application/json", charset="UTF-8"
                )
            # onGET answers {message: 'Not Found'} through a path that reads
            # `.message` of undefined: the unhandled rejection ends the process.
            return self._crash(request, f"GET {API}{name}: unknown GET command")
        if request.method != "PUT":
            # sendData has no branch for other methods: nothing ever answers
            # (held until the simulator stops or its faults are cleared).
            await self._release.wait()
            raise web.HTTPServiceUnavailable(text="hung")
        cmd = name[1:] if name.startswith("/") else name
        text = (await request.read()).decode("utf-8", "replace")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = None
        if cmd not in _KNOWN:
            if gzip:
                return self._crash(request, f"PUT {API}{name}: unknown command with gzip")
            return self._ok("")
        if not isinstance(body, dict):
            return self._error(f"TypeError: Cannot destructure the body of {cmd}")
        match cmd:
            case "move":
                return await self._move(request, body)
            case "copy":
                return await self._copy(request, body, text)
            case "rename":
                return await self._rename(body)
        return self._error(f"{cmd} is not simulated")

    def _rooted(self, path: str) -> str:
        """Join like cloudcmd's ``root()``: the path joined to the root, not confined."""
        return _join(str(self.root), path)

    async def _move(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        """``PUT /api/v1/move``: renames, falling back to copy and remove (``_move_names``)."""
        src, dst, names = body.get("from"), body.get("to"), body.get("names")
        if not src:
            return self._error('"from" should be filled')
        if not dst:
            return self._error('"to" should be filled')
        if not isinstance(names, list) or not isinstance(src, str) or not isinstance(dst, str):
            return self._error("Error: names should be an array!")
        message = _message("move", _js_json(names))
        src_root, dst_root = self._rooted(src), self._rooted(dst)
        if not (self._inside(src_root) and self._inside(dst_root)) or any(
            not self._inside(_join(src_root, n)) or not self._inside(_join(dst_root, n))
            for n in names
        ):
            self.escapes.append(f"move {names!r} from {src!r} to {dst!r}")
            return self._ok(message)
        missing = await asyncio.to_thread(
            _move_names, self._disk(src_root), self._disk(dst_root), names
        )
        if missing is not None:
            err = FileNotFoundError(errno.ENOENT, "no such file or directory")
            return self._error(node_message(err, "opendir", _join(src_root, missing)))
        return self._ok(message)

    async def _copy(
        self, request: web.Request, body: dict[str, Any], text: str
    ) -> web.StreamResponse:
        """``PUT /api/v1/copy``; names are checked from the last one, like copymitter."""
        src, dst, names = body.get("from"), body.get("to"), body.get("names")
        if not src or not names or not dst:
            # callback(body) → sendError(undefined.stack): the process dies.
            return self._crash(request, "PUT /api/v1/copy without from, to or names")
        if not isinstance(names, list) or not isinstance(src, str) or not isinstance(dst, str):
            return self._error("Error: files should be an array!")
        message = _message("copy", _js_json(names))
        src_root, dst_root = self._rooted(src), self._rooted(dst)
        if not (self._inside(src_root) and self._inside(dst_root)) or any(
            not self._inside(_join(src_root, n)) or not self._inside(_join(dst_root, n))
            for n in names
        ):
            # Measured: a copy to "/../../" writes outside the root and answers ok.
            self.escapes.append(f"copy {names!r} from {src!r} to {dst!r}")
            return self._ok(message)
        found: list[str] = []
        missing: str | None = None
        for item in reversed(names):
            if not self._disk(_join(src_root, item)).exists():
                missing = item
                break
            found.append(item)
        for item in found:  # copymitter copies what it found, even after an error
            await asyncio.to_thread(
                _copy_into, self._disk(_join(src_root, item)), self._disk(_join(dst_root, item))
            )
        if missing is not None:
            err = FileNotFoundError(errno.ENOENT, "no such file or directory")
            return self._error(node_message(err, "opendir", _join(src_root, missing)))
        return self._ok(message)

    async def _rename(self, body: dict[str, Any]) -> web.StreamResponse:
        """``PUT /api/v1/rename``: one ``fs.rename`` (replaces a file silently)."""
        src, dst = body.get("from"), body.get("to")
        if not src:
            return self._error('"from" should be filled')
        if not dst:
            return self._error('"to" should be filled')
        if not isinstance(src, str) or not isinstance(dst, str):
            return self._error("TypeError: paths should be strings")
        message = _message("rename", _js_json({"from": src, "to": dst}))
        src_root, dst_root = self._rooted(src), self._rooted(dst)
        if not (self._inside(src_root) and self._inside(dst_root)):
            self.escapes.append(f"rename {src!r} to {dst!r}")
            return self._ok(message)
        try:
            await asyncio.to_thread(os.rename, src_root, dst_root)
        except OSError as err:
            return self._error(node_message(err, "rename", src_root, dst_root))
        return self._ok(message)


def _js_json(value: Any) -> str:
    """JSON.stringify without spaces, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _message(operation: str, name: str) -> str:
    """Format like cloudcmd's ``formatMsg``: ``op: ok("name")``, or ``op: ok`` for no name."""
    return f'{operation}: ok("{name}")' if name else f"{operation}: ok"


def make_demo_library(folder: Path) -> None:
    """Fill ``folder`` with a small media library named after the catalogue."""
    for sub in ("Movies", "TV", "Downloads/complete", "Downloads/incomplete"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for title in TITLES:
        clean = title.title.replace(":", " -").replace("/", "-")
        if title.media_type == "movie":
            film = folder / "Movies" / f"{clean} ({title.year})"
            film.mkdir(exist_ok=True)
            (film / f"{clean} ({title.year}) 1080p.mkv").write_bytes(b"\x1a\x45\xdf\xa3" * 256)
            (film / f"{clean} ({title.year}).nfo").write_text(
                f"<movie><title>{title.title}</title><year>{title.year}</year></movie>\n",
                encoding="utf-8",
            )
        else:
            season = folder / "TV" / clean / "Season 01"
            season.mkdir(parents=True, exist_ok=True)
            for episode in (1, 2):
                (season / f"{clean} - S01E{episode:02d}.mkv").write_bytes(b"\x1a\x45\xdf\xa3" * 64)
    with contextlib.suppress(OSError):
        (folder / "Downloads" / "complete" / "README.txt").write_text(
            "Finished downloads land here.\n", encoding="utf-8"
        )


__all__ = ["DEFAULT_PASSWORD", "VERSION", "CloudCmdSimulator", "human_size", "symbolic_mode"]
