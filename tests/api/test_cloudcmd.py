"""The CloudCmd client against the CloudCmd simulator, checking the disk after each change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.base_protocol import BaseProtocol
import pytest
from yarl import URL

from custom_components.pandora_box.api._http import basic_authorization
from custom_components.pandora_box.api.cloudcmd import (
    FS_PREFIX,
    AlreadyExistsError,
    CloudCmdClient,
    FileEntry,
    FileStream,
    IsAFolderError,
    NotFoundError,
    answer_confirms,
    check_names,
    parse_date,
    parse_size,
    split_path,
)
from custom_components.pandora_box.api.errors import (
    CannotConnectError,
    InvalidAuthError,
    ResponseError,
)
from simulators.cloudcmd import (
    DEFAULT_PASSWORD,
    VERSION,
    CloudCmdSimulator,
    human_size,
    symbolic_mode,
)

ODD = "we#ird ?%20 näme & ü.txt"
"""A name with every character that must be percent-encoded."""

type MakeClient = Callable[..., CloudCmdClient]


def _basic_auth(username: str, password: str) -> dict[str, str]:
    """Basic auth headers for requests the tests send by hand (as the client builds them)."""
    value = basic_authorization(username, password)
    assert value is not None
    return {"Authorization": value}


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    """The folder the simulator serves, with a small library in it."""
    root = tmp_path / "served"
    (root / "Movies" / "Film One").mkdir(parents=True)
    (root / "Movies" / "Film One" / "film.mkv").write_bytes(b"x" * 5000)
    (root / "TV").mkdir()
    (root / "a.txt").write_bytes(b"hello\n")
    (root / "a.txt").chmod(0o644)
    (root / "b.zip").write_bytes(b"PK")
    (root / "link.txt").symlink_to("a.txt")
    (root / "nb\xa0sp.txt").write_bytes(b"n")
    return root


@pytest.fixture
async def sim(disk: Path) -> AsyncIterator[CloudCmdSimulator]:
    """A running simulator over ``disk``."""
    simulator = CloudCmdSimulator(disk)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def make_client(session: aiohttp.ClientSession, sim: CloudCmdSimulator) -> MakeClient:
    """Build clients of ``sim`` (root ``/``, right credentials unless overridden)."""

    def build(**kwargs: Any) -> CloudCmdClient:
        options: dict[str, Any] = {
            "username": sim.username,
            "password": sim.password,
            "root": "/",
        }
        options.update(kwargs)
        return CloudCmdClient(session, sim.url, **options)

    return build


@pytest.fixture
def client(make_client: MakeClient) -> CloudCmdClient:
    """A client of the simulator with the right credentials."""
    return make_client()


def local_day(path: Path) -> date:
    """The server-local day ``path`` was last modified, as CloudCmd shows it."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone().date()


def names_on_disk(folder: Path) -> set[str]:
    """The names in ``folder`` on disk."""
    return {entry.name for entry in folder.iterdir()}


# -- info and auth ----------------------------------------------------------------------


async def test_get_info(client: CloudCmdClient, sim: CloudCmdSimulator) -> None:
    info = await client.async_get_info()
    assert info.version == VERSION
    assert info.unique_id == f"{sim.url}/|/"
    assert info.name == f"CloudCmd at 127.0.0.1:{sim.port}"
    assert [r.path for r in sim.requests] == ["/api/v1/", "/api/v1/fs/"]


async def test_get_info_sub_root(make_client: MakeClient, sim: CloudCmdSimulator) -> None:
    info = await make_client(root="/Movies/").async_get_info()
    assert info.unique_id == f"{sim.url}/|/Movies"
    assert info.name == f"CloudCmd /Movies at 127.0.0.1:{sim.port}"
    assert sim.requests[-1].path == "/api/v1/fs/Movies"  # never a trailing slash


