"""The CloudCmd file actions end to end against the real cloudcmd 18.8.11 (npm).

The harness starts ``.tools/node/node_modules/.bin/cloudcmd`` (installed by
``scripts/bootstrap``) per test with ``--auth`` over a temporary folder,
bound to 127.0.0.1 (``IP`` environment variable; cloudcmd has no flag for
it) on a port the OS picks (``--port 0``; the URL is read from its output),
with its own ``HOME`` so no user configuration is read.  The test goes
through the config flow, then creates, lists, copies, moves, renames and
deletes through the actions, and checks every result on the disk.  The
process must still be running at the end (the real one dies on some
requests our client avoids), then it is stopped.

A missing binary fails the test with a clear message; it never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import os
from pathlib import Path
import re
import secrets
import signal
import subprocess
import time
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.upstreams.cloudcmd.actions import EVENT_FILE_OPERATION

from ..processes import stop as stop_process

REPO = Path(__file__).resolve().parents[2]
BINARY = REPO / ".tools" / "node" / "node_modules" / ".bin" / "cloudcmd"
VERSION = "18.8.11"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_URL_RE = re.compile(r"^url: http://[^:/]+:(\d+)/", re.MULTILINE)


@dataclass
class RealCloudCmd:
    """One running cloudcmd process serving ``served`` with Basic auth."""

    process: subprocess.Popen[bytes]
    served: Path
    port: int
    username: str
    password: str
    log: Path

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What the process printed so far."""
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGINT (cloudcmd closes its server on it), then kill if it lingers."""
        stop_process(self.process, sig=signal.SIGINT, timeout=STOP_TIMEOUT)


def start_cloudcmd(tmp_path: Path) -> RealCloudCmd:
    """Start cloudcmd over ``tmp_path/served`` and wait until it listens."""
    if not BINARY.exists():
        pytest.fail(
            f"cloudcmd is not installed at {BINARY}: run `bash scripts/bootstrap` "
            f"(it installs cloudcmd@{VERSION} from npm into .tools/node)"
        )
    served = tmp_path / "served"
    served.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "cloudcmd.log"
    username = "pandora"
    # not token_urlsafe: a leading "-" reads as an option to cloudcmd ("Invalid option")
    password = f"pw-{secrets.token_hex(8)}"
    env = {**os.environ, "HOME": str(home), "IP": "127.0.0.1"}
    env.pop("PORT", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BINARY),
                "--port",
                "0",
                "--auth",
                "--username",
                username,
                f"--password={password}",
                "--root",
                str(served),
                "--no-open",
                "--no-console",
                "--no-terminal",
                "--no-config-dialog",
                "--no-show-config",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while (match := _URL_RE.search(log.read_text(errors="replace"))) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"cloudcmd did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    return RealCloudCmd(process, served, int(match.group(1)), username, password, log)


@pytest.fixture
def real_cloudcmd(tmp_path: Path) -> Iterator[RealCloudCmd]:
    """A real cloudcmd per test, stopped at the end whatever happened."""
    server = start_cloudcmd(tmp_path)
    try:
        yield server
    finally:
        server.stop()


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
