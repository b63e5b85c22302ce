"""Portainer devices and entities: one device per environment, container and stack.

Every device is keyed by a stable key from ``model.py``
(environment id; environment + container name; environment + stack name),
never by a Docker id, so a recreated container keeps its device, entity ids
and history.  Entities read their item from the coordinator's latest data
by that key on every update, and commands look the current Docker id up at
the moment they are sent.

Devices follow the data without a reload: every platform adds entities for
keys it has not seen (``async_add_portainer_entities``), and one listener
per entry (``async_track_devices``) removes the devices of keys that are
gone after a successful poll.  Containers kept for a stopped stack and
containers of an unreachable environment stay in the data, so they keep
their devices (see ``model.py``).  A user may also delete a
device that is not in the current data (``async_remove_device``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import timedelta
from typing import Literal, override

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...api.errors import CannotConnectError, PermissionDeniedError, ResponseError
from ...api.portainer import ContainerAction, StackAction
from ...const import DOMAIN
from ...coordinator import PandoraConfigEntry, coordinator_of
from ...entity import PandoraEntity, SetupFn, child_device_info
from ...helpers import upstream_errors
from ...naming import child_device_name
from .coordinator import PortainerCoordinator
from .model import (
    PortainerContainerData,
    PortainerEndpointData,
    PortainerStackData,
    PortainerVolumeData,
    endpoint_key,
)

ENDPOINT_MODELS = {
    1: "Docker environment",
    2: "Docker agent environment",
    4: "Docker edge agent environment",
}
STACK_MODELS = {1: "Swarm stack", 2: "Compose stack", 3: "Kubernetes stack"}

type EntityFactory[T] = Callable[[PortainerCoordinator, T], Iterable[Entity]]


def device_identifier(entry_id: str, key: str) -> tuple[str, str]:
    """The device registry identifier of a device key."""
    return (DOMAIN, f"{entry_id}_{key}")


def portainer_page(coordinator: PortainerCoordinator, fragment: str) -> str:
    """The address of a page of Portainer's web UI (``#!/1/docker/dashboard``).

    The base URL of a Portainer at the server's root ends in ``/``; the page
    is joined with exactly one slash.
    """
    return f"{str(coordinator.client.base_url).rstrip('/')}/#!/{fragment}"


def endpoint_device(coordinator: PortainerCoordinator, data: PortainerEndpointData) -> DeviceInfo:
    """Device of an environment, under the entry's service device."""
    entry_id = coordinator.config_entry.entry_id
    endpoint = data.endpoint
    return child_device_info(
        coordinator.hass,
        entry_id,
        (DOMAIN, entry_id),
        DeviceInfo(
            identifiers={device_identifier(entry_id, data.key)},
            name=child_device_name("environment", endpoint.name),
            manufacturer="Portainer.io",
            model=ENDPOINT_MODELS.get(endpoint.type or 0, "Environment"),
            configuration_url=portainer_page(coordinator, f"{endpoint.id}/docker/dashboard"),
        ),
    )


def container_device(coordinator: PortainerCoordinator, data: PortainerContainerData) -> DeviceInfo:
    """Device of a container, under its environment's device.

    Its *Visit* link opens the container's page by name: Portainer's page
    reads the container through Docker's ``/containers/{id}/json``, which
    takes an id or a name, and a name outlives a recreate (a new id).
    """
    entry_id = coordinator.config_entry.entry_id
    return child_device_info(
        coordinator.hass,
        entry_id,
        device_identifier(entry_id, endpoint_key(data.endpoint_id)),
        DeviceInfo(
            identifiers={device_identifier(entry_id, data.key)},
            name=child_device_name("container", data.name),
            manufacturer="Docker",
            model="Container",
            configuration_url=portainer_page(
                coordinator, f"{data.endpoint_id}/docker/containers/{data.name}"
            ),
        ),
    )


def stack_device(coordinator: PortainerCoordinator, data: PortainerStackData) -> DeviceInfo:
    """Device of a stack, under its environment's device."""
    entry_id = coordinator.config_entry.entry_id
    stack = data.stack
    return child_device_info(
        coordinator.hass,
        entry_id,
        device_identifier(entry_id, endpoint_key(stack.endpoint_id)),
        DeviceInfo(
            identifiers={device_identifier(entry_id, data.key)},
            name=child_device_name("stack", stack.name),
            manufacturer="Portainer.io",
            model=STACK_MODELS.get(stack.type or 0, "Stack"),
            configuration_url=portainer_page(
                coordinator,
                f"{stack.endpoint_id}/docker/stacks/{stack.name}"
                f"?id={stack.id}&type={stack.type}&regular=true",
            ),
        ),
    )


