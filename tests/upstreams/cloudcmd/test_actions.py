"""CloudCmd file actions against the simulator: results on disk, errors, confinement, admin rule."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
import re
from typing import Any

from aiohttp import web
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
    UnknownUser,
)
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.helpers.translation import async_get_translations
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.pandora_box.const import DOMAIN
from custom_components.pandora_box.logbook import (
    DESCRIBERS,
    async_describe_events,
    describe_file_operation,
    list_names,
)
from custom_components.pandora_box.upstreams.cloudcmd import actions as cloudcmd_actions, paths
from custom_components.pandora_box.upstreams.cloudcmd.actions import (
    CLOUDCMD_ACTIONS,
    EVENT_FILE_OPERATION,
)
from simulators import CloudCmdSimulator

from ...helpers import mock_entry, setup_integration

COMPONENT = Path(__file__).parents[3] / "custom_components" / "pandora_box"
ROOT = "/library"
MUTATORS = ("create_directory", "move_files", "copy_files", "rename_file", "delete_files")

type Caller = Callable[..., Awaitable[Any]]


def tree(folder: Path) -> dict[str, str | None]:
    """Every path below ``folder`` → file content (``None`` for folders)."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_text()
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load pandora_box; start the recorder first where a test uses it.

    Overrides the conftest fixture of the same name: the recorder must be set
    up before ``hass`` exists, and that autouse fixture would create it first.
    """
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_custom_integrations")


def day_of(path: Path) -> date:
    """The local day ``path`` was modified (CloudCmd shows server-local days)."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone().date()


@pytest.fixture
def disk(cloudcmd_sim: CloudCmdSimulator) -> Path:
    """The simulator's folder with the entry's root ``/library`` and things beside it."""
    base = cloudcmd_sim.root
    library = base / "library"
    film = library / "Downloads" / "complete" / "Film (2025)"
    film.mkdir(parents=True)
    (film / "film.mkv").write_text("matroska")
    (library / "Downloads" / "complete" / "a.txt").write_text("A")
    (library / "Downloads" / "complete" / "b.txt").write_text("B")
    (library / "Downloads" / "complete" / "c.txt").write_text("C")
    (library / "Movies").mkdir()
    (base / "secret").mkdir()
    (base / "secret" / "keep.txt").write_text("keep")
    (base / "library2").mkdir()
    (base / "library2" / "x.txt").write_text("x")
    return library


@pytest.fixture
async def entry(
    hass: HomeAssistant, cloudcmd_sim: CloudCmdSimulator, disk: Path
) -> MockConfigEntry:
    """A loaded CloudCmd entry confined to ``/library``."""
    config_entry = mock_entry(cloudcmd_sim, root=ROOT)
    await setup_integration(hass, config_entry)
    return config_entry


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event[Any]]:
    """Every ``pandora_box_file_operation`` fired."""
    captured: list[Event[Any]] = async_capture_events(hass, EVENT_FILE_OPERATION)
    return captured


@pytest.fixture
def call(hass: HomeAssistant, entry: MockConfigEntry) -> Caller:
    """Call an action of the entry and return its response."""

    async def _call(service: str, user: MockUser | None = None, **data: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=True,
            context=Context(user_id=user.id if user else None),
        )

    return _call


# -- list_files ---------------------------------------------------------------------


async def test_list_files(call: Caller, disk: Path) -> None:
    """Folders first, then files, with type, approximate size and the day modified."""
    response = await call("list_files", path="Downloads/complete")
    assert response is not None
    assert response["path"] == "/library/Downloads/complete"
    assert "approximate" in str(response["size_note"])
    entries = response["entries"]
    assert isinstance(entries, list)
    today = day_of(disk / "Downloads/complete/a.txt")
    assert entries[0] == {
        "name": "Film (2025)",
        "type": "directory",
        "size": (disk / "Downloads/complete/Film (2025)").stat().st_size,
        "modified": day_of(disk / "Downloads/complete/Film (2025)").isoformat(),
    }
    assert entries[1:] == [
        {"name": name, "type": "file", "size": 1, "modified": today.isoformat()}
        for name in ("a.txt", "b.txt", "c.txt")
    ]
    # the same folder by its absolute path; the root by default
    assert await call("list_files", path="/library/Downloads/complete/") == response
    root = await call("list_files")
    assert root is not None
    assert root["path"] == ROOT
    assert [item["name"] for item in root["entries"]] == ["Downloads", "Movies"]


