"""The watchlist of a TMDB entry as a to-do list ("Watchlist").

Modelled on core's ``local_todo`` (``todo.py``: create, update, delete and
move items, ``async_update_ha_state`` after each change) and
``shopping_list``; the items live in the entry's ``Watchlist``
(``watchlist.py``, a ``Store``), not in the entity.  The description is the
item's state and belongs to the integration: users rename, complete, delete
and move items, they do not write descriptions (no
``SET_DESCRIPTION_ON_ITEM``).  A film's due date is its release date.

The list is local data: it stays available while TMDB is down (adding an
item then fails with TMDB's translated error).
"""

from __future__ import annotations

from datetime import date
from typing import Final, override

from homeassistant.components.todo import (
    TodoItem,
    TodoItemStatus,
    TodoListEntity,
    TodoListEntityFeature,
)
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...coordinator import PandoraConfigEntry
from ...entity import entry_device_info
from ...helpers import invalid
from .actions import tmdb_errors
from .watchlist import WatchItem, Watchlist, describe, watchlist_of

TODO_KEY: Final = "watchlist"


def todo_item(item: WatchItem) -> TodoItem:
    """A watchlist item as the to-do platform shows it."""
    due = date.fromisoformat(item.release_date) if item.release_date else None
    return TodoItem(
        uid=item.uid,
        summary=item.summary,
        status=TodoItemStatus.COMPLETED if item.completed else TodoItemStatus.NEEDS_ACTION,
        due=due,
        description=describe(item),
    )


class WatchlistTodoEntity(TodoListEntity):
    """One TMDB entry's watchlist."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = TODO_KEY
    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.MOVE_TODO_ITEM
    )

    def __init__(self, entry: PandoraConfigEntry, watchlist: Watchlist) -> None:
        """On the entry's service device."""
        self._entry = entry
        self._watchlist = watchlist
        self._attr_unique_id = f"{entry.entry_id}_{TODO_KEY}"
        self._attr_device_info = entry_device_info(entry)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the watchlist (the scheduler changes items too)."""
        await super().async_added_to_hass()
        self.async_on_remove(self._watchlist.async_add_listener(self.async_write_ha_state))

    @property
    @override
    def todo_items(self) -> list[TodoItem]:
        """Every item, in the list's order."""
        return [todo_item(item) for item in self._watchlist.items]

    @override
    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add and resolve a title; one already listed is refused."""
        async with tmdb_errors(self.hass, self._entry):
            outcome, listed = await self._watchlist.async_add(
                item.summary, completed=item.status == TodoItemStatus.COMPLETED
            )
        if outcome == "already_listed":
            raise invalid("watchlist_already_listed", title=listed.label)

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Rename (re-resolves) or complete an item."""
        if item.uid is None or (current := self._watchlist.get(item.uid)) is None:
            raise invalid("watchlist_item_not_found", uid=str(item.uid))
        async with tmdb_errors(self.hass, self._entry):
            await self._watchlist.async_edit(
                item.uid,
                summary=item.summary or current.summary,
                completed=item.status == TodoItemStatus.COMPLETED,  # a plain string here
            )

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Remove items (a running download stays in qBittorrent)."""
        await self._watchlist.async_delete(uids)

    @override
    async def async_move_todo_item(self, uid: str, previous_uid: str | None = None) -> None:
        """Re-order the list."""
        if uid == previous_uid:
            return
        try:
            await self._watchlist.async_move(uid, previous_uid)
        except ValueError as err:
            raise invalid("watchlist_item_not_found", uid=str(err)) from err


def async_setup_entities(
    entry: PandoraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the entry's watchlist."""
    async_add_entities([WatchlistTodoEntity(entry, watchlist_of(entry))])
