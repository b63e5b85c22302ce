"""The CloudCmd media disk in the media browser, against the simulator over loopback HTTP.

Browse (folders first, media files only, sorted), play through the signed
Home Assistant view (ranges answered by the view, 416, HEAD), the file
actions' traversal cases against browse, resolve and the view (nothing
reaches CloudCmd), upstream faults, and that the password never leaves.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote

from homeassistant.components import media_source
from homeassistant.components.media_player import BrowseError, MediaClass, SearchMediaQuery
from homeassistant.components.media_source import Unresolvable
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.media.browse import media_id, parse_media_id
from custom_components.pandora_box.upstreams.cloudcmd import paths
from custom_components.pandora_box.upstreams.cloudcmd.media import (
    MEDIA,
    UNSATISFIABLE,
    byte_range,
    file_url,
    media_type,
)
from simulators import CloudCmdSimulator, JellyfinSimulator

from ...helpers import mock_entry, setup_integration
from .test_actions import TRAVERSALS

ENTRY_ID = "01JFCLOUDCMDMEDIA000000001"
ROOT = "/library"
FILM = bytes(range(256)) * 4096  # 1 MiB, every offset tells its byte


@pytest.fixture
def disk(cloudcmd_sim: CloudCmdSimulator) -> Path:
    """``/library`` with films, music, images, other files; things beside it."""
    base = cloudcmd_sim.root
    library = base / "library"
    (library / "Movies" / "Film (2025)").mkdir(parents=True)
    (library / "Movies" / "Film (2025)" / "film.mkv").write_bytes(FILM)
    (library / "Movies" / "Film (2025)" / "film.nfo").write_text("<movie/>")
    (library / "music").mkdir()
    (library / "music" / "Track.FLAC").write_bytes(b"fLaC" * 10)
    (library / "Photos").mkdir()
    (library / "Photos" / "cover.jpg").write_bytes(b"\xff\xd8\xff" + b"j" * 100)
    (library / "Photos" / "drawing.svg").write_text("<svg/>")
    (library / ".hidden").mkdir()
    (library / "b.mp4").write_bytes(b"b" * 10)
    (library / "A.mp3").write_bytes(b"a" * 10)
    (library / "notes.txt").write_text("not media")
    (library / "bad%41.mp4").write_bytes(b"x")
    (library / "folder.mkv").mkdir()
    (base / "secret").mkdir()
    (base / "secret" / "keep.mp4").write_bytes(b"secret")
    (base / "library2").mkdir()
    (base / "library2" / "x.mp4").write_bytes(b"x")
    return library


@pytest.fixture
async def entry(
    hass: HomeAssistant, cloudcmd_sim: CloudCmdSimulator, disk: Path
) -> MockConfigEntry:
    """A loaded CloudCmd entry confined to ``/library``, with the media source set up."""
    assert await async_setup_component(hass, "media_source", {})
    config_entry = mock_entry(cloudcmd_sim, root=ROOT, title="Media disk", entry_id=ENTRY_ID)
    await setup_integration(hass, config_entry)
    return config_entry


async def browse(hass: HomeAssistant, rest: str = "") -> Any:
    """Browse ``rest`` of the entry (its root when empty)."""
    return await media_source.async_browse_media(hass, media_id(ENTRY_ID, rest))


async def resolve(hass: HomeAssistant, rest: str) -> media_source.PlayMedia:
    """Resolve ``rest`` of the entry for no particular player."""
    return await media_source.async_resolve_media(hass, media_id(ENTRY_ID, rest), None)


def rest_of(node: Any) -> str:
    """The entry-relative part of a node's id."""
    parsed = parse_media_id(node.media_content_id)
    assert parsed is not None
    assert parsed[0] == ENTRY_ID
    return parsed[1]


