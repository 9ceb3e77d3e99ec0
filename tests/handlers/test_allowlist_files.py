"""`/allowlist import` with a .txt or .csv file, through the webhook: the worker downloads it
from the (fake) Bot API, and it is read exactly as pasted text; files too big, not text, or that
cannot be downloaded are answered with why."""

from __future__ import annotations

from sqlalchemy import select

from handlers.allowlist_files import AllowlistFile
from tests.factories import OPERATOR_ID, make_message_update, user
from tests.fakes.telegram_api import Failure
from tests.handlers.entry_support import group_settings
from tests.harness import eventually

OP = user(OPERATOR_ID, "Op")
EXPORT = (
    "user_id,昵称,入群日期\n123456789,张三,2024-06-01\n@Alice_Z,李四,2024-06-02\n"
    "987654321,王五,\n"
)


def document(file_id: str, name: str, size: int | None = None, mime: str = "text/csv") -> dict:
    doc = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name,
           "mime_type": mime}
    if size is not None:
        doc["file_size"] = size
    return doc


def file_message(file_id: str, name: str = "members.csv", **kwargs) -> dict:
    """The operator's file, posted in the group."""
    update = make_message_update(None, sender=OP, document=document(file_id, name, **kwargs))
    return update["message"]


def import_reply(to: dict) -> dict:
    return make_message_update("/allowlist import", sender=OP, reply_to_message=to)


async def replies(bot, fake_telegram, count: int) -> list[str]:
    async def done():
        rows = await bot.run_sync(lambda s: list(s.scalars(select(AllowlistFile))))
        return all(r.status in ("done", "failed") for r in rows) and await bot.settled()

    sent = await fake_telegram.wait_for("sendMessage", count)
    await eventually(done)
    return [m["text"] for m in sent]


async def test_a_csv_export_replied_to_is_imported_as_pasted_text(bot, fake_telegram):
    # Operators of paid groups have their members as an export; only pasted text was read.
    fake_telegram.add_file("export", "\ufeff".encode() + EXPORT.encode())
    command = import_reply(file_message("export"))
    await bot.post_update(command)
    (reply,) = await replies(bot, fake_telegram, 1)
    assert reply.startswith("白名单新增 3 人，共 3 人。\n按用户名导入：@alice_z"), reply
    assert "未导入：2024-06-01、2024-06-02" in reply
    assert fake_telegram.called("getFile") == [{"file_id": "export"}]
    (sent,) = fake_telegram.called("sendMessage")
    assert sent["reply_parameters"]["message_id"] == command["message"]["message_id"]
    allowlist = (await group_settings(bot))["screening"]["allowlist"]
    assert allowlist == ["123456789", "987654321", "@alice_z"]


async def test_a_gbk_file_sent_with_the_command_as_its_caption(bot, fake_telegram):
    fake_telegram.add_file("gbk", "名单\r\n张三 123456789\r\n李四 @lisi_2024\r\n".encode("gb18030"))
    update = make_message_update(None, sender=OP, caption="/allowlist import",
                                 caption_entities=[{"offset": 0, "length": 10,
                                                    "type": "bot_command"}],
                                 document=document("gbk", "名单.txt", mime="text/plain"))
    await bot.post_update(update)
    (reply,) = await replies(bot, fake_telegram, 1)
    assert reply.startswith("白名单新增 2 人，共 2 人。\n按用户名导入：@lisi_2024"), reply
    assert (await group_settings(bot))["screening"]["allowlist"] == ["123456789", "@lisi_2024"]


async def test_files_that_are_no_member_list_are_answered_with_why(bot, fake_telegram):
    await bot.post_update(make_message_update("/settings language en", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    fake_telegram.add_file("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    fake_telegram.add_file("gone", EXPORT.encode())
    fake_telegram.fail_next("file:gone", Failure(404, "Not Found"))
    fake_telegram.add_file("huge", b"1" * (1024 * 1024 + 1))
    for message in (
        file_message("big", size=5 * 1024 * 1024),  # the platform says how big: not fetched
        file_message("xlsx", "members.xlsx", mime="application/vnd.ms-excel"),
        file_message("binary", "members.txt"),
        file_message("gone"),
        file_message("huge"),  # no size given: the download stops at the cap
    ):
        await bot.post_update(import_reply(message))
    sent = await replies(bot, fake_telegram, 6)
    too_big, not_text = sent[1], sent[2]
    assert too_big.startswith("That file is too big: a list may be 1024 KB at most.")
    assert not_text.startswith("Cannot read that file: send a .txt or .csv text file")
    rest = sorted(sent[3:])
    assert rest == sorted([not_text, too_big, "The file could not be downloaded, so nobody was "
                           "imported. Please send /allowlist import again later."])
    assert {call["file_id"] for call in fake_telegram.called("getFile")} == {
        "binary", "gone", "huge"
    }
    assert "allowlist" not in (await group_settings(bot)).get("screening", {})
