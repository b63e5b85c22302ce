"""Buttons of Portainer devices.

Containers: restart, pause, resume, recreate (pulling the image first) and
kill; environments: prune unused images, prune unused anonymous volumes;
stacks: update (pull every image, redeploy).  Each is available only where
Docker would accept it (core's rules: no restart while paused, pause only
when running, …).  They are configuration entities, as in core.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory

from .entities import (
    PortainerContainerEntity,
    PortainerEndpointEntity,
    PortainerStackEntity,
    setup_portainer_entities,
)
from .model import PortainerContainerData


@dataclass(frozen=True, kw_only=True)
class PandoraPortainerButtonEntityDescription[EntityT](ButtonEntityDescription):
    """A button of a Portainer device: what it does and when it can."""

    press_fn: Callable[[EntityT], Awaitable[None]]
    available_fn: Callable[[EntityT], bool] = lambda _entity: True


class _PortainerButton[EntityT](ButtonEntity):
    """Presses run the description's action on the entity; availability too.

    It comes first among a button's bases, so its ``available`` adds the
    description's rule to the device entity's.
    """

    entity_description: PandoraPortainerButtonEntityDescription[EntityT]

    @property
    @override
    def available(self) -> bool:
        """Available where the device is and Docker would accept the action."""
        return super().available and self.entity_description.available_fn(self._entity())

    def _entity(self) -> EntityT:
        raise NotImplementedError

    @override
    async def async_press(self) -> None:
        """Run the action."""
        await self.entity_description.press_fn(self._entity())


class PortainerContainerButton(
    _PortainerButton["PortainerContainerButton"], PortainerContainerEntity
):
    """A button of a container."""

    @override
    def _entity(self) -> PortainerContainerButton:
        return self


class PortainerEndpointButton(_PortainerButton["PortainerEndpointButton"], PortainerEndpointEntity):
    """A prune button of an environment."""

    @override
    def _entity(self) -> PortainerEndpointButton:
        return self


class PortainerStackButton(_PortainerButton["PortainerStackButton"], PortainerStackEntity):
    """The update button of a stack."""

    @override
    def _entity(self) -> PortainerStackButton:
        return self


type ContainerButton = PandoraPortainerButtonEntityDescription[PortainerContainerButton]


def _state_in(*states: str) -> Callable[[PortainerContainerButton], bool]:
    """Available while the container is in one of ``states``."""

    def check(entity: PortainerContainerButton) -> bool:
        data: PortainerContainerData | None = entity.device_data
        return data is not None and data.state in states

    return check


PORTAINER_CONTAINER_BUTTONS: Final[tuple[ContainerButton, ...]] = (
    PandoraPortainerButtonEntityDescription(
        key="restart",
        translation_key="restart_container",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_command("restart"),
        available_fn=lambda entity: not _state_in("paused")(entity),
    ),
    PandoraPortainerButtonEntityDescription(
        key="pause",
        translation_key="pause_container",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_command("pause"),
        available_fn=_state_in("running"),
    ),
    PandoraPortainerButtonEntityDescription(
        key="resume",
        translation_key="resume_container",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_command("unpause"),
        available_fn=_state_in("paused"),
    ),
    PandoraPortainerButtonEntityDescription(
        key="recreate",
        translation_key="recreate_container",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_recreate(pull=True),
        available_fn=_state_in("created", "running", "paused", "restarting", "exited"),
    ),
    PandoraPortainerButtonEntityDescription(
        key="kill",
        translation_key="kill_container",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_command("kill"),
        available_fn=_state_in("running", "paused"),
    ),
)

PORTAINER_ENDPOINT_BUTTONS: Final[
    tuple[PandoraPortainerButtonEntityDescription[PortainerEndpointButton], ...]
] = (
    PandoraPortainerButtonEntityDescription(
        key="prune_images",
        translation_key="prune_images",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_prune("images"),
    ),
    PandoraPortainerButtonEntityDescription(
        key="prune_volumes",
        translation_key="prune_volumes",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda entity: entity.async_prune("volumes"),
    ),
)

PORTAINER_STACK_BUTTON: Final = PandoraPortainerButtonEntityDescription[PortainerStackButton](
    key="update",
    translation_key="update_stack",
    device_class=ButtonDeviceClass.UPDATE,
    entity_category=EntityCategory.CONFIG,
    press_fn=lambda entity: entity.async_update_stack(),
)

STACK_KUBERNETES: Final = 3


async_setup_entities: Final = setup_portainer_entities(
    container=lambda coordinator, data: [
        PortainerContainerButton(coordinator, description, data)
        for description in PORTAINER_CONTAINER_BUTTONS
    ],
    endpoint=lambda coordinator, data: [
        PortainerEndpointButton(coordinator, description, data)
        for description in PORTAINER_ENDPOINT_BUTTONS
    ],
    stack=lambda coordinator, data: [
        PortainerStackButton(coordinator, PORTAINER_STACK_BUTTON, data)
        for _ in [data]
        if data.stack.type != STACK_KUBERNETES
    ],
)
"""Adds the buttons of every container, environment and stack, as they appear."""