async def test_list_files_missing_folder(call: Caller) -> None:
    with pytest.raises(HomeAssistantError, match="the folder /library/nope does not exist"):
        await call("list_files", path="nope")


async def test_list_files_is_not_admin_only(call: Caller, hass_read_only_user: MockUser) -> None:
    response = await call("list_files", user=hass_read_only_user)
    assert response is not None
    assert response["path"] == ROOT


# -- create_directory ---------------------------------------------------------------


async def test_create_directory(call: Caller, disk: Path, events: list[Event[Any]]) -> None:
    response = await call("create_directory", path="Movies/New (2025)/Extras")
    assert response == {"path": "/library/Movies/New (2025)/Extras", "created": True}
    assert (disk / "Movies" / "New (2025)" / "Extras").is_dir()
    assert len(events) == 1
    assert events[0].data == {
        "entry_id": events[0].data["entry_id"],
        "action": "create_directory",
        "user_id": None,
        "path": "/library/Movies/New (2025)/Extras",
    }
    # again: nothing to do, nothing fired
    again = await call("create_directory", path="/library/Movies/New (2025)/Extras")
    assert again == {"path": "/library/Movies/New (2025)/Extras", "created": False}
    assert len(events) == 1


async def test_create_directory_over_a_file(call: Caller, disk: Path) -> None:
    with pytest.raises(
        HomeAssistantError, match=r"a\.txt already exists in /library/Downloads/complete"
    ):
        await call("create_directory", path="Downloads/complete/a.txt")
    assert (disk / "Downloads/complete/a.txt").read_text() == "A"