def volume_device(coordinator: PortainerCoordinator, data: PortainerVolumeData) -> DeviceInfo:
    """Device of a volume, under its environment's device."""
    entry_id = coordinator.config_entry.entry_id
    return child_device_info(
        coordinator.hass,
        entry_id,
        device_identifier(entry_id, endpoint_key(data.endpoint_id)),
        DeviceInfo(
            identifiers={device_identifier(entry_id, data.key)},
            name=child_device_name("volume", data.volume.name),
            manufacturer="Docker",
            model="Volume",
            configuration_url=portainer_page(
                coordinator, f"{data.endpoint_id}/docker/volumes/{data.volume.name}"
            ),
        ),
    )


# -- base entities ----------------------------------------------------------------------


class PortainerEntity[DataT](PandoraEntity[PortainerCoordinator]):
    """An entity of one Portainer device, found in the data by its device key.

    ``DataT`` is the device's item type; subclasses say where the items are
    (``_devices``) and when the entity is available.
    """

    def __init__(
        self,
        coordinator: PortainerCoordinator,
        description: EntityDescription,
        device_key: str,
        device_info: DeviceInfo,
    ) -> None:
        """Key the unique id on the device key and the description's key."""
        super().__init__(
            coordinator,
            description,
            key=f"{device_key}_{description.key}",
            device_info=device_info,
        )
        self.device_key = device_key

    def _devices(self) -> Mapping[str, DataT]:
        """The items of this entity's device type in the latest data."""
        raise NotImplementedError

    @property
    def device_data(self) -> DataT | None:
        """The device's item in the latest data (``None`` once it is gone)."""
        return self._devices().get(self.device_key)

    async def _async_send[R](
        self, item: str, name: str, action: str, send: Callable[[], Awaitable[R]]
    ) -> R:
        """Send a command; a failure is the translated ``<item>_<action>_failed``."""
        return await async_send(self.coordinator, item, name, action, send)


async def async_send[R](
    coordinator: PortainerCoordinator,
    item: str,
    name: str,
    action: str,
    send: Callable[[], Awaitable[R]],
) -> R:
    """Send a command to Portainer; a failure is the translated ``<item>_<action>_failed``.

    A missing right is ``permission_denied`` naming it, a revoked key starts
    reauthentication (``helpers.upstream_errors``).
    """
    entry = coordinator.config_entry
    async with upstream_errors(coordinator.hass, entry):
        try:
            return await send()
        except PermissionDeniedError:
            raise  # upstream_errors names the missing right
        except (CannotConnectError, ResponseError) as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=f"{item}_{action}_failed",
                translation_placeholders={
                    "title": entry.title,
                    "name": name,
                    "error": err.message,
                },
            ) from err
    raise AssertionError  # pragma: no cover - upstream_errors re-raises


async def async_recreate(
    coordinator: PortainerCoordinator,
    data: PortainerContainerData,
    docker_id: str,
    *,
    pull: bool,
) -> None:
    """Recreate a container through Portainer (pulling first if asked), then refresh."""
    await async_send(
        coordinator,
        "container",
        data.name,
        "recreate",
        lambda: coordinator.client.async_recreate_container(data.endpoint_id, docker_id, pull=pull),
    )
    if pull and data.reference:
        coordinator.fetcher.updates.invalidate(data.endpoint_id, data.reference)
    await coordinator.async_refresh()


async def async_prune(
    coordinator: PortainerCoordinator,
    data: PortainerEndpointData,
    what: Literal["images", "volumes"],
    *,
    dangling: bool = False,
    until: timedelta | None = None,
) -> None:
    """Prune an environment's unused images or anonymous volumes; read disk usage again."""
    client = coordinator.client
    endpoint_id = data.endpoint.id
    await async_send(
        coordinator,
        "environment",
        data.endpoint.name,
        f"prune_{what}",
        lambda: (
            client.async_prune_images(endpoint_id, dangling=dangling, until=until)
            if what == "images"
            else client.async_prune_volumes(endpoint_id)
        ),
    )
    coordinator.request_disk_read()
    await coordinator.async_refresh()


class PortainerEndpointEntity(PortainerEntity[PortainerEndpointData]):
    """An entity of an environment."""

    def __init__(
        self,
        coordinator: PortainerCoordinator,
        description: EntityDescription,
        data: PortainerEndpointData,
    ) -> None:
        """Attach to the environment's device."""
        super().__init__(coordinator, description, data.key, endpoint_device(coordinator, data))

    @override
    def _devices(self) -> Mapping[str, PortainerEndpointData]:
        return self.coordinator.data.endpoints

    @property
    @override
    def available(self) -> bool:
        """Available while the environment exists and its Docker answers."""
        data = self.device_data
        return super().available and data is not None and data.reachable

    async def async_prune(self, what: Literal["images", "volumes"]) -> None:
        """Prune unused images (all, not only dangling) or anonymous volumes, then refresh."""
        data = self.device_data
        if data is not None:
            await async_prune(self.coordinator, data, what)


