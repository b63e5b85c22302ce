"""The registry of kinds: one upstream per kind, and what each declares."""

from __future__ import annotations

import importlib

from homeassistant.const import Platform

from custom_components.pandora_box.const import Kind
from custom_components.pandora_box.upstreams import UPSTREAMS

PLATFORMS = {
    Kind.QBITTORRENT: [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.EVENT,
        Platform.NUMBER,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
    Kind.JACKETT: [Platform.BINARY_SENSOR],
    Kind.TMDB: [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.TODO],
    Kind.WATCHMODE: [Platform.BINARY_SENSOR],
    Kind.CLOUDCMD: [Platform.BINARY_SENSOR],
    Kind.PORTAINER: [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.EVENT,
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.UPDATE,
    ],
    Kind.JELLYFIN: [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.MEDIA_PLAYER,
        Platform.REMOTE,
        Platform.SENSOR,
    ],
}
"""The platforms each kind forwarded before the registry existed (they must not change)."""

DEVICES = {
    Kind.QBITTORRENT: ("qBittorrent project", "qBittorrent"),
    Kind.JACKETT: ("Jackett", "Jackett"),
    Kind.TMDB: ("The Movie Database", "TMDB API v3"),
    Kind.WATCHMODE: ("Watchmode", "Watchmode API v1"),
    Kind.CLOUDCMD: ("Cloud Commander", "CloudCmd"),
    Kind.PORTAINER: ("Portainer.io", "Portainer"),
    Kind.JELLYFIN: ("Jellyfin", "Jellyfin Server"),
}


def test_every_kind_once_in_menu_order() -> None:
    """One upstream per kind, keyed by its own kind, in the order of ``Kind`` (the menu)."""
    assert list(UPSTREAMS) == list(Kind)
    for kind, upstream in UPSTREAMS.items():
        assert upstream.kind is kind
        package = importlib.import_module(f"custom_components.pandora_box.upstreams.{kind}")
        assert package.UPSTREAM is upstream


def test_platforms_and_devices_are_what_they_were() -> None:
    """Forwarded platforms, manufacturers and models are those of the previous release."""
    for kind, upstream in UPSTREAMS.items():
        assert upstream.forwarded_platforms == PLATFORMS[kind], kind
        assert (upstream.manufacturer, upstream.model) == DEVICES[kind], kind


def test_every_platform_has_a_root_file() -> None:
    """Home Assistant loads a platform from the integration's root: each one hands over."""
    for upstream in UPSTREAMS.values():
        for platform in upstream.forwarded_platforms:
            module = importlib.import_module(f"custom_components.pandora_box.{platform}")
            assert callable(module.async_setup_entry), platform
            assert module.PARALLEL_UPDATES in (0, 1), platform


def test_what_kinds_declare() -> None:
    """Pollers, options, identity and public APIs as the integration had them."""
    polled = {kind for kind, upstream in UPSTREAMS.items() if upstream.coordinator is not None}
    assert polled == {Kind.QBITTORRENT, Kind.PORTAINER, Kind.JELLYFIN, Kind.TMDB}
    with_options = {kind for kind, upstream in UPSTREAMS.items() if upstream.options_flow}
    assert with_options == {Kind.QBITTORRENT, Kind.JACKETT, Kind.TMDB, Kind.WATCHMODE}
    stable = {kind for kind, upstream in UPSTREAMS.items() if upstream.stable_id}
    assert stable == {Kind.PORTAINER, Kind.JELLYFIN}
    public = {kind for kind, upstream in UPSTREAMS.items() if not upstream.self_hosted}
    assert public == {Kind.TMDB, Kind.WATCHMODE}
    versions = {kind: u.min_version for kind, u in UPSTREAMS.items() if u.min_version}
    assert versions == {Kind.QBITTORRENT: "4.1", Kind.JELLYFIN: "10.9"}
    # every kind registers actions (Portainer: prune_images, recreate_container)
    without_actions = {kind for kind, u in UPSTREAMS.items() if u.register_actions is None}
    assert without_actions == set()
