"""`/allowlist`: operators fill the allow-list screening admits by (`handlers.screening`).

`/allowlist add <ids or @usernames>` takes them from the command; `/allowlist import` from the
message it replies to: its text, or a .txt/.csv file it carries (or the command is the caption
of one). A file is read by the leader's worker (`handlers.allowlist_files`), which answers
with a FILE_READ event; its text is read exactly as pasted text (`allowlist_import`).
"""

from __future__ import annotations

from bot.core.actions import Action, SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind, FileRef, split_command
from bot.core.i18n import define
from bot.core.router import COMMAND_MAX_AGE, Router
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.allowlist_files import MAX_BYTES, AllowlistFile, refusal
from handlers.allowlist_import import read_listing
from handlers.entry_config import ScreeningConfig, load, save
from handlers.screening import split_verb

router = Router("allowlist")

define(
    {
        "allowlist.file_too_big": {
            "zh": "文件太大：名单文件最多 {limit} KB。请拆成几个文件分别导入。",
            "en": "That file is too big: a list may be {limit} KB at most. Split it and import "
            "each part.",
        },
        "allowlist.file_not_text": {
            "zh": "读不了这个文件：请发送 .txt 或 .csv 文本文件（UTF-8 或 GBK 编码），"
            "每行或每个单元格一个用户 ID 或 @用户名。",
            "en": "Cannot read that file: send a .txt or .csv text file (UTF-8 or GBK), with a "
            "user id or @username per line or cell.",
        },
        "allowlist.file_download_failed": {
            "zh": "下载文件失败，没有导入任何人。请稍后再发送一次 /allowlist import。",
            "en": "The file could not be downloaded, so nobody was imported. Please send "
            "/allowlist import again later.",
        },
    }
)


def _reply(event: Event, text: str) -> list[Action]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


@router.command(
    "allowlist",
    description={"zh": "导入入群白名单", "en": "Import the entry allow-list"},
    operator_only=True,
    group_only=True,
)
async def allowlist_command(event: Event, ctx: Context) -> list[Action]:
    """`/allowlist add <ids...>`, or `/allowlist import` in reply to a message listing ids or
    carrying a file of them."""
    verb, rest = split_verb(event.args)
    if verb == "add":
        return _reply(event, _imported(ctx, rest) or ctx.t("screening.allowlist_usage"))
    if verb != "import":
        return _reply(event, ctx.t("screening.allowlist_usage"))
    if event.reply_to_document is not None:
        return _queue(event, ctx, event.reply_to_document)
    return _reply(event, _imported(ctx, event.reply_to_text or "")
                  or ctx.t("screening.allowlist_usage"))


def _captioned_import(event: Event) -> bool:
    """A file sent with `/allowlist import` as its caption: the platform reads no command in
    a caption, so this route does."""
    if event.document is None:
        return False
    name, args = split_command(event.text, event.me.username if event.me else None)
    return name == "allowlist" and split_verb(args)[0] == "import"


@router.on(EventKind.MESSAGE, when=_captioned_import, operator_only=True, group_only=True,
           max_age=COMMAND_MAX_AGE)
async def import_captioned_file(event: Event, ctx: Context) -> list[Action]:
    assert event.document is not None  # see _captioned_import
    return _queue(event, ctx, event.document)


def _queue(event: Event, ctx: Context, file: FileRef) -> list[Action]:
    """Hand the file to the worker, or say at once why it cannot be a member list."""
    if error := refusal(file):
        return _reply(event, _error_text(ctx, error))
    assert ctx.group is not None and event.user is not None and event.message_id is not None
    ctx.session.add(
        AllowlistFile(group_id=ctx.group.id, user_id=event.user.id,
                      message_id=event.message_id, file_id=file.file_id, at=event.at)
    )
    return []


@router.on(EventKind.FILE_READ, group_only=True)
async def import_file(event: Event, ctx: Context) -> list[Action]:
    """The worker's answer: the file's text imported, or why there is none."""
    if event.file_error:
        return _reply(event, _error_text(ctx, event.file_error))
    return _reply(event, _imported(ctx, event.file_text or "")
                  or ctx.t("screening.allowlist_usage"))


def _error_text(ctx: Context, error: str) -> str:
    return ctx.t(f"allowlist.file_{error}", limit=MAX_BYTES // 1024)


def _imported(ctx: Context, text: str) -> str | None:
    """Add the ids and @usernames `text` lists; the reply saying what was added and what was
    skipped, or None when it lists nobody."""
    found = read_listing(text)
    if not found.ids and not found.usernames:
        return None
    config = load(ctx.group, ScreeningConfig)
    before = set(config.allowlist)
    new = [entry for entry in (*found.ids, *found.usernames) if entry not in before]
    config.allowlist = [*config.allowlist, *new]
    save(ctx.group, config)
    lines = [ctx.t("screening.allowlist_added", added=len(new), total=len(config.allowlist))]
    if found.usernames:
        lines.append(ctx.t("screening.allowlist_by_username", names=_few(ctx, found.usernames)))
    if found.skipped:
        lines.append(ctx.t("screening.allowlist_skipped", items=_few(ctx, found.skipped)))
    return "\n".join(lines)


SHOWN = 10  # skipped entries named in the reply; a long export's numbers are counted instead


def _few(ctx: Context, items: tuple[str, ...]) -> str:
    shown = ("、" if ctx.lang == "zh" else ", ").join(items[:SHOWN])
    return shown if len(items) <= SHOWN else ctx.t("screening.allowlist_more", shown=shown,
                                                    more=len(items) - SHOWN)