class PortainerVolumeEntity(PortainerEntity[PortainerVolumeData]):
    """An entity of a volume (identified by environment + volume name)."""

    def __init__(
        self,
        coordinator: PortainerCoordinator,
        description: EntityDescription,
        data: PortainerVolumeData,
    ) -> None:
        """Attach to the volume's device."""
        super().__init__(coordinator, description, data.key, volume_device(coordinator, data))

    @override
    def _devices(self) -> Mapping[str, PortainerVolumeData]:
        return self.coordinator.data.volumes

    @property
    @override
    def available(self) -> bool:
        """Available while the latest disk usage lists the volume."""
        return super().available and self.device_data is not None


class PortainerContainerEntity(PortainerEntity[PortainerContainerData]):
    """An entity of a container (identified by environment + name)."""

    def __init__(
        self,
        coordinator: PortainerCoordinator,
        description: EntityDescription,
        data: PortainerContainerData,
    ) -> None:
        """Attach to the container's device."""
        super().__init__(coordinator, description, data.key, container_device(coordinator, data))

    @override
    def _devices(self) -> Mapping[str, PortainerContainerData]:
        return self.coordinator.data.containers

    @property
    @override
    def available(self) -> bool:
        """Available while the container exists (or is kept, where that makes sense)."""
        data = self.device_data
        return (
            super().available
            and data is not None
            and data.reachable
            and (data.container is not None or self.available_when_removed)
        )

    @property
    def available_when_removed(self) -> bool:
        """Whether it still shows something once a stopped stack removed the container.

        Descriptions say so with an ``available_when_removed`` field (the
        state and image sensors); everything else needs a live container.
        """
        return bool(getattr(self.entity_description, "available_when_removed", False))

    def live_container(self) -> tuple[PortainerContainerData, str]:
        """The container's data and current Docker id; a translated error once it is gone."""
        data = self.device_data
        if data is None or data.docker_id is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="container_removed",
                translation_placeholders={
                    "title": self.coordinator.config_entry.title,
                    "name": data.name if data is not None else self.device_key,
                },
            )
        return data, data.docker_id

    async def async_command(self, action: ContainerAction) -> None:
        """Start, stop, restart, pause, resume or kill the container by its current id."""
        coordinator = self.coordinator
        data, docker_id = self.live_container()
        await self._async_send(
            "container",
            data.name,
            action,
            lambda: coordinator.client.async_container_action(data.endpoint_id, docker_id, action),
        )
        coordinator.fetcher.forget_start(docker_id)
        await coordinator.async_refresh()

    async def async_recreate(self, *, pull: bool) -> None:
        """Recreate the container with all its settings (Portainer's recreate), then refresh."""
        data, docker_id = self.live_container()
        await async_recreate(self.coordinator, data, docker_id, pull=pull)


class PortainerStackEntity(PortainerEntity[PortainerStackData]):
    """An entity of a stack (identified by environment + stack name)."""

    def __init__(
        self,
        coordinator: PortainerCoordinator,
        description: EntityDescription,
        data: PortainerStackData,
    ) -> None:
        """Attach to the stack's device."""
        super().__init__(coordinator, description, data.key, stack_device(coordinator, data))

    @override
    def _devices(self) -> Mapping[str, PortainerStackData]:
        return self.coordinator.data.stacks

    @property
    @override
    def available(self) -> bool:
        """Available while Portainer lists the stack."""
        return super().available and self.device_data is not None

    def current_stack(self) -> PortainerStackData:
        """The stack's data; a translated error once Portainer no longer lists it."""
        data = self.device_data
        if data is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="stack_gone",
                translation_placeholders={
                    "title": self.coordinator.config_entry.title,
                    "name": self.device_key,
                },
            )
        return data

    async def async_update_stack(self) -> None:
        """Pull every image of the stack and redeploy it, then check its images again."""
        coordinator = self.coordinator
        data = self.current_stack()
        stack = data.stack
        await self._async_send(
            "stack",
            stack.name,
            "update",
            lambda: coordinator.client.async_update_stack(stack.id, stack.endpoint_id),
        )
        for status in data.updates:
            coordinator.fetcher.updates.invalidate(stack.endpoint_id, status.reference)
        await coordinator.async_refresh()

    async def async_command(self, action: StackAction) -> None:
        """Start or stop the stack (compose up / down), then refresh."""
        coordinator = self.coordinator
        stack = self.current_stack().stack
        await self._async_send(
            "stack",
            stack.name,
            action,
            lambda: coordinator.client.async_stack_action(stack.id, stack.endpoint_id, action),
        )
        await coordinator.async_refresh()


