"""Members' reports the bot does not act on, passed to the group's operators instead.

Reports ask the bot to remove an ad and stop its sender before an operator arrives (`/report`
is "举报广告", and what follows is told as "judged an ad"); what no detector sees, rudeness or
a fight, is the operators' own `/mute` and `/ban` (`handlers.discipline`). So where the group
has said ads may stand, reports do not remove one either:

- with the filter off (`/filter off`) the group does without automatic removal: reports
  neither delete nor mute, but still tell the operators, who decide;
- a message posted inside the group's ad window was allowed when posted: reports of it do not
  remove it (after the window closes neither), and the operators hear of them in case the
  message was reported for something other than being a promotion.

And a message older than `DELETABLE_FOR` cannot be removed at all (Telegram refuses): reports
of it would punish its sender while the evidence stays up for everyone to read, on a complaint
that may be about a conversation long over. The operators, who can delete it by hand, decide.

Each time the operators are told once, when the reports reach the group's threshold (where
they would have acted), and the reporters hear that the operators were told; the reporters of
an old message hear from the first report why the bot will not remove it.
"""

from __future__ import annotations

from bot.core.actions import Action, SendMessage
from bot.core.context import Context
from bot.core.events import Event
from bot.core.i18n import define
from bot.core.links import message_link
from handlers.moderation import DELETABLE_FOR, AdFilterSettings
from handlers.operator_notes import operator_note

OFF, WINDOW, TOO_OLD = "off", "window", "too_old"

define(
    {
        "moderation.report_referred": {
            "zh": "感谢举报（{count}/{threshold}），已转告管理员。",
            "en": "Thanks for the report ({count}/{threshold}); the operators have been told.",
        },
        "moderation.report_too_old": {
            "zh": "这条消息已发出超过 48 小时，Telegram 不再允许机器人删除它，所以举报不会删除"
            "消息或处理发送者。举报已记录（{count}/{threshold}），达到 {threshold} 人时会转告"
            "管理员。",
            "en": "That message is more than 48 hours old and Telegram no longer lets the bot "
            "delete it, so reports do not remove it or act on its sender. Your report is "
            "recorded ({count}/{threshold}); at {threshold} the operators are told.",
        },
        "moderation.report_too_old_referred": {
            "zh": "这条消息已发出超过 48 小时，Telegram 不再允许机器人删除它。"
            "举报已转告管理员，由管理员处理（{count}/{threshold}）。",
            "en": "That message is more than 48 hours old and Telegram no longer lets the bot "
            "delete it. The reports were passed to the operators, who will decide "
            "({count}/{threshold}).",
        },
        "moderation.referred.too_old": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息。它已发出超过 48 小时，Telegram "
            "不再允许机器人删除它，所以没有处理；请管理员查看，需要时手动删除，"
            "并可用 /mute、/ban 处理发送者。",
            "en": "📣 {count} {count:member|members} reported {name}'s message. It is more than "
            "48 hours old and Telegram no longer lets the bot delete it, so nothing was done: "
            "operators, please look, delete it by hand if it must go, and /mute or /ban its "
            "sender if needed.",
        },
        "moderation.referred.off": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息。本群的广告过滤已关闭（/filter off），"
            "所以没有删除消息，也没有禁言；请管理员查看，需要删除请回复该消息 /spam。",
            "en": "📣 {count} {count:member|members} reported {name}'s message. The group's ad "
            "filter is off (/filter off), so nothing was removed and nobody muted: operators, "
            "please look, and reply /spam to it if it must go.",
        },
        "moderation.referred.window": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息。它发在广告时段（{window}）内，"
            "本群那时允许推广，所以没有删除；如果举报的不是推广（例如骚扰、诈骗），"
            "请管理员处理（/spam、/mute、/ban）。",
            "en": "📣 {count} {count:member|members} reported {name}'s message. It was posted "
            "inside the ad window ({window}), when the group allows promotions, so it was not "
            "removed; if it was reported for something else (abuse, a scam), operators, "
            "please act (/spam, /mute, /ban).",
        },
    }
)


def held_back(event: Event, ctx: Context, conf: AdFilterSettings) -> str | None:
    """Why reports of the replied message must not act (TOO_OLD, OFF, WINDOW), or None."""
    if event.reply_to_at is not None and ctx.now - event.reply_to_at > DELETABLE_FOR:
        return TOO_OLD
    if not conf.enabled:
        return OFF
    posted = event.reply_to_at or event.at
    if conf.window is not None and conf.window.contains(posted.astimezone(ctx.tz)):
        return WINDOW
    return None


def refer(event: Event, ctx: Context, conf: AdFilterSettings, *, why: str, name: str,
          count: int, told: bool) -> list[Action]:
    """The reporter's answer, and with `told` the operators' note saying why nothing was done.

    In the group itself (no operators' chat) the note answers the reported message, for the
    operators to find it; elsewhere it links to it.
    """
    assert ctx.group is not None and event.reply_to_message_id is not None
    message_id = event.reply_to_message_id
    key = "moderation.report_referred"
    if why == TOO_OLD:
        reached = count >= conf.report_threshold
        key = "moderation.report_too_old_referred" if reached else "moderation.report_too_old"
    reply = SendMessage(
        chat_id=event.chat.id,
        text=ctx.t(key, count=count, threshold=conf.report_threshold),
        reply_to=event.message_id,
        delete_after_seconds=conf.warning_seconds,
    )
    if not told:
        return [reply]
    window = conf.window.describe(ctx.lang) if conf.window else ""
    text = ctx.t(f"moderation.referred.{why}", count=count, name=name, window=window)
    note = operator_note(ctx.group, ctx.lang, text)
    if note.chat_id == event.chat.id:
        note = note.model_copy(update={"reply_to": message_id})
    elif (link := message_link(event, message_id)) is not None:
        note = note.model_copy(update={"text": f"{note.text}\n{link}"})
    return [reply, note]