async def test_browse_folders_first_media_only(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Folders first, then media files, each by name; other files, dot and odd names left out."""
    source_root: Any = await media_source.async_browse_media(hass, f"media-source://{DOMAIN}")
    assert [c.title for c in source_root.children] == ["Media disk"]
    assert source_root.children[0].can_search is False

    root = await browse(hass)
    assert root.title == "Media disk"
    assert [c.title for c in root.children] == [
        "folder.mkv",
        "Movies",
        "music",
        "Photos",
        "A.mp3",
        "b.mp4",
    ]
    assert [rest_of(c) for c in root.children][:2] == ["folder.mkv", "Movies"]
    by_title = {c.title: c for c in root.children}
    assert by_title["Movies"].can_expand
    assert not by_title["Movies"].can_play
    assert by_title["A.mp3"].media_class == MediaClass.MUSIC
    assert by_title["A.mp3"].media_content_type == "audio/mpeg"
    assert by_title["b.mp4"].media_class == MediaClass.VIDEO
    assert by_title["b.mp4"].can_play
    assert not by_title["b.mp4"].can_expand

    film = await browse(hass, "Movies/Film (2025)")
    assert [c.title for c in film.children] == ["film.mkv"]
    assert film.children[0].media_content_type == "video/matroska"
    assert rest_of(film.children[0]) == "Movies/Film (2025)/film.mkv"
    music = await browse(hass, "music")
    assert music.children[0].media_content_type == "audio/flac"  # extension case ignored
    photos = await browse(hass, "Photos")
    assert [c.title for c in photos.children] == ["cover.jpg"]  # no SVG
    assert photos.children[0].media_class == MediaClass.IMAGE
    assert (
        photos.children[0].thumbnail == f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/Photos/cover.jpg"
    )

    node = await browse(hass, "Movies/Film (2025)/film.mkv")  # a file: its own node
    assert node.can_play
    assert node.title == "film.mkv"
    assert not node.children


async def test_browse_errors_are_translated(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Missing folders and files, non-media files: translated errors."""
    with pytest.raises(BrowseError, match=r"Media disk: /library/nope does not exist"):
        await browse(hass, "nope")
    with pytest.raises(BrowseError, match=r"/library/nope/deeper does not exist"):
        await browse(hass, "nope/deeper")
    with pytest.raises(BrowseError, match=r"notes\.txt is not a video, audio or image file"):
        await browse(hass, "notes.txt")
    with pytest.raises(Unresolvable, match="cannot be played"):
        await resolve(hass, "notes.txt")
    with pytest.raises(Unresolvable, match=r"folder\.mkv cannot be played"):
        await resolve(hass, "folder.mkv")
    with pytest.raises(Unresolvable, match="Media disk cannot be played"):
        await resolve(hass, ".")
    with pytest.raises(Unresolvable, match=r"/library/gone.mp4 does not exist"):
        await resolve(hass, "gone.mp4")


async def test_play_through_signed_view(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The resolved URL is signed, plays without a token, and names no CloudCmd secret."""
    client = await hass_client_no_auth()
    played = await resolve(hass, "Movies/Film (2025)/film.mkv")
    assert played.mime_type == "video/matroska"
    assert played.url.startswith(
        f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/Movies/Film%20%282025%29/film.mkv?authSig="
    )
    token = base64.b64encode(f"admin:{cloudcmd_sim.password}".encode()).decode()
    assert cloudcmd_sim.password not in played.url
    assert token not in played.url

    resp = await client.get(played.url)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "video/matroska"
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert await resp.read() == FILM
    for value in resp.headers.values():
        assert cloudcmd_sim.password not in value
        assert token not in value

    # without the signature, or with it on another path: Home Assistant refuses
    unsigned = played.url.partition("?")[0]
    assert (await client.get(unsigned)).status == 401
    query = played.url.partition("?")[2]
    other = f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/b.mp4?{query}"
    assert (await client.get(other)).status == 401


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        ("bytes=0-99", 206, 0, 99),
        ("bytes=1000-1999", 206, 1000, 1999),
        ("bytes=1048000-", 206, 1048000, 1048575),
        ("bytes=-16", 206, 1048560, 1048575),
        ("bytes=1048570-2000000", 206, 1048570, 1048575),
        ("bytes=0-0", 206, 0, 0),
        ("bytes=0-9,20-29", 200, 0, 1048575),  # several ranges: the whole file
        ("bytes=9-2", 200, 0, 1048575),  # malformed: ignored
        ("items=0-9", 200, 0, 1048575),
    ],
)
async def test_ranges(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    header: str,
    status: int,
    first: int,
    last: int,
) -> None:
    """The view answers ranges itself (the simulated CloudCmd, like the real one, ignores them)."""
    client = await hass_client()
    resp = await client.get(
        file_url(ENTRY_ID, "Movies/Film (2025)/film.mkv"), headers={"Range": header}
    )
    assert resp.status == status
    body = await resp.read()
    assert body == FILM[first : last + 1]
    assert int(resp.headers["Content-Length"]) == last - first + 1
    if status == 206:
        assert resp.headers["Content-Range"] == f"bytes {first}-{last}/{len(FILM)}"
    else:
        assert "Content-Range" not in resp.headers


async def test_unsatisfiable_if_range_and_head(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """416 past the end; If-Range (we send no validators) gets the whole file; HEAD."""
    client = await hass_client()
    url = file_url(ENTRY_ID, "Movies/Film (2025)/film.mkv")
    resp = await client.get(url, headers={"Range": f"bytes={len(FILM)}-"})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == f"bytes */{len(FILM)}"
    resp = await client.get(url, headers={"Range": "bytes=-0"})
    assert resp.status == 416
    resp = await client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"x"'})
    assert resp.status == 200
    assert len(await resp.read()) == len(FILM)
    resp = await client.head(url, headers={"Range": "bytes=10-19"})
    assert resp.status == 206
    assert resp.headers["Content-Range"] == f"bytes 10-19/{len(FILM)}"
    assert await resp.read() == b""


async def test_view_refuses_what_it_must_not_serve(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """Non-media files, folders, missing files, unknown entries: 404, and 401 without auth."""
    client = await hass_client()
    before = cloudcmd_sim.count()
    for url in (
        file_url(ENTRY_ID, "notes.txt"),
        file_url(ENTRY_ID, "Photos/drawing.svg"),
        file_url("01JFNOSUCHENTRY00000000000", "b.mp4"),
    ):
        assert (await client.get(url)).status == 404, url
    assert cloudcmd_sim.count() == before  # refused before asking CloudCmd
    assert (await client.get(file_url(ENTRY_ID, "folder.mkv"))).status == 404
    assert (await client.get(file_url(ENTRY_ID, "gone.mp4"))).status == 404
    assert (await client.get(file_url(ENTRY_ID, "b.mp4"))).status == 200


def traversal_paths() -> list[str]:
    """Every path or name of the file actions' traversal cases that ``paths`` refuses as a path."""
    values: list[str] = []
    for _, data, _ in TRAVERSALS:
        for value in data.values():
            for text in value if isinstance(value, list) else [value]:
                try:
                    paths.confine(ROOT, text)
                except paths.PathRejectedError:
                    if text:  # "" is no traversal: an id without a path is the root
                        values.append(text)
    return list(dict.fromkeys(values))


def test_traversal_paths_cover_the_file_actions() -> None:
    """The cases below are many, and include the measured escapes of the real copy route."""
    found = traversal_paths()
    assert len(found) >= 20
    assert {"/../", "/../../", "../secret", "/secret", "/library2"} <= set(found)


@pytest.mark.parametrize("path", traversal_paths())
async def test_traversal_never_reaches_cloudcmd(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client: ClientSessionGenerator,
    path: str,
) -> None:
    """Browse, resolve and the view refuse each path before any request to CloudCmd.

    Browse and resolve get the path as the id's rest straight away: Home
    Assistant's own id parsing would already drop a line break.
    """
    client = await hass_client()
    before = cloudcmd_sim.count()
    with pytest.raises(BrowseError):
        await MEDIA.async_browse(hass, entry, path)
    with pytest.raises(Unresolvable):
        await MEDIA.async_resolve(hass, entry, path)
    for url_path in (path, path + "/keep.mp4"):
        if not url_path.strip("/"):
            continue  # no path to send after the view's prefix
        url = f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/{quote(url_path, safe='')}"
        resp = await client.get(url)
        # 400: Home Assistant's security filter refused it first
        assert resp.status in (404, 400), (url, resp.status)
        assert b"secret" not in await resp.read()
    assert cloudcmd_sim.count() == before
    assert cloudcmd_sim.escapes == []


@pytest.mark.parametrize(
    "url_path",
    [
        "%2e%2e/secret/keep.mp4",
        "..%2fsecret%2fkeep.mp4",
        "%252e%252e/secret/keep.mp4",
        "Movies%5c..%5c..%5csecret%5ckeep.mp4",
        "%2fsecret%2fkeep.mp4",
        "/secret/keep.mp4",
        "library2/../../secret/keep.mp4",
    ],
)
async def test_encoded_url_traversal(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client: ClientSessionGenerator,
    url_path: str,
) -> None:
    """Raw, encoded and double-encoded climbs in the view's URL serve nothing."""
    client = await hass_client()
    before = cloudcmd_sim.count()
    resp = await client.get(f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/{url_path}")
    assert resp.status in (404, 400)  # 400: Home Assistant's security filter came first
    assert b"secret" not in await resp.read()
    assert cloudcmd_sim.count() == before


async def test_upstream_faults(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """CloudCmd down: 502 and a translated browse error; then it recovers by itself."""
    client = await hass_client()
    url = file_url(ENTRY_ID, "b.mp4")
    cloudcmd_sim.set_fault("down")
    assert (await client.get(url)).status == 502
    with pytest.raises(BrowseError, match="Media disk"):
        await browse(hass)
    cloudcmd_sim.set_fault("status", status=500)
    assert (await client.get(url)).status == 502
    cloudcmd_sim.clear_fault()
    resp = await client.get(url)
    assert resp.status == 200
    assert await resp.read() == b"b" * 10
    assert [c.title for c in (await browse(hass)).children][-1] == "b.mp4"


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cloudcmd_sim: CloudCmdSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """A password changed on CloudCmd: 502 from the view, a reauth flow, a translated error."""
    client = await hass_client()
    cloudcmd_sim.rotate_credentials(password="changed-elsewhere")
    assert (await client.get(file_url(ENTRY_ID, "b.mp4"))).status == 502
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    with pytest.raises(BrowseError, match="rejected the credentials"):
        await browse(hass, "Movies")


def test_byte_range() -> None:
    """RFC 9110 ranges of a 100-byte file."""
    assert byte_range(None, 100) is None
    assert byte_range("bytes=0-9", 100) == (0, 9)
    assert byte_range("bytes=90-", 100) == (90, 99)
    assert byte_range("bytes=-10", 100) == (90, 99)
    assert byte_range("bytes=-500", 100) == (0, 99)
    assert byte_range("bytes=50-500", 100) == (50, 99)
    assert byte_range(" Bytes = 5-6 ", 100) == (5, 6)
    assert byte_range("bytes=100-", 100) == UNSATISFIABLE
    assert byte_range("bytes=-0", 100) == UNSATISFIABLE
    assert byte_range("bytes=0-", 0) == UNSATISFIABLE
    assert byte_range("bytes=-5", 0) == UNSATISFIABLE
    for ignored in ("bytes=", "bytes=-", "bytes=5-2", "bytes=a-b", "bytes=0-1,3-4", "0-9"):
        assert byte_range(ignored, 100) is None, ignored
    assert byte_range("bytes=" + "9" * 30 + "-", 100) is None  # no huge ints parsed


def test_media_type() -> None:
    """By extension, any case; no SVG, no extension-only or dot names."""
    assert media_type("a.MKV") == "video/matroska"
    assert media_type("a.jpeg") == "image/jpeg"
    assert media_type("a.svg") is None
    assert media_type(".mp4") is None
    assert media_type("mp4") is None


async def test_other_kinds_and_search(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyfin_sim: JellyfinSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """The view serves CloudCmd entries only; the media disk offers no search."""
    jellyfin = mock_entry(jellyfin_sim, unique_id=jellyfin_sim.server_id)
    await setup_integration(hass, jellyfin)
    client = await hass_client()
    assert (await client.get(file_url(jellyfin.entry_id, "b.mp4"))).status == 404
    assert (await client.get(file_url(ENTRY_ID, "b.mp4"))).status == 200
    assert MEDIA.searchable is False
    assert await MEDIA.async_search(hass, entry, "", SearchMediaQuery(search_query="b")) == []