# -- dynamic devices ------------------------------------------------------------------------


def async_add_portainer_entities(
    entry: PandoraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    endpoint: EntityFactory[PortainerEndpointData] | None = None,
    container: EntityFactory[PortainerContainerData] | None = None,
    stack: EntityFactory[PortainerStackData] | None = None,
    volume: EntityFactory[PortainerVolumeData] | None = None,
) -> None:
    """Add a platform's entities for every device now and for new ones after each poll."""
    coordinator = coordinator_of(entry, PortainerCoordinator)
    async_track_devices(entry)
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        if not coordinator.last_update_success:
            return
        data = coordinator.data
        known.intersection_update(data.device_keys())
        # Containers and stacks hang below their environment's device: make
        # sure it exists first, whichever platform gets here first.
        registry = dr.async_get(coordinator.hass)
        for endpoint_data in data.endpoints.values():
            registry.async_get_or_create(
                config_entry_id=entry.entry_id, **endpoint_device(coordinator, endpoint_data)
            )
        entities = [
            *_new_entities(coordinator, known, data.endpoints, endpoint),
            *_new_entities(coordinator, known, data.containers, container),
            *_new_entities(coordinator, known, data.stacks, stack),
            *_new_entities(coordinator, known, data.volumes, volume),
        ]
        if entities:
            async_add_entities(entities)

    _add_new()
    entry.async_on_unload(coordinator.async_add_listener(_add_new))


def setup_portainer_entities(
    *,
    endpoint: EntityFactory[PortainerEndpointData] | None = None,
    container: EntityFactory[PortainerContainerData] | None = None,
    stack: EntityFactory[PortainerStackData] | None = None,
    volume: EntityFactory[PortainerVolumeData] | None = None,
) -> SetupFn:
    """A platform's setup: its entities per device, now and as devices appear."""

    def setup(
        entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        async_add_portainer_entities(
            entry,
            async_add_entities,
            endpoint=endpoint,
            container=container,
            stack=stack,
            volume=volume,
        )

    return setup


def _new_entities[T](
    coordinator: PortainerCoordinator,
    known: set[str],
    items: dict[str, T],
    factory: EntityFactory[T] | None,
) -> list[Entity]:
    """Entities for the items whose keys are not in ``known`` (which learns them)."""
    entities: list[Entity] = []
    for key, item in items.items():
        if key in known:
            continue
        known.add(key)
        if factory is not None:
            entities.extend(factory(coordinator, item))
    return entities


def async_track_devices(entry: PandoraConfigEntry) -> None:
    """Remove devices whose item is gone after each successful poll (once per entry)."""
    coordinator = coordinator_of(entry, PortainerCoordinator)
    if coordinator.device_tracker is not None:
        return

    @callback
    def _remove_stale() -> None:
        if coordinator.last_update_success:
            async_remove_stale_devices(coordinator)

    unsubscribe: CALLBACK_TYPE = coordinator.async_add_listener(_remove_stale)
    coordinator.device_tracker = unsubscribe
    _remove_stale()

    @callback
    def _stop() -> None:
        unsubscribe()
        coordinator.device_tracker = None

    entry.async_on_unload(_stop)


@callback
def async_remove_stale_devices(coordinator: PortainerCoordinator) -> None:
    """Detach the entry from devices that are neither its service device nor in the data."""
    entry_id = coordinator.config_entry.entry_id
    valid = {device_identifier(entry_id, key) for key in coordinator.data.device_keys()}
    valid.add((DOMAIN, entry_id))
    registry = dr.async_get(coordinator.hass)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        if not device.identifiers & valid:
            registry.async_remove_device(device.id)


def async_remove_device(entry: PandoraConfigEntry, device: dr.DeviceEntry) -> bool:
    """Whether a user may delete ``device``: only when it is not in the current data.

    The entry's service device never; without data (entry not loaded) any other.
    """
    entry_id = entry.entry_id
    current = {(DOMAIN, entry_id)}
    runtime = getattr(entry, "runtime_data", None)
    coordinator = runtime.coordinator if runtime is not None else None
    if isinstance(coordinator, PortainerCoordinator) and coordinator.data is not None:
        current |= {device_identifier(entry_id, key) for key in coordinator.data.device_keys()}
    return not device.identifiers & current
