"""Pure parts of the Portainer model: identity, duplicates, Docker's uptime text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.pandora_box.api.portainer import Container
from custom_components.pandora_box.upstreams.portainer.model import (
    PortainerFetcher,
    container_ident,
    parse_container_key,
    uptime_upper_bound,
)


def container(
    name: str, *, state: str = "running", created: int = 1000, labels: dict[str, str] | None = None
) -> Container:
    """A container as the client parses it."""
    return Container(
        id=f"{name}-{created}".ljust(64, "0"),
        name=name,
        image="img:1",
        state=state,
        status="Up 2 hours",
        created=datetime.fromtimestamp(created, tz=UTC),
        stack=(labels or {}).get("com.docker.compose.project"),
        labels=labels or {},
    )


def compose(
    name: str, service: str, number: str = "1", *, state: str = "running", created: int = 1000
) -> Container:
    """A compose container of project ``pandora``."""
    return container(
        name,
        state=state,
        created=created,
        labels={
            "com.docker.compose.project": "pandora",
            "com.docker.compose.service": service,
            "com.docker.compose.container-number": number,
        },
    )


def test_identity() -> None:
    assert container_ident(container("watchtower")) == "watchtower"
    assert container_ident(compose("pandora-jellyfin-1", "jellyfin")) == "pandora/jellyfin"
    assert container_ident(compose("pandora-web-2", "web", "2")) == "pandora/web/2"
    oneoff = container(
        "pandora-web-run-1a2b",
        labels={
            "com.docker.compose.project": "pandora",
            "com.docker.compose.service": "web",
            "com.docker.compose.oneoff": "True",
        },
    )
    assert container_ident(oneoff) == "pandora-web-run-1a2b"
    assert parse_container_key("container_3_pandora/jellyfin") == (3, "pandora/jellyfin")
    assert parse_container_key("container_x_y") is None
    assert parse_container_key("stack_1_pandora") is None


def test_compose_recreation_moment_is_one_container() -> None:
    """While compose recreates, the renamed old container and the new one are one identity."""
    old = compose("1a2b3c4d5e6f_pandora-jellyfin-1", "jellyfin", state="exited", created=1000)
    new = compose("pandora-jellyfin-1", "jellyfin", state="running", created=2000)
    fetcher = PortainerFetcher.__new__(PortainerFetcher)
    for order in ([old, new], [new, old]):
        chosen = fetcher._by_identity(1, order, [])
        assert list(chosen) == ["container_1_pandora/jellyfin"]
        assert chosen["container_1_pandora/jellyfin"].container == new


@pytest.mark.parametrize(
    ("status", "bound"),
    [
        ("Up Less than a second", 1),
        ("Up 5 seconds", 6),
        ("Up About a minute", 120),
        ("Up 7 minutes", 480),
        ("Up About an hour", 5400),
        ("Up 3 hours (healthy)", 3.5 * 3600),
        ("Up 2 days (Paused)", 3 * 86400),
        ("Exited (0) 2 hours ago", None),
        ("Up forever", None),
        (None, None),
    ],
)
def test_uptime_upper_bound(status: str | None, bound: float | None) -> None:
    assert uptime_upper_bound(status) == bound
