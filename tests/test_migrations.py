"""Alembic migrations build exactly the schema the models describe, on this test's database."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from contextlib import closing

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, standing, upgrade
from tests.factories import (
    ANONYMOUS_ADMIN,
    GROUP_ID,
    chat,
    make_callback_update,
    make_join_update,
    make_message_update,
    make_update,
    message,
    user,
)


async def upgraded_short_of(url: str, revision: str) -> None:
    """Apply every revision of this version except `revision` and those standing on it: the
    database a running bot had before the upgrade that brings `revision`."""
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    assert revision in heads
    for head in sorted(heads):
        if revision not in standing([head]):
            await asyncio.to_thread(upgrade, url, head)


def add_group(db: sqlite3.Connection, chat_id: str = "-100123") -> None:
    """Group 1 as a bot running an older revision stored it, for rows that need a group."""
    db.execute(
        "INSERT INTO groups (id, platform, chat_id, chat_type, settings, created_at,"
        " updated_at) VALUES (1, 'telegram', :chat, 'supergroup', '{}', :at, :at)",
        {"chat": chat_id, "at": "2026-11-24 10:00:00.000000"},
    )


async def test_models_match_migrations(database_url):
    engine = create_engine(database_url)

    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []


async def test_downgrade_to_empty_and_upgrade_again(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    await engine.dispose()
    assert {"groups", "members", "inbox", "outbox", "alembic_version"} <= set(tables)


async def test_a_photo_check_queued_before_0014_survives_it_without_a_channel(tmp_path):
    # A row a running bot queued before the upgrade, as the migrations before 0014 left it.
    path = tmp_path / "queued.db"
    url = f"sqlite+aiosqlite:///{path}"
    config = alembic_config(url)
    await upgraded_short_of(url, "0014")
    with closing(sqlite3.connect(path)) as db, db:
        add_group(db)
        db.execute(
            "INSERT INTO adfilter_photo_checks (id, group_id, user_id, message_id, file_id,"
            " status, at, attempts) VALUES (7, 1, '222', '4242', 'qr-ad', 'pending', :at, 0)",
            {"at": "2026-11-24 10:00:00.000000"},
        )

    def row() -> dict:
        with closing(sqlite3.connect(path)) as db:
            db.row_factory = sqlite3.Row
            return dict(db.execute("SELECT * FROM adfilter_photo_checks").fetchone())

    await asyncio.to_thread(upgrade, url)
    upgraded = row()
    assert (upgraded["id"], upgraded["user_id"], upgraded["status"]) == (7, "222", "pending")
    assert (upgraded["channel_id"], upgraded["channel_title"], upgraded["channel_username"]) == (
        None,
        None,
        None,
    )
    await asyncio.to_thread(command.downgrade, config, "0014@-1")
    downgraded = row()
    assert "channel_id" not in downgraded
    # 0026's album stands on 0014 and goes down with it.
    kept = {k: v for k, v in upgraded.items() if not k.startswith("channel_") and k != "album_id"}
    assert kept == downgraded


async def test_downgrading_0014_gives_up_unchecked_channel_photos(tmp_path):
    # Without the channel, code before 0014 would judge the photo as Channel_Bot's own.
    path = tmp_path / "channel.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    with closing(sqlite3.connect(path)) as db, db:
        add_group(db)
        for id_, status, channel in (
            (1, "pending", "-100987"),
            (2, "checking", "-100987"),
            (3, "done", "-100987"),
            (4, "pending", None),
        ):
            db.execute(
                "INSERT INTO adfilter_photo_checks (id, group_id, user_id, message_id, status,"
                " at, attempts, channel_id) VALUES (:id, 1, '136817688', :id, :status, :at, 0,"
                " :channel)",
                {"id": id_, "status": status, "channel": channel, "at": "2026-11-24 10:00:00"},
            )
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0014@-1")
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT id, status, error FROM adfilter_photo_checks ORDER BY id")
        statuses = [(id_, status, error is not None) for id_, status, error in rows]
    assert statuses == [
        (1, "failed", True),
        (2, "failed", True),
        (3, "done", False),
        (4, "pending", False),
    ]


async def test_0016_counts_the_members_messages_already_in_the_inbox(tmp_path):
    # A running bot's inbox before the upgrade: the first digest after it must not read 0.
    path = tmp_path / "counted.db"
    url = f"sqlite+aiosqlite:///{path}"
    config = alembic_config(url)
    await upgraded_short_of(url, "0016")
    now = int(time.time())
    spam = make_message_update("加我微信 abc123", sender=user(804, "Spammer"), date=now)
    kept = [
        make_message_update("早", sender=user(801, "New"), date=now - 3600),
        make_message_update(None, sender=user(802, "Newer"), sticker={"file_id": "s"}, date=now),
        make_message_update("欢迎", sender=ANONYMOUS_ADMIN, sender_chat=chat(), date=now),
    ]
    ignored = [
        make_join_update(user(801, "New")),
        make_message_update("/me", sender=user(801, "New")),
        make_message_update("机器人", sender=user(4242, "Helper", is_bot=True)),
        make_update("message", message(None, new_chat_title="新群名")),
        make_callback_update("noop"),
        make_message_update("很久以前", date=now - 100 * 86400),  # past what is kept
        make_message_update("另一个群", chat_id=-100777, date=now),  # a group we do not know
    ]
    unprocessed = make_message_update("还没处理", date=now)
    updates = [(u, "done") for u in [*kept, spam, *ignored]] + [(unprocessed, "pending")]
    with closing(sqlite3.connect(path)) as db, db:
        add_group(db, str(GROUP_ID))
        for update, status in updates:
            obj = next(v for k, v in update.items() if k != "update_id")
            chat_key = (obj.get("chat") or obj["message"]["chat"])["id"]
            db.execute(
                "INSERT INTO inbox (platform, bot_id, update_id, chat_key, payload, status,"
                " attempts, received_at) VALUES ('telegram', '1', :id, :chat, :payload,"
                " :status, 0, '2026-11-24 10:00:00.000000')",
                {"id": update["update_id"], "chat": str(chat_key),
                 "payload": json.dumps(update), "status": status},
            )
        db.execute(
            "INSERT INTO moderation_decisions (group_id, user_id, user_name, message_id, text,"
            " score, verdicts, action, source, shadow, undone, at) VALUES (1, '804', 'Spammer',"
            " :message, '', 1.0, '[]', 'delete', 'filter', 0, 0, '2026-11-24 10:00:00.000000')",
            {"message": str(spam["message"]["message_id"])},
        )

    await asyncio.to_thread(upgrade, url)
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "SELECT group_id, user_id, message_id, removed FROM member_messages ORDER BY id"
        ).fetchall()
    expected = [
        (1, str(u["message"]["from"]["id"]), str(u["message"]["message_id"]), 0) for u in kept
    ]
    assert rows == [*expected, (1, "804", str(spam["message"]["message_id"]), 1)]
    await asyncio.to_thread(command.downgrade, config, "0016@-1")
    with closing(sqlite3.connect(path)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "member_messages" not in tables and "inbox" in tables


async def test_0018_keeps_the_messages_already_counted_in_their_senders_counts(tmp_path):
    # Rows written before 0018 were all added to message_count: marked worded, a removal as an
    # ad takes back what was counted rather than leaving the count one too high.
    path = tmp_path / "worded.db"
    url = f"sqlite+aiosqlite:///{path}"
    config = alembic_config(url)
    await upgraded_short_of(url, "0018")
    with closing(sqlite3.connect(path)) as db, db:
        add_group(db)
        db.execute(
            "INSERT INTO member_messages (id, group_id, user_id, message_id, at, removed)"
            " VALUES (1, 1, '222', '500', '2026-11-24 10:00:00.000000', 0)"
        )
    await asyncio.to_thread(upgrade, url)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT worded FROM member_messages").fetchall() == [(1,)]
    await asyncio.to_thread(command.downgrade, config, "0018@-1")
    with closing(sqlite3.connect(path)) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(member_messages)")}
    assert "worded" not in columns and "removed" in columns
