"""docs/: the compose stack agrees with the integration's defaults, the dashboard with its names."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.util import slugify
from homeassistant.util.yaml import parse_yaml
import pytest

from custom_components.pandora_box.const import (
    DEFAULT_CLOUDCMD_ROOT,
    DEFAULT_DOWNLOAD_PATH,
    DEFAULT_LIBRARY_FOLDERS,
    DEFAULT_MEDIA_PATH,
)
from custom_components.pandora_box.upstreams.cloudcmd.paths import confine
from custom_components.pandora_box.upstreams.qbittorrent.options import (
    DEFAULT_MOVIE_CATEGORY,
    DEFAULT_TV_CATEGORY,
    LibraryOptions,
    format_library_folders,
    parse_library_folders,
)

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
COMPONENT = ROOT / "custom_components" / "pandora_box"
MEDIA_SERVICES = ("qbittorrent", "cloudcmd", "jellyfin")
BUILT_IN_CARDS = frozenset(
    {
        "entities", "glance", "gauge", "history-graph", "logbook", "tile", "grid",
        "horizontal-stack", "vertical-stack", "markdown", "button", "entity", "statistics-graph",
        "media-control",
    }
)  # fmt: skip
OUR_CARD = "custom:pandora-box-card"
VOLUME_RE = re.compile(r"(?P<source>\$\{[^}]*\}|[^:$]+):(?P<target>/[^:]*)(?::(?P<mode>ro|rw))?")
"""A short-syntax volume; the source may be a ``${VAR:-default}`` substitution."""
DEVICE_CLASS_NAMES = {"button": {"restart"}}
"""Entities named by their device class (Portainer's restart buttons)."""
PLATFORMS = ("sensor", "binary_sensor", "switch", "button", "event", "media_player", "remote")
NAMED_BY_DEVICE = {"media_player": "jellyfin_"}
"""Entities that are their device (a Jellyfin client's player): the device's name prefix."""


def _yaml(path: Path) -> Any:
    """Read YAML as Home Assistant does (``!env_var`` and friends included)."""
    return parse_yaml(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = _yaml(DOCS / "docker-compose.yml")
    return data


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path → host source of a service's short-syntax volumes."""
    mounts: dict[str, str] = {}
    for volume in service.get("volumes", []):
        match = VOLUME_RE.fullmatch(str(volume))
        assert match, volume
        mounts[match["target"]] = match["source"]
    return mounts


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# -- docker-compose.yml ------------------------------------------------------------------


def test_compose_runs_the_five_self_hosted_upstreams(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "qbittorrent",
        "jackett",
        "cloudcmd",
        "portainer",
        "jellyfin",
    }
    for name, service in compose["services"].items():
        assert service.get("image"), name
        assert service.get("ports"), name
        assert service.get("restart") == "unless-stopped", name
    portainer = _mounts(compose["services"]["portainer"])
    assert portainer["/var/run/docker.sock"] == "/var/run/docker.sock"


def test_one_media_volume_at_the_same_path(compose: dict[str, Any]) -> None:
    """qBittorrent downloads, CloudCmd browses and Jellyfin reads one volume at one path."""
    sources = {
        name: _mounts(compose["services"][name]).get(DEFAULT_MEDIA_PATH) for name in MEDIA_SERVICES
    }
    assert None not in sources.values(), sources
    assert len(set(sources.values())) == 1, sources
    # Nothing else is mounted over or under the media path (it would split the volume).
    for name in MEDIA_SERVICES:
        others = [t for t in _mounts(compose["services"][name]) if t != DEFAULT_MEDIA_PATH]
        assert not [t for t in others if _inside(t, DEFAULT_MEDIA_PATH)], name
    # Jellyfin only reads.
    jellyfin = [str(v) for v in compose["services"]["jellyfin"]["volumes"]]
    assert any(v.endswith(f":{DEFAULT_MEDIA_PATH}:ro") for v in jellyfin)


def test_default_paths_work_without_mapping(compose: dict[str, Any]) -> None:
    """With no path-mapping options, qBittorrent's save paths are CloudCmd's paths."""
    assert _inside(DEFAULT_DOWNLOAD_PATH, DEFAULT_MEDIA_PATH)
    options = LibraryOptions.from_options({})
    for category in (DEFAULT_MOVIE_CATEGORY, DEFAULT_TV_CATEGORY):
        save_path = f"{DEFAULT_DOWNLOAD_PATH}/{category}"
        assert options.map_save_path(save_path) == save_path
        # CloudCmd's root in the stack is the integration's default root.
        assert compose["services"]["cloudcmd"]["environment"]["CLOUDCMD_ROOT"] == (
            DEFAULT_CLOUDCMD_ROOT
        )
        assert confine(DEFAULT_CLOUDCMD_ROOT, save_path) == save_path
    assert set(DEFAULT_LIBRARY_FOLDERS) == {DEFAULT_MOVIE_CATEGORY, DEFAULT_TV_CATEGORY}
    for folder in DEFAULT_LIBRARY_FOLDERS.values():
        assert _inside(folder, DEFAULT_MEDIA_PATH)
        assert not _inside(folder, DEFAULT_DOWNLOAD_PATH)
        assert confine(DEFAULT_CLOUDCMD_ROOT, folder) == folder


def test_setup_guide_matches_the_defaults() -> None:
    """docs/setup.md gives the same paths, and an options text the flow accepts."""
    guide = (DOCS / "setup.md").read_text(encoding="utf-8")
    assert f"**`{DEFAULT_MEDIA_PATH}`**" in guide
    assert f"Default Save Path**: `{DEFAULT_DOWNLOAD_PATH}`" in guide
    for category in (DEFAULT_MOVIE_CATEGORY, DEFAULT_TV_CATEGORY):
        assert f"`{DEFAULT_DOWNLOAD_PATH}/{category}`" in guide
    for folder in DEFAULT_LIBRARY_FOLDERS.values():
        assert f"folder `{folder}`" in guide  # the Jellyfin library
    block = format_library_folders(DEFAULT_LIBRARY_FOLDERS)
    assert f"```\n{block}\n```" in guide
    assert parse_library_folders(block) == DEFAULT_LIBRARY_FOLDERS
    # Every upstream has its section.
    for title in (
        "qBittorrent",
        "Jackett",
        "TMDB",
        "Watchmode",
        "CloudCmd",
        "Portainer",
        "Jellyfin",
    ):
        assert re.search(rf"^### {title}\b", guide, re.MULTILINE), title


# -- dashboard.yaml ----------------------------------------------------------------------


def _cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for card in cards:
        found.append(card)
        found.extend(_cards(card.get("cards", [])))
    return found


def _entity_names() -> dict[str, set[str]]:
    """platform → slugs of our translated entity names."""
    strings = json.loads((COMPONENT / "strings.json").read_text(encoding="utf-8"))
    return {
        platform: {slugify(e["name"]) for e in strings["entity"].get(platform, {}).values()}
        | DEVICE_CLASS_NAMES.get(platform, set())
        for platform in PLATFORMS
    }


def test_dashboard_uses_our_card_and_built_in_cards_in_four_views() -> None:
    """The first view is our card (posters, watchlist, downloads); the rest built-in cards."""
    dashboard = _yaml(DOCS / "dashboard.yaml")
    titles = [view["title"] for view in dashboard["views"]]
    assert titles == ["Media", "Downloads", "Containers", "Library"]
    ours = [c for v in dashboard["views"] for c in _cards(v["cards"]) if c["type"] == OUR_CARD]
    assert ours == dashboard["views"][0]["cards"]
    sections = [section["type"] for section in ours[0]["sections"]]
    assert {"posters", "watchlist", "downloads"} == set(sections)
    for view in dashboard["views"][1:]:
        for card in _cards(view["cards"]):
            assert card["type"] in BUILT_IN_CARDS, card["type"]


def test_dashboard_entity_ids_follow_our_naming() -> None:
    """Every entity id is ``<platform>.<device>_<translated entity name>``."""
    text = (DOCS / "dashboard.yaml").read_text(encoding="utf-8")
    pattern = r"\b((?:" + "|".join(PLATFORMS) + r")\.[a-z0-9_]+)"
    entity_ids = set(re.findall(pattern, text))
    assert len(entity_ids) > 30
    names = _entity_names()
    for entity_id in entity_ids:
        platform, object_id = entity_id.split(".")
        if platform in NAMED_BY_DEVICE:
            assert object_id.startswith(NAMED_BY_DEVICE[platform]), entity_id
            continue
        assert any(object_id.endswith(f"_{name}") for name in names[platform]), (
            f"{entity_id} does not end with one of our {platform} names"
        )


def test_demo_loads_the_dashboard() -> None:
    """docs/demo/configuration.yaml lists it in yaml mode; scripts/demo links it there."""
    config = _yaml(DOCS / "demo" / "configuration.yaml")
    dashboards = config["lovelace"]["dashboards"]
    ours = dashboards["pandora-box"]
    assert ours["mode"] == "yaml"
    demo = (ROOT / "scripts" / "demo").read_text(encoding="utf-8")
    assert f'ln -s "$PWD/docs/dashboard.yaml" "$demo/config/{ours["filename"]}"' in demo
