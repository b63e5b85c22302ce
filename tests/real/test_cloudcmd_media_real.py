"""The CloudCmd media disk in the media browser against the real cloudcmd 18.8.11 (npm).

What the real server does with ``Range`` is measured first (it ignores it:
``200`` and the whole file, while it answers ``Accept-Ranges: bytes``), then
a real 3 MiB file is browsed, resolved and read through the signed Home
Assistant view: whole, in ranges, and as a player seeking back and forth;
past the end it is 416.  The file actions' traversal paths serve nothing,
and the process is still running at the end (a file path with a trailing
slash would kill it, so the view must never send one).
"""

from __future__ import annotations

import base64
import random
from typing import Any
from urllib.parse import quote

import aiohttp
from homeassistant.components import media_source
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_source import Unresolvable
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pandora_box.const import CONF_KIND, DOMAIN
from custom_components.pandora_box.media.browse import media_id

from ..helpers import setup_integration
from .cloudcmd import RealCloudCmd

ENTRY_ID = "01JFCLOUDCMDREALMEDIA00001"
SIZE = 3 * 1024 * 1024 + 123
DATA = random.Random(17).randbytes(SIZE)
TRAVERSALS = (
    "../secret/keep.mp4",
    "/secret/keep.mp4",
    "/library2/x.mp4",
    "%2e%2e/secret/keep.mp4",
    "Movies\\..\\..\\secret\\keep.mp4",
    "Movies/. ./. ./secret/keep.mp4",
)


@pytest.fixture
async def entry(hass: HomeAssistant, real_cloudcmd: RealCloudCmd) -> MockConfigEntry:
    """A loaded entry for the real cloudcmd, confined to ``/library``."""
    library = real_cloudcmd.served / "library"
    (library / "Movies" / "Film (2025)").mkdir(parents=True)
    (library / "Movies" / "Film (2025)" / "Film (2025).mp4").write_bytes(DATA)
    (library / "Movies" / "readme.txt").write_text("not media")
    (real_cloudcmd.served / "secret").mkdir()
    (real_cloudcmd.served / "secret" / "keep.mp4").write_bytes(b"secret bytes")
    (real_cloudcmd.served / "library2").mkdir()
    (real_cloudcmd.served / "library2" / "x.mp4").write_bytes(b"secret bytes too")
    assert await async_setup_component(hass, "media_source", {})
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Media disk",
        entry_id=ENTRY_ID,
        version=1,
        minor_version=2,
        unique_id=f"{real_cloudcmd.url}|/library",
        data={
            CONF_KIND: "cloudcmd",
            "url": real_cloudcmd.url,
            "username": real_cloudcmd.username,
            "password": real_cloudcmd.password,
            "root": "/library",
            "verify_ssl": True,
        },
    )
    await setup_integration(hass, config_entry)
    return config_entry


async def test_real_cloudcmd_ignores_range(real_cloudcmd: RealCloudCmd) -> None:
    """Measured: cloudcmd 18.8.11 answers a ranged GET with 200 and every byte."""
    (real_cloudcmd.served / "clip.mp4").write_bytes(DATA)
    token = base64.b64encode(f"{real_cloudcmd.username}:{real_cloudcmd.password}".encode())
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{real_cloudcmd.url}/api/v1/fs/clip.mp4",
            headers={
                "Authorization": f"Basic {token.decode()}",
                "Range": "bytes=100-199",
                "Accept-Encoding": "identity",
            },
        ) as resp,
    ):
        assert resp.status == 200
        assert resp.headers["Accept-Ranges"] == "bytes"
        assert "Content-Range" not in resp.headers
        assert int(resp.headers["Content-Length"]) == SIZE
        assert await resp.read() == DATA
    assert real_cloudcmd.running(), real_cloudcmd.output()


async def test_media_disk_on_real_cloudcmd(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    real_cloudcmd: RealCloudCmd,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """Browse, resolve, read whole and in ranges, seek; 416; traversal refused; still up."""
    root: Any = await media_source.async_browse_media(hass, media_id(ENTRY_ID))
    assert [c.title for c in root.children] == ["Movies"]
    movies: Any = await media_source.async_browse_media(hass, media_id(ENTRY_ID, "Movies"))
    assert [c.title for c in movies.children] == ["Film (2025)"]  # readme.txt is no media
    film: Any = await media_source.async_browse_media(
        hass, media_id(ENTRY_ID, "Movies/Film (2025)")
    )
    assert [(c.title, c.media_content_type) for c in film.children] == [
        ("Film (2025).mp4", "video/mp4")
    ]

    played = await media_source.async_resolve_media(hass, film.children[0].media_content_id, None)
    assert played.mime_type == "video/mp4"
    assert real_cloudcmd.password not in played.url
    player = await hass_client_no_auth()  # a media player: the signed URL only

    resp = await player.get(played.url)
    assert resp.status == 200
    assert int(resp.headers["Content-Length"]) == SIZE
    assert await resp.read() == DATA

    for header, first, last in (
        ("bytes=0-99", 0, 99),
        ("bytes=1048576-2097151", 1048576, 2097151),
        (f"bytes={SIZE - 10}-", SIZE - 10, SIZE - 1),
        ("bytes=-1000", SIZE - 1000, SIZE - 1),
    ):
        resp = await player.get(played.url, headers={"Range": header})
        assert resp.status == 206, header
        assert resp.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
        assert await resp.read() == DATA[first : last + 1], header

    # a player seeking: forward, back to the start, to the end, into the middle
    for start in (2_500_000, 0, SIZE - 65536, 1_234_567):
        resp = await player.get(played.url, headers={"Range": f"bytes={start}-"})
        assert resp.status == 206
        chunk = await resp.content.read(65536)  # reads a little, then leaves
        assert DATA[start : start + len(chunk)] == chunk
        assert chunk
        resp.close()

    resp = await player.get(played.url, headers={"Range": f"bytes={SIZE}-"})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == f"bytes */{SIZE}"

    # a trailing slash never reaches cloudcmd (a file path with one kills it)
    user = await hass_client()
    base = f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/Movies/Film%20%282025%29/Film%20%282025%29.mp4"
    resp = await user.get(base + "/", headers={"Range": "bytes=0-9"})
    assert resp.status == 206
    assert await resp.read() == DATA[:10]
    assert real_cloudcmd.running(), real_cloudcmd.output()

    # nothing outside the root is listed or served
    for path in TRAVERSALS:
        resp = await user.get(f"/api/{DOMAIN}/cloudcmd/{ENTRY_ID}/file/{quote(path, safe='')}")
        assert resp.status in (400, 404), path
        assert b"secret" not in await resp.read()
        with pytest.raises(BrowseError):
            await media_source.async_browse_media(hass, media_id(ENTRY_ID, path.rsplit("/", 1)[0]))
        with pytest.raises(Unresolvable):
            await media_source.async_resolve_media(hass, media_id(ENTRY_ID, path), None)
    assert real_cloudcmd.running(), real_cloudcmd.output()

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
