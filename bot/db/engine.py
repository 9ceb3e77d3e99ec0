"""Engine and session factory for SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.sqlite_inline import inline_connector

# How long a statement waits for another process's write lock (e.g. `qunbot migrate` run while
# serving); inline SQLite calls block the event loop meanwhile, so this stays short.
SQLITE_BUSY_SECONDS = 5.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        # We issue BEGIN ourselves (below); the driver's implicit BEGIN is deferred.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged update must survive power loss, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes can fail at once with "database is locked" instead of waiting its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    """Create the engine; SQLite gets WAL so readers never wait for the single writer.

    A failed statement's error leaves its parameters out: they are members' messages, invite
    codes and links, which would otherwise be logged with the error and outlive retention.
    """
    if is_sqlite(url):
        # One connection: SQLite has one writer anyway, and waiting for the pool is an asyncio
        # wait in arrival order, where waiting for SQLite's lock is a sleeping busy-loop that
        # stalls a webhook acknowledgement for up to 100 ms at a time.
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url,
            async_creator=inline_connector(database, timeout=SQLITE_BUSY_SECONDS),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            hide_parameters=True,
        )
        _sqlite_setup(engine.sync_engine)
        return engine
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