async def test_create_directory_losing_a_race_to_a_file(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """A file takes the name between the check and the request: CloudCmd's EEXIST, translated."""
    original = cloudcmd_sim._fs_put

    async def put(request: web.Request, name: str, web_path: str, query: str) -> web.StreamResponse:
        (disk / "Movies" / "late").write_text("a file")
        return await original(request, name, web_path, query)

    cloudcmd_sim._fs_put = put  # type: ignore[method-assign]
    with pytest.raises(HomeAssistantError, match="late already exists in /library/Movies"):
        await call("create_directory", path="Movies/late")
    assert (disk / "Movies" / "late").read_text() == "a file"
    assert events == []


# -- move_files / copy_files --------------------------------------------------------


async def test_move_files(
    call: Caller, disk: Path, events: list[Event[Any]], entry: MockConfigEntry
) -> None:
    response = await call(
        "move_files",
        source="Downloads/complete",
        destination="Movies/2025",
        names=["Film (2025)", "a.txt"],
    )
    assert response == {
        "source": "/library/Downloads/complete",
        "destination": "/library/Movies/2025",
        "moved": ["Film (2025)", "a.txt"],
        "failed": [],
    }
    assert (disk / "Movies/2025/Film (2025)/film.mkv").read_text() == "matroska"
    assert (disk / "Movies/2025/a.txt").read_text() == "A"
    assert not (disk / "Downloads/complete/Film (2025)").exists()
    assert not (disk / "Downloads/complete/a.txt").exists()
    assert [event.data for event in events] == [
        {
            "entry_id": entry.entry_id,
            "action": "move_files",
            "user_id": None,
            "source": "/library/Downloads/complete",
            "destination": "/library/Movies/2025",
            "names": ["Film (2025)", "a.txt"],
        }
    ]


async def test_copy_files(call: Caller, disk: Path, events: list[Event[Any]]) -> None:
    response = await call(
        "copy_files", source="Downloads/complete", destination="/library/Movies", names="b.txt"
    )
    assert response == {
        "source": "/library/Downloads/complete",
        "destination": "/library/Movies",
        "copied": ["b.txt"],
        "failed": [],
    }
    assert (disk / "Movies/b.txt").read_text() == "B"
    assert (disk / "Downloads/complete/b.txt").read_text() == "B"
    assert events[0].data["action"] == "copy_files"
    assert events[0].data["names"] == ["b.txt"]


@pytest.mark.parametrize("service", ["move_files", "copy_files"])
async def test_transfer_missing_names_changes_nothing(
    call: Caller, disk: Path, events: list[Event[Any]], service: str
) -> None:
    before = tree(disk)
    with pytest.raises(
        HomeAssistantError,
        match=r"nope\.txt, gone not found in /library/Downloads/complete; nothing was changed",
    ):
        await call(
            service,
            source="Downloads/complete",
            destination="Movies",
            names=["a.txt", "nope.txt", "gone"],
        )
    assert tree(disk) == before
    assert events == []


@pytest.mark.parametrize("service", ["move_files", "copy_files"])
async def test_transfer_existing_destination_changes_nothing(
    call: Caller, disk: Path, events: list[Event[Any]], service: str
) -> None:
    (disk / "Movies/b.txt").write_text("other B")
    before = tree(disk)
    with pytest.raises(
        HomeAssistantError,
        match=r"b\.txt already exists in /library/Movies; nothing was overwritten",
    ):
        await call(
            service, source="Downloads/complete", destination="Movies", names=["a.txt", "b.txt"]
        )
    assert tree(disk) == before
    assert events == []


async def test_transfer_missing_source_folder(call: Caller) -> None:
    with pytest.raises(HomeAssistantError, match="the folder /library/nope does not exist"):
        await call("move_files", source="nope", destination="Movies", names=["a.txt"])


def after_first_move(sim: CloudCmdSimulator, action: Callable[[], None]) -> None:
    """Run ``action`` right after the simulator's first move (a race or an outage)."""
    original = sim._move
    seen: list[int] = []

    async def move(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        response = await original(request, body)
        seen.append(1)
        if len(seen) == 1:
            action()
        return response

    sim._move = move  # type: ignore[method-assign]


async def test_move_failing_part_way_reports_what_moved(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """Another writer removes b.txt after the checks: a.txt and c.txt move, b.txt is reported."""
    after_first_move(cloudcmd_sim, (disk / "Downloads/complete/b.txt").unlink)
    response = await call(
        "move_files",
        source="Downloads/complete",
        destination="Movies",
        names=["a.txt", "b.txt", "c.txt"],
    )
    assert response is not None
    assert response["moved"] == ["a.txt", "c.txt"]
    failed = response["failed"]
    assert isinstance(failed, list)
    assert [(item["name"], item["error"]) for item in failed] == [("b.txt", "not_found")]
    assert sorted(p.name for p in (disk / "Movies").iterdir()) == ["a.txt", "c.txt"]
    assert events[0].data["names"] == ["a.txt", "c.txt"]


async def test_move_upstream_lost_part_way(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """CloudCmd dies after the first name: the rest are reported, not attempted after the loss."""
    after_first_move(cloudcmd_sim, lambda: cloudcmd_sim.set_fault("down"))
    response = await call(
        "move_files",
        source="Downloads/complete",
        destination="Movies",
        names=["a.txt", "b.txt", "c.txt"],
    )
    assert response is not None
    assert response["moved"] == ["a.txt"]
    assert [(item["name"], item["error"]) for item in response["failed"]] == [
        ("b.txt", "cannot_connect"),
        ("c.txt", "not_attempted"),
    ]
    assert sorted(p.name for p in (disk / "Movies").iterdir()) == ["a.txt"]
    assert (disk / "Downloads/complete/b.txt").exists()
    assert events[0].data["names"] == ["a.txt"]


async def test_move_nothing_done_raises_first_error(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """A single name lost to a race: nothing moved, so the error itself comes back."""
    original = cloudcmd_sim._move

    async def move(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        (disk / "Downloads/complete/a.txt").unlink()
        return await original(request, body)

    cloudcmd_sim._move = move  # type: ignore[method-assign]
    with pytest.raises(
        HomeAssistantError,
        match=r"a\.txt not found in /library/Downloads/complete; nothing was changed",
    ):
        await call("move_files", source="Downloads/complete", destination="Movies", names=["a.txt"])
    assert events == []


async def test_copy_clash_appearing_part_way(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """A b.txt appears at the destination after the checks: it is not overwritten."""
    original = cloudcmd_sim._copy
    seen: list[int] = []

    async def copy(request: web.Request, body: dict[str, Any], text: str) -> web.StreamResponse:
        response = await original(request, body, text)
        seen.append(1)
        if len(seen) == 1:
            (disk / "Movies" / "b.txt").write_text("someone else's B")
        return response

    cloudcmd_sim._copy = copy  # type: ignore[method-assign]
    response = await call(
        "copy_files",
        source="Downloads/complete",
        destination="Movies",
        names=["a.txt", "b.txt", "c.txt"],
    )
    assert response["copied"] == ["a.txt", "c.txt"]
    assert [(item["name"], item["error"]) for item in response["failed"]] == [
        ("b.txt", "already_exists")
    ]
    assert (disk / "Movies" / "b.txt").read_text() == "someone else's B"
    assert events[0].data["names"] == ["a.txt", "c.txt"]


async def test_clash_appearing_before_the_only_name(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator, events: list[Event[Any]]
) -> None:
    """Nothing done because of a clash: the translated 'already exists' error comes back."""
    original = cloudcmd_sim._fs_get
    seen: list[str] = []

    async def get(request: web.Request, name: str, web_path: str) -> web.StreamResponse:
        seen.append(name)
        if seen.count("/library/Movies") == 2:  # the client's own check, after ours
            (disk / "Movies" / "a.txt").write_text("someone else's A")
        return await original(request, name, web_path)

    cloudcmd_sim._fs_get = get  # type: ignore[method-assign]
    with pytest.raises(
        HomeAssistantError, match=r"a\.txt already exists in /library/Movies; nothing"
    ):
        await call("move_files", source="Downloads/complete", destination="Movies", names=["a.txt"])
    assert (disk / "Movies" / "a.txt").read_text() == "someone else's A"
    assert (disk / "Downloads/complete/a.txt").read_text() == "A"
    assert events == []


async def test_other_upstream_errors_part_way(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator
) -> None:
    """An unexpected answer for one name is reported and the next names are still tried."""
    after_first_move(
        cloudcmd_sim, lambda: cloudcmd_sim.set_fault("status", status=418, path="/api/v1/move")
    )
    response = await call(
        "move_files",
        source="Downloads/complete",
        destination="Movies",
        names=["a.txt", "b.txt", "c.txt"],
    )
    assert response["moved"] == ["a.txt"]
    assert [(item["name"], item["error"]) for item in response["failed"]] == [
        ("b.txt", "upstream_error"),
        ("c.txt", "upstream_error"),
    ]
    assert "HTTP 418" in response["failed"][0]["message"]


async def test_lost_before_the_only_name(
    call: Caller, disk: Path, cloudcmd_sim: CloudCmdSimulator
) -> None:
    """CloudCmd goes away between the checks and the work: a translated 'cannot reach'."""
    cloudcmd_sim.set_fault("status", status=503, path="/api/v1/copy")
    with pytest.raises(HomeAssistantError, match="Cannot reach cloudcmd test"):
        await call("copy_files", source="Downloads/complete", destination="Movies", names="a.txt")
    assert not (disk / "Movies" / "a.txt").exists()


async def test_auth_failure_during_partial_move_starts_reauth(
    hass: HomeAssistant,
    call: Caller,
    disk: Path,
    cloudcmd_sim: CloudCmdSimulator,
    entry: MockConfigEntry,
) -> None:
    after_first_move(
        cloudcmd_sim, lambda: cloudcmd_sim.rotate_credentials(password="rotated-pw-7f3a")
    )
    response = await call(
        "move_files", source="Downloads/complete", destination="Movies", names=["a.txt", "b.txt"]
    )
    assert response is not None
    assert response["moved"] == ["a.txt"]
    assert [(item["name"], item["error"]) for item in response["failed"]] == [
        ("b.txt", "invalid_auth")
    ]
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


# -- rename_file --------------------------------------------------------------------


async def test_rename_file(call: Caller, disk: Path, events: list[Event[Any]]) -> None:
    response = await call("rename_file", path="Downloads/complete/a.txt", new_name="z.txt")
    assert response == {
        "path": "/library/Downloads/complete/a.txt",
        "new_path": "/library/Downloads/complete/z.txt",
    }
    assert (disk / "Downloads/complete/z.txt").read_text() == "A"
    assert not (disk / "Downloads/complete/a.txt").exists()
    assert events[0].data["new_path"] == "/library/Downloads/complete/z.txt"


async def test_rename_onto_existing_is_refused(call: Caller, disk: Path) -> None:
    with pytest.raises(
        HomeAssistantError,
        match=r"b\.txt already exists in /library/Downloads/complete; nothing was overwritten",
    ):
        await call("rename_file", path="Downloads/complete/a.txt", new_name="b.txt")
    assert (disk / "Downloads/complete/a.txt").read_text() == "A"
    assert (disk / "Downloads/complete/b.txt").read_text() == "B"


async def test_rename_missing(call: Caller, cloudcmd_sim: CloudCmdSimulator) -> None:
    with pytest.raises(
        HomeAssistantError, match=r"cloudcmd test: /library/Downloads/nope\.txt does not exist"
    ):
        await call("rename_file", path="Downloads/nope.txt", new_name="x.txt")


async def test_rename_same_name(call: Caller, cloudcmd_sim: CloudCmdSimulator) -> None:
    before = cloudcmd_sim.count()
    with pytest.raises(ServiceValidationError, match="already has that name"):
        await call("rename_file", path="Movies", new_name="Movies")
    assert cloudcmd_sim.count() == before


# -- delete_files -------------------------------------------------------------------


async def test_delete_files(call: Caller, disk: Path, events: list[Event[Any]]) -> None:
    response = await call("delete_files", path="Downloads/complete", names=["Film (2025)", "a.txt"])
    assert response == {
        "path": "/library/Downloads/complete",
        "deleted": ["Film (2025)", "a.txt"],
        "failed": [],
    }
    assert sorted(p.name for p in (disk / "Downloads/complete").iterdir()) == ["b.txt", "c.txt"]
    assert events[0].data["names"] == ["Film (2025)", "a.txt"]
    assert events[0].data["path"] == "/library/Downloads/complete"


async def test_delete_missing_deletes_nothing(call: Caller, disk: Path) -> None:
    before = tree(disk)
    with pytest.raises(HomeAssistantError, match="nope not found in /library/Movies"):
        await call("delete_files", path="Movies", names=["nope"])
    with pytest.raises(HomeAssistantError, match="nope not found in /library/Downloads/complete"):
        await call("delete_files", path="Downloads/complete", names=["a.txt", "nope"])
    assert tree(disk) == before


async def test_delete_needs_names(call: Caller, cloudcmd_sim: CloudCmdSimulator) -> None:
    before = cloudcmd_sim.count()
    with pytest.raises(vol.Invalid):
        await call("delete_files", path="Movies")
    with pytest.raises(ServiceValidationError, match="names must list at least one name"):
        await call("delete_files", path="Movies", names=[])
    assert cloudcmd_sim.count() == before


# -- upstream errors ----------------------------------------------------------------


async def test_bad_credentials_are_a_translated_error(
    hass: HomeAssistant, call: Caller, cloudcmd_sim: CloudCmdSimulator
) -> None:
    cloudcmd_sim.rotate_credentials(password="rotated-pw-7f3a")
    with pytest.raises(HomeAssistantError, match="cloudcmd test refused the stored credentials"):
        await call("list_files")
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_upstream_down_is_a_translated_error(
    call: Caller, cloudcmd_sim: CloudCmdSimulator
) -> None:
    cloudcmd_sim.set_fault("status", status=500)
    with pytest.raises(HomeAssistantError, match="Cannot reach cloudcmd test"):
        await call("delete_files", path="Movies", names=["x"])


async def test_listing_a_file_is_an_upstream_error(call: Caller) -> None:
    with pytest.raises(HomeAssistantError, match="it is a file, not a folder"):
        await call("list_files", path="Downloads/complete/a.txt")


async def test_client_guard_is_translated(
    hass: HomeAssistant, call: Caller, cloudcmd_sim: CloudCmdSimulator
) -> None:
    """The client's last guard (a ValueError) still comes back as a translated error."""
    before = cloudcmd_sim.count()
    with pytest.raises(ServiceValidationError, match="cloudcmd test refused create_directory"):
        async with cloudcmd_actions._file_errors(
            hass, hass.config_entries.async_entries(DOMAIN)[0], "create_directory"
        ):
            raise ValueError("the top folder exists already")
    assert cloudcmd_sim.count() == before


# -- confinement --------------------------------------------------------------------

TRAVERSALS: list[tuple[str, dict[str, Any], str]] = [
    ("list_files", {"path": "../secret"}, "must not contain .."),
    ("list_files", {"path": "/secret"}, "outside the entry's root folder"),
    ("list_files", {"path": "/library2"}, "outside the entry's root folder"),
    ("list_files", {"path": "/library/../secret"}, "must not contain .."),
    ("list_files", {"path": "%2e%2e/secret"}, "percent-encoded"),
    ("list_files", {"path": "..%2fsecret"}, "percent-encoded"),
    ("list_files", {"path": "Movies%2F..%2F..%2Fsecret"}, "percent-encoded"),
    ("list_files", {"path": "Movies\\..\\..\\secret"}, "backslash"),
    ("list_files", {"path": "Movies\0/../../secret"}, "control character"),
    ("list_files", {"path": "Movies/. ./secret"}, "must not contain .."),
    ("create_directory", {"path": "../evil"}, "must not contain .."),
    ("create_directory", {"path": "/evil"}, "outside the entry's root folder"),
    ("create_directory", {"path": "/library"}, "root folder itself"),
    ("create_directory", {"path": "evil\n"}, "control character"),
    (
        "copy_files",
        {"source": "Movies", "destination": "/../", "names": ["x"]},
        "must not contain ..",
    ),
    (
        "copy_files",
        {"source": "Movies", "destination": "/../../", "names": ["x"]},
        "must not contain ..",
    ),
    (
        "copy_files",
        {"source": "Movies", "destination": "../secret", "names": ["x"]},
        "must not contain ..",
    ),
    ("copy_files", {"source": "/", "destination": "Movies", "names": ["secret"]}, "outside"),
    ("copy_files", {"source": "Movies", "destination": "/secret", "names": ["x"]}, "outside"),
    (
        "copy_files",
        {"source": "Movies", "destination": "Downloads", "names": [".."]},
        "must not contain ..",
    ),
    ("copy_files", {"source": "Movies", "destination": "Downloads", "names": ["../x"]}, "slash"),
    (
        "move_files",
        {"source": "Movies", "destination": "/../", "names": ["x"]},
        "must not contain ..",
    ),
    (
        "move_files",
        {"source": "..", "destination": "Movies", "names": ["secret"]},
        "must not contain ..",
    ),
    ("move_files", {"source": "Movies", "destination": "Downloads", "names": ["a/../.."]}, "slash"),
    (
        "move_files",
        {"source": "Movies", "destination": "Downloads", "names": ["%2e%2e"]},
        "encoded",
    ),
    (
        "move_files",
        {"source": "Movies", "destination": "Downloads", "names": ["ok", "a\\b"]},
        "backslash",
    ),
    (
        "move_files",
        {"source": "Movies", "destination": "Movies", "names": ["x"]},
        "source folder itself",
    ),
    (
        "move_files",
        {"source": "Downloads", "destination": "Downloads/complete/x", "names": ["complete"]},
        "into itself",
    ),
    ("rename_file", {"path": "/library", "new_name": "lib"}, "root folder itself"),
    ("rename_file", {"path": ".", "new_name": "lib"}, "root folder itself"),
    ("rename_file", {"path": "Movies", "new_name": "../secret/Movies"}, "without a slash"),
    ("rename_file", {"path": "Movies", "new_name": ".."}, "must not contain .."),
    ("rename_file", {"path": "Movies", "new_name": "a%2fb"}, "percent-encoded"),
    ("rename_file", {"path": "Movies", "new_name": ""}, "must not be empty"),
    ("rename_file", {"path": "../secret/keep.txt", "new_name": "x"}, "must not contain .."),
    ("rename_file", {"path": "Movies", "new_name": "x\u202egpj.mkv"}, "direction mark"),
    ("delete_files", {"path": "/library/..", "names": ["library"]}, "must not contain .."),
    ("delete_files", {"path": "/", "names": ["secret"]}, "outside the entry's root folder"),
    ("delete_files", {"path": "Movies", "names": [".."]}, "must not contain .."),
    ("delete_files", {"path": "Movies", "names": ["."]}, "must not contain .."),
    ("delete_files", {"path": "Movies", "names": ["../../secret"]}, "without a slash"),
    ("delete_files", {"path": "Movies", "names": ["x" * 300]}, "too long"),
]


@pytest.mark.parametrize(
    ("service", "data", "message"),
    TRAVERSALS,
    ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(TRAVERSALS)],
)
async def test_traversal_never_reaches_cloudcmd(
    call: Caller,
    cloudcmd_sim: CloudCmdSimulator,
    hass_admin_user: MockUser,
    events: list[Event[Any]],
    service: str,
    data: dict[str, Any],
    message: str,
) -> None:
    """Each attempt is a translated validation error before any request; the disk is unchanged."""
    base = cloudcmd_sim.root
    before = tree(base)
    requests = cloudcmd_sim.count()
    with pytest.raises(ServiceValidationError, match=re.escape(message)):
        await call(service, user=hass_admin_user, **data)
    assert cloudcmd_sim.count() == requests
    assert cloudcmd_sim.escapes == []
    assert tree(base) == before
    assert events == []


def test_at_least_twenty_traversals() -> None:
    assert len(TRAVERSALS) >= 20
    assert {service for service, _, _ in TRAVERSALS} == {"list_files", *MUTATORS}


# -- admin rule ---------------------------------------------------------------------

MUTATOR_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("create_directory", {"path": "Movies/new"}),
    ("move_files", {"source": "Downloads/complete", "destination": "Movies", "names": ["a.txt"]}),
    ("copy_files", {"source": "Downloads/complete", "destination": "Movies", "names": ["b.txt"]}),
    ("rename_file", {"path": "Downloads/complete/c.txt", "new_name": "d.txt"}),
    ("delete_files", {"path": "Downloads/complete", "names": ["Film (2025)"]}),
]


@pytest.mark.parametrize(("service", "data"), MUTATOR_CALLS)
async def test_non_admin_is_refused(
    call: Caller,
    disk: Path,
    cloudcmd_sim: CloudCmdSimulator,
    hass_read_only_user: MockUser,
    events: list[Event[Any]],
    service: str,
    data: dict[str, Any],
) -> None:
    before = tree(disk)
    requests = cloudcmd_sim.count()
    with pytest.raises(Unauthorized):
        await call(service, user=hass_read_only_user, **data)
    assert cloudcmd_sim.count() == requests
    assert tree(disk) == before
    assert events == []


@pytest.mark.parametrize("who", ["admin", "automation"])
@pytest.mark.parametrize(("service", "data"), MUTATOR_CALLS)
async def test_admin_and_automations_may_change(
    call: Caller,
    disk: Path,
    hass_admin_user: MockUser,
    events: list[Event[Any]],
    service: str,
    data: dict[str, Any],
    who: str,
) -> None:
    """An admin's call succeeds and names the user; a call without a user (automation) too."""
    user = hass_admin_user if who == "admin" else None
    before = tree(disk)
    await call(service, user=user, **data)
    assert tree(disk) != before
    assert len(events) == 1
    assert events[0].data["action"] == service
    assert events[0].data["user_id"] == (user.id if user else None)
    assert events[0].context.user_id == (user.id if user else None)


async def test_unknown_user_is_refused(call: Caller, cloudcmd_sim: CloudCmdSimulator) -> None:
    ghost = MockUser()  # never added to Home Assistant
    requests = cloudcmd_sim.count()
    with pytest.raises(UnknownUser):
        await call("create_directory", user=ghost, path="x")
    assert cloudcmd_sim.count() == requests


# -- logbook, descriptions, translations --------------------------------------------


async def test_logbook_describes_every_action(
    hass: HomeAssistant, call: Caller, entry: MockConfigEntry, events: list[Event[Any]]
) -> None:
    await call("create_directory", path="Movies/New")
    await call("copy_files", source="Downloads/complete", destination="Movies", names=["a.txt"])
    await call(
        "move_files",
        source="Downloads/complete",
        destination="Movies/New",
        names=["b.txt", "c.txt", "Film (2025)"],
    )
    await call("rename_file", path="Movies/a.txt", new_name="z.txt")
    await call("delete_files", path="Movies", names=["z.txt"])
    described = [describe_file_operation(hass, event) for event in events]
    assert described == [
        {"name": "cloudcmd test", "message": "created the folder /library/Movies/New"},
        {
            "name": "cloudcmd test",
            "message": "copied a.txt from /library/Downloads/complete to /library/Movies",
        },
        {
            "name": "cloudcmd test",
            "message": "moved b.txt, c.txt and Film (2025) from /library/Downloads/complete "
            "to /library/Movies/New",
        },
        {
            "name": "cloudcmd test",
            "message": "renamed /library/Movies/a.txt to /library/Movies/z.txt",
        },
        {"name": "cloudcmd test", "message": "deleted z.txt in /library/Movies"},
    ]


def test_logbook_helpers(hass: HomeAssistant) -> None:
    assert list_names([]) == "nothing"
    assert list_names(["a"]) == "a"
    assert list_names(list("abcdefg")) == "a, b, c, d, e and 2 more"
    assert list_names("a") == "a"
    gone = Event(EVENT_FILE_OPERATION, {"entry_id": "gone", "action": "mystery"})
    assert describe_file_operation(hass, gone) == {
        "name": "Pandora Box",
        "message": "changed files (mystery)",
    }
    registered: list[tuple[str, str]] = []
    async_describe_events(
        hass, lambda domain, event_type, _: registered.append((domain, event_type))
    )
    # every event in the table is registered, the file operation among them
    assert registered == [(DOMAIN, event_type) for event_type in DESCRIBERS]
    assert (DOMAIN, EVENT_FILE_OPERATION) in registered


async def test_logbook_shows_the_operation(
    recorder_mock: Any,
    hass: HomeAssistant,
    call: Caller,
    hass_admin_user: MockUser,
) -> None:
    """Through the real logbook: the entry, the message and the user who acted."""
    from homeassistant.components.logbook.processor import EventProcessor
    from homeassistant.setup import async_setup_component
    import homeassistant.util.dt as dt_util

    assert await async_setup_component(hass, "logbook", {})
    await hass.async_block_till_done()
    start = dt_util.utcnow()
    await call("create_directory", user=hass_admin_user, path="Movies/Logged")
    await async_wait_recording_done(hass)
    processor = EventProcessor(hass, (EVENT_FILE_OPERATION,))
    rows = await hass.async_add_executor_job(processor.get_events, start, dt_util.utcnow())
    assert [
        (row["name"], row["message"], row["domain"], row["context_user_id"]) for row in rows
    ] == [
        (
            "cloudcmd test",
            "created the folder /library/Movies/Logged",
            DOMAIN,
            hass_admin_user.id,
        )
    ]


async def test_actions_are_described(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """services.yaml lists every action with its fields (and loads, anchors included);
    each action's name is translated (the UI reads it from the translations)."""
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    names = await async_get_translations(hass, "en", "services", [DOMAIN])
    for action in CLOUDCMD_ACTIONS:
        fields = {str(key) for key in action.fields} | {"config_entry_id"}
        assert set(descriptions[action.service]["fields"]) == fields, action.service
        assert names[f"component.{DOMAIN}.services.{action.service}.name"]


def test_error_keys_are_translated() -> None:
    """Every key raised by paths.py and actions.py has an English message."""
    import json

    strings = json.loads((COMPONENT / "strings.json").read_text(encoding="utf-8"))
    room = COMPONENT / "upstreams" / "cloudcmd"
    source = (room / "paths.py").read_text() + (room / "actions.py").read_text()
    keys = set(re.findall(r'(?:PathRejectedError|\binvalid|_failed)\(\s*"(\w+)"', source))
    assert len(keys) > 15
    assert keys <= set(strings["exceptions"])
    assert paths.__all__