async def test_get_info_missing_root(make_client: MakeClient) -> None:
    with pytest.raises(NotFoundError, match="root folder /Nope does not exist") as err:
        await make_client(root="/Nope").async_get_info()
    assert isinstance(err.value, ResponseError)
    assert err.value.path == "/Nope"
    assert err.value.detail.startswith("ENOENT: no such file or directory, scandir")


async def test_get_info_root_is_a_file(make_client: MakeClient, sim: CloudCmdSimulator) -> None:
    with pytest.raises(ResponseError, match="it is a file, not a folder"):
        await make_client(root="/a.txt").async_get_info()
    assert sim.crashes == []


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "wrong"), ("someone", DEFAULT_PASSWORD), ("admin", "")],
)
async def test_bad_credentials(make_client: MakeClient, username: str, password: str) -> None:
    with pytest.raises(InvalidAuthError, match="rejected the credentials") as err:
        await make_client(username=username, password=password).async_get_info()
    assert "wrong" not in str(err.value)


async def test_colon_in_user_name_never_sent(
    make_client: MakeClient, sim: CloudCmdSimulator
) -> None:
    with pytest.raises(InvalidAuthError, match="':'"):
        await make_client(username="a:b").async_get_info()
    assert sim.count() == 0


async def test_unicode_password(session: aiohttp.ClientSession, disk: Path) -> None:
    simulator = CloudCmdSimulator(disk, username="jürgen", password="pässwörd✓")
    await simulator.start()
    try:
        c = CloudCmdClient(
            session, simulator.url, username="jürgen", password="pässwörd✓", root="/"
        )
        assert (await c.async_get_info()).version == VERSION
    finally:
        await simulator.stop()


async def test_simulator_auth_shapes(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator
) -> None:
    async with session.get(f"{sim.url}/api/v1/fs/") as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == 'Basic realm="Cloud Commander"'
        assert await resp.text() == "401 Unauthorized"
    sim.rotate_credentials(password="rotated")
    auth = _basic_auth("admin", "rotated")
    async with session.get(f"{sim.url}/api/v1", headers=auth) as resp:
        assert resp.status == 200
        assert (await resp.json())["version"] == VERSION
    async with session.get(f"{sim.url}/api/v1/fs/", headers=auth) as resp:
        assert resp.content_type == "application/json"
        assert (await resp.text()).startswith('{\n    "path": "/",')


