"""Jellyfin clients as devices: what the media players and remotes share.

A Jellyfin session belongs to a client device (``DeviceId``, stable across
reconnects, whereas a session id is new on every login), so each device of a
client that Home Assistant can control (``SupportsRemoteControl``: it keeps a
control channel open) gets one Home Assistant device below the entry's
service device, with a media player (``media_player.py``) and a remote
(``remote.py``).  Entities look their session up by device id on every
update and send commands to the session that device has now.

Devices follow the sessions without a reload: each platform adds entities for
devices it has not seen after every successful poll, and one listener per
entry removes the devices (and so their entities) of clients that are gone,
as stale devices.  An outage removes nothing: the entities are unavailable
until the server answers again.  Core's ``jellyfin`` keys entities on the
session id and never removes them; ours keep their entity ids across
reconnects and go with their client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import override

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...api.jellyfin import JellyfinClient, Session
from ...const import DOMAIN
from ...coordinator import PandoraConfigEntry, coordinator_of, entry_client
from ...entity import PandoraEntity, SetupFn, child_device_info
from ...helpers import upstream_errors
from ...naming import child_device_name
from .coordinator import JellyfinCoordinator

type PlayerFactory = Callable[[JellyfinCoordinator, Session], Entity]


def client_identifier(entry_id: str, device_id: str) -> tuple[str, str]:
    """The device registry identifier of a Jellyfin client device."""
    return (DOMAIN, f"{entry_id}_client_{device_id}")


def client_device(coordinator: JellyfinCoordinator, session: Session) -> DeviceInfo:
    """The device of the client ``session`` runs on, below the entry's service device."""
    entry_id = coordinator.config_entry.entry_id
    assert session.device_id is not None
    return child_device_info(
        coordinator.hass,
        entry_id,
        (DOMAIN, entry_id),
        DeviceInfo(
            identifiers={client_identifier(entry_id, session.device_id)},
            name=child_device_name("client", session.device_name or session.client or "?"),
            manufacturer="Jellyfin",
            model=session.client,
            sw_version=session.application_version,
        ),
    )


class JellyfinClientEntity(PandoraEntity[JellyfinCoordinator]):
    """An entity of one Jellyfin client device, found in the data by its device id."""

    def __init__(
        self, coordinator: JellyfinCoordinator, description: EntityDescription, session: Session
    ) -> None:
        """Key the unique id on the client's device id."""
        assert session.device_id is not None
        super().__init__(
            coordinator,
            description,
            key=f"client_{session.device_id}_{description.key}",
            device_info=client_device(coordinator, session),
        )
        self.device_key = session.device_id

    @property
    def session(self) -> Session | None:
        """The client's session in the latest data (``None`` once it is gone)."""
        data = self.coordinator.data
        return None if data is None else data.players.get(self.device_key)

    @property
    @override
    def available(self) -> bool:
        """Available while the server answers and the client is connected."""
        return super().available and self.session is not None

    def live_session(self) -> Session:
        """The session to send a command to; a translated error when the client is gone."""
        session = self.session
        if session is None or not self.coordinator.last_update_success:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="jellyfin_client_gone",
                translation_placeholders={"title": self.coordinator.config_entry.title},
            )
        return session

    async def async_send(self, send: Callable[[JellyfinClient, str], Awaitable[None]]) -> None:
        """Send a command to the client's session, then read the sessions again.

        Errors are those of every command (``helpers.upstream_errors``): a
        revoked key starts reauthentication.
        """
        session = self.live_session()
        entry = self.coordinator.config_entry
        async with upstream_errors(self.hass, entry):
            await send(entry_client(entry, JellyfinClient), session.id)
        await self.coordinator.async_request_refresh()


def setup_players(factory: PlayerFactory) -> SetupFn:
    """A platform's setup: ``factory``'s entity per controllable client, now and as they come."""

    def setup(
        entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        coordinator = coordinator_of(entry, JellyfinCoordinator)
        known: set[str] = set()

        @callback
        def _add_new() -> None:
            if not coordinator.last_update_success or coordinator.data is None:
                return
            players = coordinator.data.players
            known.intersection_update(players)
            new = [s for key, s in players.items() if key not in known]
            known.update(players)
            if new:
                async_add_entities(factory(coordinator, session) for session in new)

        _add_new()
        entry.async_on_unload(coordinator.async_add_listener(_add_new))
        entry.async_on_unload(coordinator.async_add_listener(lambda: _remove_stale(coordinator)))

    return setup


@callback
def _remove_stale(coordinator: JellyfinCoordinator) -> None:
    """Remove the client devices of this entry whose client is gone (after a good poll)."""
    if not coordinator.last_update_success or coordinator.data is None:
        return
    entry_id = coordinator.config_entry.entry_id
    current = _client_identifiers(entry_id, coordinator.data.players)
    registry = dr.async_get(coordinator.hass)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        if _is_client(entry_id, device) and not device.identifiers & current:
            registry.async_remove_device(device.id)


def _client_identifiers(entry_id: str, device_ids: Iterable[str]) -> set[tuple[str, str]]:
    return {client_identifier(entry_id, device_id) for device_id in device_ids}


def _is_client(entry_id: str, device: dr.DeviceEntry) -> bool:
    prefix = client_identifier(entry_id, "")
    return any(d == DOMAIN and i.startswith(prefix[1]) for d, i in device.identifiers)


def async_remove_client_device(entry: PandoraConfigEntry, device: dr.DeviceEntry) -> bool:
    """Whether a user may delete ``device``: a client device that is not connected now."""
    if not _is_client(entry.entry_id, device):
        return False
    runtime = getattr(entry, "runtime_data", None)
    coordinator = runtime.coordinator if runtime is not None else None
    if isinstance(coordinator, JellyfinCoordinator) and coordinator.data is not None:
        return not device.identifiers & _client_identifiers(
            entry.entry_id, coordinator.data.players
        )
    return True
