"""Chinese and English texts of the ad filter and moderation commands."""

from __future__ import annotations

from bot.core.i18n import define

define(
    {
        "adfilter.warn.delete": {
            "zh": "⚠️ {name} 的消息疑似广告，已删除（#{id}）。再次发布将被禁言。",
            "en": "⚠️ {name}'s message looked like an ad and was removed (#{id}). "
            "Next time means a mute.",
        },
        "adfilter.warn.mute": {
            "zh": "🔇 {name} 再次发布广告，已删除并禁言 {length}（#{id}）。",
            "en": "🔇 {name} posted an ad again: removed and muted for {length} (#{id}).",
        },
        "adfilter.warn.ban": {
            "zh": "⛔ {name} 多次发布广告，已移出本群（#{id}）。",
            "en": "⛔ {name} kept posting ads and was removed from the group (#{id}).",
        },
        "adfilter.warn.copy": {
            "zh": "⚠️ {name} 把同一条消息发到了多个群，本群的这一条已删除（#{id}）。",
            "en": "⚠️ {name} pasted the same message into several groups; the copy here was "
            "removed (#{id}).",
        },
        "adfilter.warn.chat.delete": {
            "zh": "⚠️ 以频道 {name} 身份发布的消息疑似广告，已删除（#{id}）。"
            "再次发布将禁止该频道在本群发言。",
            "en": "⚠️ A message posted as the channel {name} looked like an ad and was removed "
            "(#{id}). Next time the channel is banned from the group.",
        },
        "adfilter.warn.chat.ban_chat": {
            "zh": "⛔ 频道 {name} 发布广告，已删除并禁止该频道在本群发言（#{id}）。",
            "en": "⛔ The channel {name} posted an ad: removed, and the channel may no longer "
            "post in the group (#{id}).",
        },
        "adfilter.notice.mute": {
            "zh": "你在「{group}」的消息被判定为广告，已被禁言 {length}。"
            "如果这是误判，请点击下方按钮申诉。",
            "en": "Your message in “{group}” was judged an ad and you were muted for {length}. "
            "If this is a mistake, tap the button below to appeal.",
        },
        "adfilter.notice.ban": {
            "zh": "你在「{group}」的消息被判定为广告，已被移出群聊。"
            "如果这是误判，请点击下方按钮申诉。",
            "en": "Your message in “{group}” was judged an ad and you were removed from the "
            "group. If this is a mistake, tap the button below to appeal.",
        },
        # What /start in the bot's private chat lists: decisions a member may not have heard
        # of, the bot being unable to write to them first.
        "moderation.open.mute": {
            "zh": "你在「{group}」的消息被判定为广告，你被禁言了（#{id}）。"
            "如果这是误判，请点击下方按钮申诉。",
            "en": "Your message in “{group}” was judged an ad and you were muted (#{id}). "
            "If this is a mistake, tap the button below to appeal.",
        },
        "moderation.open.ban": {
            "zh": "你在「{group}」的消息被判定为广告，你被移出了群聊（#{id}）。"
            "如果这是误判，请点击下方按钮申诉。",
            "en": "Your message in “{group}” was judged an ad and you were removed from the "
            "group (#{id}). If this is a mistake, tap the button below to appeal.",
        },
        "adfilter.button.notspam": {"zh": "不是广告", "en": "Not spam"},
        "adfilter.button.why": {"zh": "原因", "en": "Why"},
        "adfilter.button.appeal": {"zh": "申诉", "en": "Appeal"},
        "adfilter.button.restore": {"zh": "恢复", "en": "Restore"},
        "adfilter.button.reject": {"zh": "驳回", "en": "Reject"},
        "moderation.usage.reply": {
            "zh": "请回复一条消息使用 /{command}。",
            "en": "Reply to a message with /{command}.",
        },
        "moderation.usage.id": {
            "zh": "用法：/{command} <编号>，或回复机器人的提醒消息。",
            "en": "Usage: /{command} <id>, or reply to the bot's warning.",
        },
        # A reply to a message no decision is about: operators took the usage text for an
        # error of theirs and kept retrying.
        "moderation.no_decision_why": {
            "zh": "机器人没有处理过这条消息：它没有被判定为广告，没有可解释的处理记录。",
            "en": "The bot made no decision on that message: it was not judged an ad, so there "
            "is nothing to explain.",
        },
        "moderation.no_decision_undo": {
            "zh": "机器人没有处理过这条消息：它没有被判定为广告，没有可撤销的处理。",
            "en": "The bot made no decision on that message: it was not judged an ad, so there "
            "is nothing to undo.",
        },
        "moderation.no_decision_learned": {
            "zh": "机器人没有处理过这条消息，没有可撤销的处理；已记下它不是广告，过滤器已学习。",
            "en": "The bot made no decision on that message, so there is nothing to undo; the "
            "filter learned it is not spam.",
        },
        "moderation.no_decision_known": {
            "zh": "机器人没有处理过这条消息；过滤器已经学过它不是广告，不再重复学习。",
            "en": "The bot made no decision on that message; the filter already learned it is "
            "not spam, and does not learn it twice.",
        },
        "moderation.no_decision_window_ad": {
            "zh": "这条消息是在广告时段内发的推广，时段允许它留下，但它仍是广告：过滤器没有把它学成"
            "“不是广告”。",
            "en": "That message is a promotion posted inside the group's ad window, which let it "
            "stand; it is still an ad, so the filter did not learn it as not spam.",
        },
        "moderation.unknown": {
            "zh": "找不到处理记录 #{id}。",
            "en": "No moderation decision #{id} in this group.",
        },
        "moderation.undone": {
            "zh": "已撤销 #{id}：{name} 已恢复，过滤器已学习这条消息不是广告。",
            "en": "Undid #{id}: {name} is restored and the filter learned this was not spam.",
        },
        "moderation.undone_ban": {
            "zh": "已撤销 #{id}：已解除对 {name} 的封禁，并私信发给其重新入群的链接"
            "（从未私聊过机器人的成员收不到私信，请手动邀请），过滤器已学习这条消息不是广告。",
            "en": "Undid #{id}: {name} is unbanned and was sent a link back into the group "
            "privately (a member who never started the bot cannot receive it: invite them by "
            "hand), and the filter learned this was not spam.",
        },
        "moderation.undone_still_muted": {
            "zh": "已撤销 #{id}，过滤器已学习这条消息不是广告。但 {name} 仍被禁言至 {until}："
            "那是之后的另一次禁言，不因撤销而解除；要解除请用 /unmute。",
            "en": "Undid #{id}, and the filter learned this was not spam. {name} is still muted "
            "until {until} by a later mute, which the undo does not lift; /unmute lifts it.",
        },
        "moderation.undone_still_banned": {
            "zh": "已撤销 #{id}，过滤器已学习这条消息不是广告。但 {name} 仍被封禁：那是之后的"
            "另一次封禁，不因撤销而解除；要解除请用 /unban。",
            "en": "Undid #{id}, and the filter learned this was not spam. {name} is still banned "
            "by a later ban, which the undo does not lift; /unban lifts it.",
        },
        "moderation.undone_shadow": {
            "zh": "已撤销 #{id}：已标记为不是广告，过滤器已学习。影子模式下本来就没有对 {name} "
            "做任何处理。",
            "en": "Undid #{id}: marked as not spam, and the filter learned from it. In shadow "
            "mode nothing had been done to {name}.",
        },
        "moderation.already_undone": {
            "zh": "#{id} 已经撤销过了。",
            "en": "#{id} was already undone.",
        },
        "moderation.why": {
            "zh": "#{id} {name}：{action}（{source}{shadow}）\n消息：{text}\n{explain}",
            "en": "#{id} {name}: {action} ({source}{shadow})\nMessage: {text}\n{explain}",
        },
        "moderation.why_popup": {
            "zh": "#{id} {name}：{action}（{source}{shadow}）\n{explain}",
            "en": "#{id} {name}: {action} ({source}{shadow})\n{explain}",
        },
        "moderation.why_more": {"zh": "全文：/why {id}", "en": "More: /why {id}"},
        "moderation.undone_mark": {"zh": "（已撤销）", "en": " (undone)"},
        "moderation.would.delete": {"zh": "本应删除", "en": "would have deleted it"},
        "moderation.would.mute": {
            "zh": "本应删除并禁言 {length}",
            "en": "would have deleted it and muted for {length}",
        },
        "moderation.would.ban": {
            "zh": "本应删除并移出本群",
            "en": "would have deleted it and banned the member",
        },
        "moderation.would.ban_chat": {
            "zh": "本应删除并封禁该频道",
            "en": "would have deleted it and banned the channel",
        },
        "moderation.shadow_mark": {"zh": "，影子模式，未执行", "en": ", shadow mode: not done"},
        "moderation.spam_learned": {
            "zh": "已标记为广告（#{id}），过滤器已学习。",
            "en": "Marked as spam (#{id}); the filter learned from it.",
        },
        "moderation.report_ack": {
            "zh": "感谢举报（{count}/{threshold}）。",
            "en": "Thanks for the report ({count}/{threshold}).",
        },
        "moderation.report_noted": {
            "zh": "感谢举报，已记录，管理员会查看。",
            "en": "Thanks, your report was noted for the operators.",
        },
        "moderation.report_acted": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息：已删除并禁言 {length}（#{id}）。"
            "管理员请复核：/why {id}，误判请 /undo {id}。",
            "en": "📣 {count} {count:member|members} reported {name}'s message: removed and muted "
            "for {length} (#{id}). Operators, please review: /why {id}; if wrong, /undo {id}.",
        },
        "moderation.report_acted_delete": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息：已删除（#{id}）。"
            "管理员请复核：/why {id}，误判请 /undo {id}。",
            "en": "📣 {count} {count:member|members} reported {name}'s message: removed "
            "(#{id}). Operators, please review: /why {id}; if wrong, /undo {id}.",
        },
        "moderation.report_acted_ban": {
            "zh": "📣 {count} 位成员举报了 {name} 的消息：已删除，并将其移出本群"
            "（屡次违规，#{id}）。管理员请复核：/why {id}，误判请 /undo {id}。",
            "en": "📣 {count} {count:member|members} reported {name}'s message: removed, and "
            "{name} was removed from the group (repeated offences, #{id}). Operators, please "
            "review: /why {id}; if wrong, /undo {id}.",
        },
        "moderation.report_acted_chat": {
            "zh": "📣 {count} 位成员举报了频道 {name} 的消息：已删除，并禁止该频道在本群发言"
            "（#{id}）。管理员请复核：/why {id}，误判请 /undo {id}。",
            "en": "📣 {count} {count:member|members} reported a message of the channel {name}: "
            "removed, and "
            "the channel may no longer post in the group (#{id}). Operators, please review: "
            "/why {id}; if wrong, /undo {id}.",
        },
        "moderation.report_own": {
            "zh": "这是你自己的消息，不能举报；不想保留的话，直接删除它就好。",
            "en": "That is your own message, so it cannot be reported; if you would rather "
            "not keep it, just delete it.",
        },
        "moderation.report_self": {
            "zh": "不能举报管理员、白名单成员或机器人的消息。",
            "en": "Messages of operators, allow-listed members and bots cannot be reported.",
        },
        "moderation.spam_exempt": {
            "zh": "管理员和白名单成员的消息不会被标记为广告。",
            "en": "Messages of operators and allow-listed members cannot be marked as spam.",
        },
        "moderation.linked_channel": {
            "zh": "这是本群关联频道自动转发的帖子，不能举报、标记或封禁（请在频道里处理）。",
            "en": "This is a post the group's linked channel forwarded here: it cannot be "
            "reported, marked or banned (manage it in the channel).",
        },
        "moderation.spam_bot": {
            "zh": "机器人的消息不能标记为广告（要移除机器人请直接操作）。",
            "en": "A bot's messages cannot be marked as spam (remove the bot itself if needed).",
        },
        # Posted where operator notes go, the group itself when it has no operators' chat: the
        # removed message is not repeated there (it is often an ad, and the bot would publish
        # it for the spammer); /why shows it to operators.
        "moderation.appeal_posted": {
            "zh": "🙋 {name} 对 #{id} 提出申诉。\n管理员请查看 /why {id} 后处理：",
            "en": "🙋 {name} appealed against #{id}.\nOperators, see /why {id} and decide:",
        },
        "moderation.appeal_sent": {
            "zh": "申诉已提交，管理员会尽快处理。",
            "en": "Your appeal was sent to the group's operators.",
        },
        "moderation.appeal_duplicate": {
            "zh": "这条申诉已经提交过了。",
            "en": "This appeal was already sent.",
        },
        "moderation.appeal_restored": {
            "zh": "你的申诉已通过，已在「{group}」恢复。",
            "en": "Your appeal was accepted: you are restored in “{group}”.",
        },
        "moderation.appeal_rejoin": {
            "zh": "你的申诉已通过，「{group}」已解除对你的封禁。你之前被移出了群，"
            "点下面的按钮即可重新加入（链接只能用一次，{days} 天内有效）。",
            "en": "Your appeal was accepted: your ban in “{group}” is lifted. You were removed "
            "from it: press the button below to join again (the link works once, for {days} "
            "days).",
        },
        "moderation.undo_rejoin": {
            "zh": "「{group}」的管理员撤销了对你的处理，已解除对你的封禁。你之前被移出了群，"
            "点下面的按钮即可重新加入（链接只能用一次，{days} 天内有效）。",
            "en": "The operators of “{group}” took back their decision: your ban is lifted. You "
            "were removed from the group: press the button below to join again (the link works "
            "once, for {days} days).",
        },
        "moderation.undo_rejoin_by_hand": {
            "zh": "「{group}」的管理员撤销了对你的处理，已解除对你的封禁。你之前被移出了群，"
            "请联系群管理员重新邀请你加入。",
            "en": "The operators of “{group}” took back their decision: your ban is lifted. You "
            "were removed from the group, so ask its admins to invite you back.",
        },
        "moderation.rejoin_button": {"zh": "重新加入群", "en": "Join the group again"},
        "moderation.appeal_rejoin_by_hand": {
            "zh": "你的申诉已通过，「{group}」已解除对你的封禁。你之前被移出了群，"
            "请联系群管理员重新邀请你加入。",
            "en": "Your appeal was accepted: your ban in “{group}” is lifted. You were removed "
            "from it, so ask the group's admins to invite you back.",
        },
        "moderation.rejoin_no_link": {
            "zh": "#{id}：{name} 已解除封禁，但我无法为其创建邀请链接"
            "（需要“通过链接邀请用户”权限），请手动邀请其重新入群。",
            "en": "#{id}: {name} is unbanned, but I could not make an invite link for them "
            "(I need the right 'Invite users via link'): please invite them back by hand.",
        },
        "moderation.appeal_rejected": {
            "zh": "你的申诉未通过。",
            "en": "Your appeal was not accepted.",
        },
        "moderation.appeal_rejected_group": {
            "zh": "#{id} 的申诉已驳回。",
            "en": "The appeal against #{id} was rejected.",
        },
        "moderation.appeal_rejected_before": {
            "zh": "#{id} 的申诉已被管理员驳回，无需再处理；"
            "如仍要恢复该成员，请在群内发送 /undo {id}。",
            "en": "An operator already rejected the appeal against #{id}; to restore the member "
            "after all, send /undo {id} in the group.",
        },
        "moderation.not_yours": {
            "zh": "这不是你的记录。",
            "en": "This is not yours.",
        },
        "moderation.operators_only": {
            "zh": "只有管理员可以这样做。",
            "en": "Only operators can do that.",
        },
        "moderation.done": {"zh": "好的。", "en": "Done."},
    }
)