async def test_not_cloudcmd(session: aiohttp.ClientSession) -> None:
    """A web server answering HTML is not CloudCmd."""

    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>hi</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", html)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        c = CloudCmdClient(
            session, f"http://127.0.0.1:{port}", username="u", password="p", root="/"
        )
        with pytest.raises(ResponseError, match="not CloudCmd's API information"):
            await c.async_get_info()
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("mode", "kwargs", "error", "match"),
    [
        ("down", {}, CannotConnectError, "broke off"),
        ("hang", {"delay": 5}, CannotConnectError, "did not answer within 0.5 s"),
        ("status", {"status": 500}, CannotConnectError, "HTTP 500"),
        ("status", {"status": 401}, InvalidAuthError, "rejected"),
        ("malformed", {}, ResponseError, "not CloudCmd's API information"),
        ("oversized", {"size": 20 * 1024 * 1024}, ResponseError, "larger than"),
    ],
)
async def test_faults(
    make_client: MakeClient,
    sim: CloudCmdSimulator,
    mode: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    sim.set_fault(mode, **kwargs)
    c = make_client(timeout=0.5 if mode == "hang" else 10)  # streaming 20 MiB takes a moment
    with pytest.raises(error, match=match):
        await c.async_get_info()
    sim.clear_fault()
    assert (await c.async_get_info()).version == VERSION


async def test_malformed_listing(
    client: CloudCmdClient, sim: CloudCmdSimulator, disk: Path
) -> None:
    sim.set_fault("malformed", path="/api/v1/fs")
    with pytest.raises(ResponseError, match="folder listing that is not valid JSON"):
        await client.async_list("/Movies")
    (disk / "broken.json").write_text("{not json", encoding="utf-8")
    sim.clear_fault()
    assert await client.async_read_file("/broken.json") == b"{not json"
    with pytest.raises(ResponseError, match="not valid JSON"):
        await client.async_list("/broken.json")


async def test_stopped(client: CloudCmdClient, sim: CloudCmdSimulator) -> None:
    await sim.stop()
    with pytest.raises(CannotConnectError, match="is it running"):
        await client.async_list("/")


# -- listing and reading ----------------------------------------------------------------


async def test_list_root(client: CloudCmdClient, disk: Path) -> None:
    listing = await client.async_list("/")
    assert listing.path == "/"
    names = [e.name for e in listing.entries]
    assert names == ["Movies", "TV", "a.txt", "b.zip", "link.txt", "nb\xa0sp.txt"]
    by_name = {e.name: e for e in listing.entries}
    assert by_name["Movies"].is_dir
    assert by_name["Movies"].type == "directory"
    a = by_name["a.txt"]
    assert (a.type, a.size_bytes, a.size_text, a.is_dir) == ("file", 6, "6b", False)
    assert a.mode == "rw- r-- r--"
    assert a.modified == local_day(disk / "a.txt")
    assert by_name["link.txt"].is_link
    assert by_name["link.txt"].size_bytes == len("a.txt")  # lstat, like the real one
    assert by_name["b.zip"].type == "file"  # CloudCmd's "archive"
    assert by_name["a.txt"].owner


async def test_list_sub_folder(client: CloudCmdClient, disk: Path) -> None:
    listing = await client.async_list("/Movies/Film One")
    assert listing.path == "/Movies/Film One"
    [film] = listing.entries
    assert film.name == "film.mkv"
    assert film.size_text == "4.88kb"
    assert film.size_bytes == 4997  # approximate: 5000 bytes really
    assert film.modified == local_day(disk / "Movies/Film One/film.mkv")


async def test_list_missing(client: CloudCmdClient) -> None:
    with pytest.raises(NotFoundError, match="could not list /Nope: it does not exist"):
        await client.async_list("/Nope")


async def test_list_a_file_does_not_crash(client: CloudCmdClient, sim: CloudCmdSimulator) -> None:
    with pytest.raises(ResponseError, match="a file, not a folder"):
        await client.async_list("/a.txt")
    assert sim.crashes == []
    assert [r.path for r in sim.requests] == ["/api/v1/fs/a.txt"]


async def test_read_file(client: CloudCmdClient) -> None:
    assert await client.async_read_file("/a.txt") == b"hello\n"
    assert await client.async_read_file("/nb\xa0sp.txt") == b"n"
    with pytest.raises(ResponseError, match="it is a folder"):
        await client.async_read_file("/Movies")
    with pytest.raises(NotFoundError):
        await client.async_read_file("/missing.txt")


# -- writing ----------------------------------------------------------------------------


async def test_make_dir(client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator) -> None:
    await client.async_make_dir("/New Dir/deeper")
    assert (disk / "New Dir" / "deeper").is_dir()
    assert sim.requests[-1].query == {"dir": ""}
    await client.async_make_dir("/New Dir")  # exists: fine, like mkdir -p
    with pytest.raises(AlreadyExistsError, match="already has that name"):
        await client.async_make_dir("/a.txt")
    assert (disk / "a.txt").read_bytes() == b"hello\n"
    with pytest.raises(ValueError, match="top folder"):
        await client.async_make_dir("/")


async def test_write_and_read_odd_names(
    client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator
) -> None:
    await client.async_write_file(f"/Ünï cødé/{ODD}", b"\x00\x01data")
    assert (disk / "Ünï cødé" / ODD).read_bytes() == b"\x00\x01data"
    assert sim.requests[-1].path == f"/api/v1/fs/Ünï cødé/{ODD}"
    assert sim.requests[-1].query == {}
    assert await client.async_read_file(f"/Ünï cødé/{ODD}") == b"\x00\x01data"
    listing = await client.async_list("/Ünï cødé")
    assert [e.name for e in listing.entries] == [ODD]
    await client.async_write_file("/a&nbsp;b.txt", b"literal")
    assert (disk / "a&nbsp;b.txt").read_bytes() == b"literal"
    await client.async_write_file("/a.txt", b"replaced")
    assert (disk / "a.txt").read_bytes() == b"replaced"
    with pytest.raises(ResponseError, match="EISDIR"):
        await client.async_write_file("/Movies", b"nope")


async def test_delete(client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator) -> None:
    await client.async_delete("/", ["a.txt", "Movies"])
    assert names_on_disk(disk) == {"TV", "b.zip", "link.txt", "nb\xa0sp.txt"}
    assert sim.requests[-1].method == "DELETE"
    assert sim.requests[-1].query == {"files": ""}
    (disk / "TV" / ODD).write_bytes(b"x")
    await client.async_delete("/TV", [ODD])
    assert names_on_disk(disk / "TV") == set()
    assert "TV" in names_on_disk(disk)


async def test_delete_missing_name(client: CloudCmdClient, disk: Path) -> None:
    with pytest.raises(NotFoundError, match=r"/TV or one of nothere does not exist") as err:
        await client.async_delete("/TV", ["nothere"])
    assert "unlink" in err.value.detail
    assert (disk / "TV").is_dir()


@pytest.mark.parametrize("names", [[], [""], ["."], [".."], ["a/b"], ["x\0"]])
async def test_delete_refuses_bad_names(
    client: CloudCmdClient, sim: CloudCmdSimulator, disk: Path, names: list[str]
) -> None:
    with pytest.raises(ValueError, match="name"):
        await client.async_delete("/Movies", names)
    assert sim.count() == 0
    assert (disk / "Movies" / "Film One" / "film.mkv").exists()


async def test_delete_refuses_one_string(client: CloudCmdClient, sim: CloudCmdSimulator) -> None:
    with pytest.raises(TypeError):
        await client.async_delete("/", "a.txt")
    assert sim.count() == 0


async def test_move(client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator) -> None:
    (disk / "TV" / ODD).write_bytes(b"odd")
    await client.async_move("/", "/TV", ["a.txt", "Movies"])
    assert names_on_disk(disk / "TV") == {ODD, "a.txt", "Movies"}
    assert (disk / "TV" / "Movies" / "Film One" / "film.mkv").stat().st_size == 5000
    assert not (disk / "a.txt").exists()
    await client.async_move("/TV", "/New/Place", [ODD])  # destination made
    assert (disk / "New" / "Place" / ODD).read_bytes() == b"odd"
    assert sim.escapes == []


async def test_move_refuses_to_overwrite(
    client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator
) -> None:
    (disk / "TV" / "a.txt").write_bytes(b"other")
    with pytest.raises(AlreadyExistsError, match=r"a\.txt already exist") as err:
        await client.async_move("/", "/TV", ["a.txt"])
    assert err.value.names == ("a.txt",)
    assert sim.count("/api/v1/move") == 0
    assert (disk / "TV" / "a.txt").read_bytes() == b"other"
    await client.async_move("/", "/TV", ["a.txt"], overwrite=True)
    assert (disk / "TV" / "a.txt").read_bytes() == b"hello\n"
    assert not (disk / "a.txt").exists()


async def test_move_missing(client: CloudCmdClient, disk: Path) -> None:
    with pytest.raises(NotFoundError, match="one of nothere does not exist"):
        await client.async_move("/", "/TV", ["nothere"])
    assert names_on_disk(disk / "TV") == set()


@pytest.mark.parametrize(
    ("src", "dst", "names"),
    [
        ("/", "/", ["a.txt"]),
        ("/Movies", "/Movies/Film One/inner", ["Film One"]),
        ("/Movies", "/Movies/Film One", ["Film One"]),
        ("/x/../y", "/y", ["a"]),
        ("relative", "/y", ["a"]),
    ],
)
async def test_transfer_refuses_data_loss(
    client: CloudCmdClient,
    sim: CloudCmdSimulator,
    disk: Path,
    src: str,
    dst: str,
    names: list[str],
) -> None:
    for method in (client.async_move, client.async_copy):
        with pytest.raises(ValueError, match=r"into|same folder|'\.'|absolute"):
            await method(src, dst, names)
    assert sim.count() == 0
    assert (disk / "Movies" / "Film One" / "film.mkv").exists()


async def test_copy(client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator) -> None:
    await client.async_copy("/", "/TV/copies", ["a.txt", "Movies", "b.zip"])
    assert names_on_disk(disk / "TV" / "copies") == {"a.txt", "Movies", "b.zip"}
    assert (disk / "TV" / "copies" / "Movies" / "Film One" / "film.mkv").stat().st_size == 5000
    assert (disk / "a.txt").exists()  # the source stays
    with pytest.raises(AlreadyExistsError):
        await client.async_copy("/", "/TV/copies", ["a.txt"])
    (disk / "a.txt").write_bytes(b"newer")
    await client.async_copy("/", "/TV/copies", ["a.txt"], overwrite=True)
    assert (disk / "TV" / "copies" / "a.txt").read_bytes() == b"newer"
    assert sim.escapes == []


async def test_copy_missing_copies_the_rest(client: CloudCmdClient, disk: Path) -> None:
    """copymitter checks from the last name; what it found is copied despite the 404."""
    with pytest.raises(NotFoundError):
        await client.async_copy("/", "/TV", ["nothere", "a.txt"])
    assert names_on_disk(disk / "TV") == {"a.txt"}


async def test_rename(client: CloudCmdClient, disk: Path, sim: CloudCmdSimulator) -> None:
    await client.async_rename("/a.txt", f"/TV/{ODD}")
    assert (disk / "TV" / ODD).read_bytes() == b"hello\n"
    assert not (disk / "a.txt").exists()
    await client.async_rename("/Movies/Film One", "/Movies/Film Two")
    assert names_on_disk(disk / "Movies") == {"Film Two"}
    with pytest.raises(AlreadyExistsError):
        await client.async_rename("/b.zip", f"/TV/{ODD}")
    assert (disk / "TV" / ODD).read_bytes() == b"hello\n"
    await client.async_rename("/b.zip", f"/TV/{ODD}", overwrite=True)
    assert (disk / "TV" / ODD).read_bytes() == b"PK"
    with pytest.raises(NotFoundError):
        await client.async_rename("/nothere", "/there")
    requests = sim.count("/api/v1/rename")
    for old, new in [("/TV", "/TV"), ("/TV", "/TV/inner"), ("/", "/x"), ("/a", "/")]:
        with pytest.raises(ValueError, match=r"top folder|same|into itself"):
            await client.async_rename(old, new)
    assert sim.count("/api/v1/rename") == requests


async def test_rename_folder_onto_non_empty_folder(client: CloudCmdClient, disk: Path) -> None:
    (disk / "TV" / "x").write_bytes(b"x")
    (disk / "Movies" / "TV").mkdir()
    (disk / "Movies" / "TV" / "y").write_bytes(b"y")
    with pytest.raises(AlreadyExistsError, match="already has that name"):
        await client.async_rename("/TV", "/Movies/TV", overwrite=True)
    assert (disk / "TV" / "x").exists()


# -- the traps ------------------------------------------------------------------------


class RawClient(CloudCmdClient):
    """Reaches the private helpers, to show what an unknown command does."""

    async def put_command(self, command: str, body: dict[str, Any]) -> None:
        """Send ``body`` to ``/api/v1/<command>`` and check it like a real command."""
        resp = await self._call("PUT", f"api/v1/{command}", encoded=False, json=body)
        self._confirm(resp, "move", "/")


async def test_unknown_command_trap(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    c = RawClient(session, sim.url, username=sim.username, password=sim.password, root="/")
    body = {"from": "/", "to": "/TV/", "names": ["a.txt"]}
    with pytest.raises(ResponseError, match="no confirmation for move"):
        await c.put_command("mv", body)
    assert (disk / "a.txt").exists()  # nothing was done
    assert names_on_disk(disk / "TV") == set()
    assert sim.crashes == []  # identity encoding: the real one survives it too
    await c.put_command("move", body)
    assert names_on_disk(disk / "TV") == {"a.txt"}


def test_answer_confirms() -> None:
    assert answer_confirms('move: ok("["a.txt"]")', "move")
    assert answer_confirms("delete: ok", "delete")
    assert answer_confirms('make dir: ok("x")', "make dir")
    assert not answer_confirms("", "move")
    assert not answer_confirms("copy: ok", "move")
    assert not answer_confirms("move: okay", "move")
    assert not answer_confirms("<html>", "save")


async def test_simulator_unknown_command_with_gzip_crashes(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    url = f"{sim.url}/api/v1/mv"
    async with session.put(url, headers={**auth, "Accept-Encoding": "identity"}) as resp:
        assert resp.status == 200
        assert await resp.read() == b""
    with pytest.raises(aiohttp.ClientError):
        async with session.put(url, headers={**auth, "Accept-Encoding": "gzip"}) as resp:
            await resp.read()
    assert len(sim.crashes) == 1
    with pytest.raises(aiohttp.ClientError):
        async with session.get(f"{sim.url}/api/v1", headers=auth) as resp:
            await resp.read()
    sim.clear_fault()  # "restart"
    async with session.get(f"{sim.url}/api/v1", headers=auth) as resp:
        assert resp.status == 200


async def test_simulator_file_with_trailing_slash_crashes(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    async with session.get(f"{sim.url}/api/v1/fs/a.txt/", headers=auth) as resp:
        assert resp.status == 404
        assert (await resp.text()).startswith("ENOTDIR: not a directory, lstat")
    assert sim.crashes
    assert sim.fault is not None
    assert sim.fault.mode == "down"


async def test_simulator_delete_without_files_removes_folder(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    async with session.delete(f"{sim.url}/api/v1/fs/Movies/", headers=auth, json=["x"]) as resp:
        assert resp.status == 200
        assert await resp.text() == 'delete: ok("Movies")'
    assert not (disk / "Movies").exists()


async def test_simulator_query_must_be_exact(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    """``?dir=`` is not ``?dir``: CloudCmd saves an empty file instead."""
    auth = _basic_auth(sim.username, sim.password)
    async with session.put(f"{sim.url}/api/v1/fs/made", headers=auth, params={"dir": ""}) as resp:
        assert await resp.text() == 'save: ok("made")'
    assert (disk / "made").is_file()


async def test_simulator_beyond_root(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    url = URL(f"{sim.url}/api/v1/fs/%2e%2e/%2e%2e/", encoded=True)  # no client-side squashing
    async with session.get(url, headers=auth) as resp:
        assert resp.status == 404
        text = await resp.text()
    assert "beyond root" in text
    sibling = disk.parent / (disk.name + "2")
    url = URL(f"{sim.url}/api/v1/fs/%2e%2e/{sibling.name}/x", encoded=True)
    async with session.put(url, headers=auth, data=b"x") as resp:
        assert resp.status == 404
    assert not sibling.exists()
    assert sim.escapes == [f"PUT /../{sibling.name}/x"]


async def test_simulator_copy_escape_is_recorded_not_done(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    body = {"from": "/", "to": "/../../", "names": ["a.txt"]}
    async with session.put(f"{sim.url}/api/v1/copy", headers=auth, json=body) as resp:
        assert resp.status == 200
        assert await resp.text() == 'copy: ok("["a.txt"]")'
    assert sim.escapes == ["copy ['a.txt'] from '/' to '/../../'"]
    assert not (disk.parent.parent / "a.txt").exists()
    body = {"from": "/a.txt", "to": "/../a.txt"}
    async with session.put(f"{sim.url}/api/v1/rename", headers=auth, json=body) as resp:
        assert await resp.text() == 'rename: ok("{"from":"/a.txt","to":"/../a.txt"}")'
    assert (disk / "a.txt").exists()
    assert len(sim.escapes) == 2


async def test_simulator_copy_onto_itself_truncates(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    (disk / "big.bin").write_bytes(b"z" * 300_000)
    auth = _basic_auth(sim.username, sim.password)
    body = {"from": "/", "to": "/", "names": ["big.bin"]}
    async with session.put(f"{sim.url}/api/v1/copy", headers=auth, json=body) as resp:
        assert await resp.text() == 'copy: ok("["big.bin"]")'
    assert (disk / "big.bin").stat().st_size == 128 * 1024


async def test_simulator_move_into_itself_loses_it(
    session: aiohttp.ClientSession, sim: CloudCmdSimulator, disk: Path
) -> None:
    auth = _basic_auth(sim.username, sim.password)
    body = {"from": "/Movies/", "to": "/Movies/Film One/in/", "names": ["Film One"]}
    async with session.put(f"{sim.url}/api/v1/move", headers=auth, json=body) as resp:
        assert await resp.text() == 'move: ok("["Film One"]")'
    assert names_on_disk(disk / "Movies") == set()


# -- helpers and demo -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6b", 6),
        ("0b", 0),
        ("4.00kb", 4096),
        ("1.20mb", 1258291),
        ("2.5gb", 2684354560),
        ("1.00TB", 1 << 40),
        (7, 7),
        ("", None),
        ("big", None),
        (None, None),
        (True, None),
        (-1, None),
    ],
)
def test_parse_size(text: Any, expected: int | None) -> None:
    assert parse_size(text) == expected


def test_parse_date() -> None:
    assert parse_date("25.11.2026") == date(2026, 11, 25)
    assert parse_date("--.--.----") is None
    assert parse_date("31.02.2026") is None
    assert parse_date("") is None
    assert parse_date(None) is None


def test_path_and_name_checks() -> None:
    assert split_path("/") == []
    assert split_path("//a//b/") == ["a", "b"]
    for bad in ("a/b", "/a/../b", "/./a", "/a\0"):
        with pytest.raises(ValueError, match="CloudCmd path"):
            split_path(bad)
    assert check_names(["a", "b c"]) == ("a", "b c")


def test_client_refuses_bad_root(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError, match="absolute"):
        CloudCmdClient(session, "http://h", username="u", password="p", root="media")
    c = CloudCmdClient(session, "http://h", username="u", password="p", root="/media/")
    assert c.root == "/media"


def test_simulator_formats() -> None:
    assert human_size(5) == "5b"
    assert human_size(4096) == "4.00kb"
    assert human_size(5000) == "4.88kb"
    assert human_size(3 * 1024**3) == "3.00gb"
    assert human_size(2 * 1024**5) == "2.00pb"
    assert symbolic_mode(0o100644) == "rw- r-- r--"
    assert symbolic_mode(0o40755) == "rwx r-x r-x"


def test_entry_model() -> None:
    entry = FileEntry(
        name="x",
        type="directory",
        size_bytes=None,
        size_text=None,
        modified=None,
        mode=None,
        owner=None,
    )
    assert entry.is_dir
    assert not entry.is_link


async def test_demo(session: aiohttp.ClientSession, tmp_path: Path) -> None:
    demo = CloudCmdSimulator.for_demo(root=tmp_path, secret="demo-secret")
    assert demo.password == "demo-secret"
    assert demo.root == (tmp_path / "cloudcmd").resolve()
    await demo.start()
    try:
        assert demo.manifest() == {
            "url": demo.url,
            "username": "admin",
            "password": "demo-secret",
            "root": "/",
        }
        c = CloudCmdClient(session, demo.url, username="admin", password="demo-secret", root="/")
        listing = await c.async_list("/")
        assert [e.name for e in listing.entries] == ["Downloads", "Movies", "TV"]
        movies = await c.async_list("/Movies")
        assert len(movies.entries) >= 3
        assert all(e.is_dir for e in movies.entries)
    finally:
        await demo.stop()


async def test_default_simulator_has_its_own_folder() -> None:
    simulator = CloudCmdSimulator()
    assert simulator.root.is_dir()
    assert list(simulator.root.iterdir()) == []
    assert simulator.credentials() == {"username": "admin", "password": DEFAULT_PASSWORD}


# -- streaming files (the media view) -------------------------------------------------


async def _read(stream: FileStream, start: int = 0, length: int | None = None) -> bytes:
    """Everything ``stream.chunks(start, length)`` yields."""
    return b"".join([chunk async for chunk in stream.chunks(start, length)])


async def test_open_file_streams_and_slices(client: CloudCmdClient, sim: CloudCmdSimulator) -> None:
    """Exact size and type from CloudCmd; any slice read from the whole answer."""
    async with client.async_open_file("/Movies/Film One/film.mkv") as stream:
        assert stream.size == 5000
        assert stream.content_type.startswith("video/")
        assert await _read(stream, 4990) == b"x" * 10
    async with client.async_open_file("/a.txt") as stream:
        assert await _read(stream, 1, 3) == b"ell"
    async with client.async_open_file("/a.txt") as stream:
        assert await _read(stream) == b"hello\n"
    async with client.async_open_file("/a.txt", head=True) as stream:
        assert stream.size == 6
    assert sim.count(f"/{FS_PREFIX}/a.txt", method="HEAD") == 1


async def test_open_file_errors(make_client: MakeClient, sim: CloudCmdSimulator) -> None:
    """Missing file, a folder, refused credentials, a user name Basic auth cannot carry."""
    client = make_client()
    with pytest.raises(NotFoundError):
        async with client.async_open_file("/nope.mkv"):
            pass
    with pytest.raises(IsAFolderError):
        async with client.async_open_file("/Movies"):
            pass
    with pytest.raises(InvalidAuthError):
        async with make_client(password="wrong").async_open_file("/a.txt"):
            pass
    before = sim.count()
    with pytest.raises(InvalidAuthError):
        async with make_client(username="a:b").async_open_file("/a.txt"):
            pass
    assert sim.count() == before
    sim.set_fault("down")
    with pytest.raises(CannotConnectError):
        async with client.async_open_file("/a.txt"):
            pass
    sim.set_fault("status", status=503)
    with pytest.raises(CannotConnectError):
        async with client.async_open_file("/a.txt"):
            pass
    assert sim.crashes == []


def _fed(data: bytes, *, size: int | None, error: BaseException | None = None) -> FileStream:
    """A stream of ``data`` as if it had arrived from CloudCmd, then EOF or ``error``."""
    reader = aiohttp.StreamReader(BaseProtocol(asyncio.get_running_loop()), 2**16)
    reader.feed_data(data)
    if error is None:
        reader.feed_eof()
    else:
        reader.set_exception(error)
    return FileStream(
        size=size, content_type="video/mp4", content=reader, service="CloudCmd", origin="x"
    )


async def test_short_or_broken_stream_is_an_error() -> None:
    """Less than announced, a broken payload, a stalled read: ``CannotConnectError``."""
    assert await _read(_fed(b"abcdef", size=6), 2) == b"cdef"
    assert await _read(_fed(b"abcdef", size=None)) == b"abcdef"
    assert await _read(_fed(b"abcdef", size=6), 0, 0) == b""
    with pytest.raises(CannotConnectError, match="less of the file"):
        await _read(_fed(b"abc", size=6))
    with pytest.raises(CannotConnectError, match="less of the file"):
        await _read(_fed(b"abc", size=None), 5)
    with pytest.raises(CannotConnectError, match="broke off"):
        await _read(_fed(b"abc", size=6, error=aiohttp.ClientPayloadError("cut")))
    with pytest.raises(CannotConnectError, match="stopped sending"):
        await _read(_fed(b"abc", size=6, error=TimeoutError()))
