"""Running Alembic migrations from code (the CLI and tests), without an alembic.ini."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # `%` is interpolation syntax in Alembic's config parser; URLs may contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database to `revision`; creates the tables on an empty database."""
    command.upgrade(alembic_config(database_url), revision)


# What to do when the database is not at this version's revisions: it was deployed without
# `qunbot migrate` (every write to a new column fails), or a newer version migrated the database.
SCHEMA_ADVICE = {
    "behind": "behind this version: run `qunbot migrate` (or serve --migrate)",
    "ahead": "migrated by a newer version: deploy that version",
}


async def database_schema(engine: AsyncEngine) -> str:
    """`schema_state` of the database behind `engine` (readiness, and the start's warning)."""
    async with engine.connect() as connection:
        return await connection.run_sync(schema_state)


def schema_state(connection: Connection) -> str:
    """"current", "behind" (`qunbot migrate` brings it up) or "ahead" (a newer version migrated
    it; this one must not write to tables it does not know the shape of)."""
    database = MigrationContext.configure(connection).get_current_heads()
    scripts = _scripts()
    if any(head not in scripts for head in database):
        return "ahead"
    # The database records only its outermost revisions (a branch that another depends on is
    # not listed): everything they stand on has been applied too.
    return "current" if standing(database) == scripts.keys() else "behind"


def standing(revisions: Iterable[str]) -> set[str]:
    """`revisions` and every revision they stand on (parents and dependencies): what
    upgrading to them applies."""
    scripts = _scripts()
    applied: set[str] = set()
    todo = list(revisions)
    while todo:
        revision = todo.pop()
        if revision not in applied:
            applied.add(revision)
            todo += scripts[revision]
    return applied


@cache
def _scripts() -> dict[str, tuple[str, ...]]:
    """Every revision of this version, with those it stands on (parents and dependencies)."""
    def listed(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value or ())

    return {script.revision: listed(script.down_revision) + listed(script.dependencies)
            for script in ScriptDirectory.from_config(alembic_config("")).walk_revisions()}
