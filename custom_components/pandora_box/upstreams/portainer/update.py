"""Update entities: one per container (its image) and one per compose stack (all of them).

A container's installed version is the digest of the image it runs that
matches the registry (any of its ``RepoDigests``, not only the first: see
``updates.py``), its latest the registry's digest now, both shortened as
Docker shows ids.  Installing pulls the image through the Docker proxy,
reporting ``update_percentage`` from Docker's pull progress (the pull is 90 %
of the bar), then asks Portainer to recreate the container
(``async_recreate_container``): every setting is kept, and a failure after
the old container was stopped makes Portainer put it back and start it.  A
failed pull changes nothing.  Either failure is a translated error; when
our own pull is refused (private registries: Portainer adds its stored
credentials only to its own pulls) Portainer pulls instead, without
progress.

A compose stack gets one entity for all its services: it is outdated when
any of them is, and installing pulls every image and redeploys the stack
through Portainer (``async_update_stack``), so services are not updated one
by one.  Its versions are a short fingerprint of its services' digests.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final, override

from homeassistant.components.update import (
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory

from ...api.errors import CannotConnectError, InvalidAuthError, PandoraError
from .entities import PortainerContainerEntity, PortainerStackEntity, setup_portainer_entities
from .model import PortainerContainerData, PortainerStackData
from .updates import ImageStatus, short_digest

PULL_SHARE: Final = 90
"""Share of the progress bar the pull takes; the recreate is the rest."""
STACK_COMPOSE: Final = 2

PORTAINER_CONTAINER_UPDATE: Final = UpdateEntityDescription(
    key="image_update",
    translation_key="container_image_update",
    entity_category=EntityCategory.CONFIG,
)
PORTAINER_STACK_UPDATE: Final = UpdateEntityDescription(
    key="stack_update",
    translation_key="stack_update",
    entity_category=EntityCategory.CONFIG,
)


def _fingerprint(digests: list[str | None]) -> str | None:
    """A short stable name for a set of digests (``None`` if one is unknown)."""
    if not digests or any(d is None for d in digests):
        return None
    joined = "\n".join(sorted(d for d in digests if d))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


class PortainerContainerUpdateEntity(PortainerContainerEntity, UpdateEntity):
    """The image of one container: installed digest against the registry's."""

    _attr_supported_features = UpdateEntityFeature.INSTALL | UpdateEntityFeature.PROGRESS

    def _status(self) -> ImageStatus | None:
        data = self.device_data
        return data.update if data is not None else None

    @property
    @override
    def title(self) -> str | None:
        """The image reference."""
        data = self.device_data
        return data.reference if data is not None else None

    @property
    @override
    def installed_version(self) -> str | None:
        """The running image's digest (the one the registry has, when one matches)."""
        status = self._status()
        return short_digest(status.installed) if status is not None else None

    @property
    @override
    def latest_version(self) -> str | None:
        """The registry's digest (the installed one when it matches)."""
        status = self._status()
        if status is None or status.latest is None:
            return None
        return short_digest(status.latest if status.update_available else status.installed)

    @override
    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Pull with progress, then recreate; on failure the old container keeps running."""
        data, docker_id = self.live_container()
        reference = data.reference
        coordinator = self.coordinator
        client = coordinator.client
        self._attr_in_progress = True
        self._attr_update_percentage = 0
        self.async_write_ha_state()
        try:
            pulled = False
            if reference:
                pulled = await self._async_pull(data, reference)
            self._attr_update_percentage = PULL_SHARE if pulled else None
            self.async_write_ha_state()
            await self._async_send(
                "container",
                data.name,
                "update",
                lambda: client.async_recreate_container(
                    data.endpoint_id, docker_id, pull=not pulled
                ),
            )
        finally:
            self._attr_in_progress = False
            self._attr_update_percentage = None
            self.async_write_ha_state()
        if reference:
            coordinator.fetcher.updates.invalidate(data.endpoint_id, reference)
        await coordinator.async_refresh()

    async def _async_pull(self, data: PortainerContainerData, reference: str) -> bool:
        """Pull ``reference`` with progress; ``False`` when Portainer must pull instead."""
        client = self.coordinator.client
        try:
            async for percent in client.async_pull_image(data.endpoint_id, reference):
                scaled = int(percent * PULL_SHARE / 100)
                if scaled != self._attr_update_percentage:
                    self._attr_update_percentage = scaled
                    self.async_write_ha_state()
        except (CannotConnectError, InvalidAuthError) as err:
            # Portainer or Docker cannot be reached (or the key is revoked): nothing changed.
            await self._async_send("container", data.name, "update", _raiser(err))
        except PandoraError:
            return False  # refused: let Portainer pull with its registry credentials
        return True


def _raiser(err: PandoraError) -> Any:
    """A call that raises ``err`` (so ``_async_send`` translates it)."""

    async def fail() -> None:
        raise err

    return fail


class PortainerStackUpdateEntity(PortainerStackEntity, UpdateEntity):
    """All images of a compose stack: outdated when any is; install redeploys the stack."""

    _attr_supported_features = UpdateEntityFeature.INSTALL

    def _stack_data(self) -> PortainerStackData | None:
        return self.device_data

    @property
    @override
    def installed_version(self) -> str | None:
        """A fingerprint of the digests its containers run."""
        data = self._stack_data()
        if data is None or not data.updates:
            return None
        return _fingerprint([s.installed for s in data.updates])

    @property
    @override
    def latest_version(self) -> str | None:
        """A fingerprint of the registry's digests (the installed one where it matches)."""
        data = self._stack_data()
        if data is None or not data.updates:
            return None
        if all(s.latest is None for s in data.updates):
            return None  # nothing checked yet
        # a service whose registry refuses (private, local build) claims nothing
        return _fingerprint([s.latest if s.update_available else s.installed for s in data.updates])

    @property
    @override
    def release_summary(self) -> str | None:
        """Which services have a newer image."""
        data = self._stack_data()
        return ", ".join(data.outdated) if data is not None and data.outdated else None

    @override
    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Pull every image of the stack and redeploy it."""
        self._attr_in_progress = True
        self.async_write_ha_state()
        try:
            await self.async_update_stack()
        finally:
            self._attr_in_progress = False
            self.async_write_ha_state()


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerContainerUpdateEntity(coordinator, PORTAINER_CONTAINER_UPDATE, data)
    ],
    stack=lambda coordinator, data: [
        PortainerStackUpdateEntity(coordinator, PORTAINER_STACK_UPDATE, data)
        for _ in [data]
        if data.stack.type == STACK_COMPOSE
    ],
)
"""Adds an update entity per container and per compose stack, as they appear."""
