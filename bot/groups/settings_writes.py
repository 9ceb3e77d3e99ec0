"""A write of a group's settings is what its writer changed, applied onto the row as it is now.

The settings are one JSON document that many writers change parts of: the handlers of updates
(every join records itself for raid detection), the dashboard's forms, the group sync, and
replicas handling updates side by side. A writer reads the document early and writes it late;
writing back its whole copy, it would put back the old value of whatever another writer changed
meanwhile. So when a changed document is flushed, what its writer changed (from the document it
read to the one it assigned) is applied onto the stored one, read locked (`FOR UPDATE`, held to
the end of the writer's transaction, as the UPDATE's own lock would be). Writers go on assigning
`group.settings`; a document assigned back as it was read writes nothing.

Changes are as fine as the document's objects: two writers of different fields of a section both
keep theirs; of one field, the later wins. A list is one value. A typed section is written with
the fields its writer changed only (`bot.groups.settings.with_changes`), not with every default
restated, which would read here as changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

_GONE = object()  # the key is not in the document

Change = tuple[tuple[str, ...], Any]  # (path of keys, new value or _GONE)


def changes(old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...] = ()) -> list[Change]:
    """What turns `old` into `new`, object by object."""
    found: list[Change] = []
    for key in [*old, *(key for key in new if key not in old)]:
        before, after = old.get(key, _GONE), new.get(key, _GONE)
        if before == after:
            continue
        if isinstance(after, dict) and (before is _GONE or isinstance(before, dict)):
            found += changes({} if before is _GONE else before, after, (*path, key))
        else:
            found.append(((*path, key), after))
    return found


def applied(doc: dict[str, Any], found: list[Change]) -> dict[str, Any]:
    """`doc` (changed in place) with `found` applied."""
    for path, value in found:
        here = doc
        for key in path[:-1]:
            if not isinstance(here.get(key), dict):
                here[key] = {}  # unreadable there anyway: its readers fall back to defaults
            here = here[key]
        if value is _GONE:
            here.pop(path[-1], None)
        else:
            here[path[-1]] = value
    return doc


def write_changes_only(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Before a group's UPDATE: its settings become the stored ones with the writer's changes."""
    history = inspect(target).attrs.settings.history
    if not history.added:
        return
    read = history.deleted[0] if history.deleted else None
    found = changes(read or {}, history.added[0] or {})
    if not found:  # None for {}: nothing to write over a change made meanwhile
        set_committed_value(target, "settings", history.added[0])
        return
    table = mapper.local_table
    stored = connection.scalar(
        select(table.c.settings).where(table.c.id == target.id).with_for_update()
    )
    target.settings = applied(stored or {}, found)
