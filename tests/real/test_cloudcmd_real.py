"""The CloudCmd file actions end to end against the real cloudcmd 18.8.11 (npm).

The harness (``cloudcmd.py``, fixture ``real_cloudcmd`` in ``conftest.py``)
starts the real cloudcmd per test with ``--auth`` over a temporary folder on
loopback.  The test goes through the config flow, then creates, lists,
copies, moves, renames and deletes through the actions, and checks every
result on the disk.  The process must still be running at the end (the real one dies on some
requests our client avoids), then it is stopped.

A missing binary fails the test with a clear message; it never skips.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.cloudcmd.actions import EVENT_FILE_OPERATION

from .cloudcmd import RealCloudCmd


def listing(folder: Path) -> list[str]:
    """Sorted names in ``folder``."""
    return sorted(path.name for path in folder.iterdir())


async def test_file_actions_on_real_cloudcmd(
    hass: HomeAssistant, real_cloudcmd: RealCloudCmd
) -> None:
    """Create, list, copy, move, rename, delete; errors; confinement; it stays up."""
    served = real_cloudcmd.served
    library = served / "library"
    complete = library / "Downloads" / "complete"
    (complete / "Film (2025)").mkdir(parents=True)
    (complete / "Film (2025)" / "film.mkv").write_bytes(b"\x1a\x45\xdf\xa3" * 300)
    (complete / "a.txt").write_text("A")
    (complete / "b.txt").write_text("B")
    (served / "secret").mkdir()
    (served / "secret" / "keep.txt").write_text("keep")
    outside = sorted(path.name for path in served.parent.iterdir())

    # the config flow checks the real server and creates the entry
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    flow = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"next_step_id": "cloudcmd"}
    )
    form = {
        "url": real_cloudcmd.url,
        "username": real_cloudcmd.username,
        "password": "wrong",
        "root": "/library",
        "verify_ssl": True,
    }
    flow = await hass.config_entries.flow.async_configure(flow["flow_id"], form)
    assert flow["type"] is FlowResultType.FORM
    assert flow["errors"] == {"base": "invalid_auth"}
    form["password"] = real_cloudcmd.password
    flow = await hass.config_entries.flow.async_configure(flow["flow_id"], form)
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(flow["result"].entry_id)
    assert entry is not None
    assert entry.state is ConfigEntryState.LOADED
    events = async_capture_events(hass, EVENT_FILE_OPERATION)

    async def call(service: str, **data: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN, service, data, blocking=True, return_response=True
        )

    # list
    listed = await call("list_files", path="Downloads/complete")
    assert listed["path"] == "/library/Downloads/complete"
    assert [(e["name"], e["type"]) for e in listed["entries"]] == [
        ("Film (2025)", "directory"),
        ("a.txt", "file"),
        ("b.txt", "file"),
    ]
    assert listed["entries"][1]["size"] == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", listed["entries"][1]["modified"])

    # create
    assert await call("create_directory", path="Movies/2025") == {
        "path": "/library/Movies/2025",
        "created": True,
    }
    assert (library / "Movies" / "2025").is_dir()
    assert await call("create_directory", path="/library/Movies/2025") == {
        "path": "/library/Movies/2025",
        "created": False,
    }

    # copy
    copied = await call(
        "copy_files", source="Downloads/complete", destination="Movies/2025", names=["a.txt"]
    )
    assert copied["copied"] == ["a.txt"]
    assert (library / "Movies" / "2025" / "a.txt").read_text() == "A"
    assert (complete / "a.txt").read_text() == "A"

    # move (a folder with its content)
    moved = await call(
        "move_files",
        source="/library/Downloads/complete",
        destination="Movies/2025",
        names=["Film (2025)"],
    )
    assert moved == {
        "source": "/library/Downloads/complete",
        "destination": "/library/Movies/2025",
        "moved": ["Film (2025)"],
        "failed": [],
    }
    film = library / "Movies" / "2025" / "Film (2025)" / "film.mkv"
    assert film.read_bytes() == b"\x1a\x45\xdf\xa3" * 300
    assert not (complete / "Film (2025)").exists()

    # rename
    renamed = await call("rename_file", path="Movies/2025/a.txt", new_name="z.txt")
    assert renamed["new_path"] == "/library/Movies/2025/z.txt"
    assert listing(library / "Movies" / "2025") == ["Film (2025)", "z.txt"]

    # delete
    deleted = await call("delete_files", path="Downloads/complete", names=["a.txt", "b.txt"])
    assert deleted["deleted"] == ["a.txt", "b.txt"]
    assert listing(complete) == []

    listed = await call("list_files", path="Movies/2025")
    assert [e["name"] for e in listed["entries"]] == ["Film (2025)", "z.txt"]

    # errors CloudCmd reports, translated; nothing changed by them
    (complete / "c.txt").write_text("C")
    (library / "Movies" / "2025" / "c.txt").write_text("other C")
    with pytest.raises(HomeAssistantError, match=r"nope\.txt not found in /library/Downloads"):
        await call(
            "move_files", source="Downloads/complete", destination="Movies", names=["nope.txt"]
        )
    with pytest.raises(HomeAssistantError, match=r"c\.txt already exists in /library/Movies/2025"):
        await call(
            "move_files", source="Downloads/complete", destination="Movies/2025", names=["c.txt"]
        )
    with pytest.raises(HomeAssistantError, match=r"z\.txt already exists"):
        await call("rename_file", path="Movies/2025/c.txt", new_name="z.txt")
    with pytest.raises(HomeAssistantError, match="the folder /library/nope does not exist"):
        await call("list_files", path="nope")
    assert (complete / "c.txt").read_text() == "C"
    assert (library / "Movies" / "2025" / "c.txt").read_text() == "other C"
    assert (library / "Movies" / "2025" / "z.txt").read_text() == "A"

    # the measured escape of the real copy route never gets a request
    for destination in ("/../", "/../../", "../secret", "/secret"):
        with pytest.raises(ServiceValidationError):
            await call(
                "copy_files", source="Downloads/complete", destination=destination, names=["c.txt"]
            )
    assert listing(served) == ["library", "secret"]
    assert listing(served / "secret") == ["keep.txt"]
    assert sorted(path.name for path in served.parent.iterdir()) == outside

    assert [event.data["action"] for event in events] == [
        "create_directory",
        "copy_files",
        "move_files",
        "rename_file",
        "delete_files",
    ]
    assert real_cloudcmd.running(), real_cloudcmd.output()

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
