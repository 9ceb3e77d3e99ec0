"""Chat texts of the scheduler service and its commands (zh + en), in the shared catalogue."""

from __future__ import annotations

from bot.core.i18n import define

define(
    {
        "schedule.usage": {
            "zh": "用法：\n"
            "/schedule add <时间> <内容>   例如 /schedule add 每天 11:00 今天的思维导图\n"
            "  可选：grace=10m（停机后多久内补发，none 为不限）、to=type:flash / to=tag:vip / "
            "to=groups:-100123,-100456（发到别的群）、内容写 series:<系列名> [loop] 发系列、"
            "内容写 活跃检查 7天 10条 则在 7 天消息少于 10 条时提醒管理员、"
            "投票：问题 | 选项1 | 选项2 发投票、日报 发群日报、签到提醒 [内容] 发签到提醒、"
            "破冰 发一轮破冰问答\n"
            "/schedule list\n"
            "/schedule pause|resume|remove|run-now <编号>",
            "en": "Usage:\n"
            "/schedule add <when> <text>   e.g. /schedule add every day 11:00 Today's mind map\n"
            "  options: grace=10m (how late a missed post may still go out; none = no limit), "
            "to=type:flash / to=tag:vip / to=groups:-100123,-100456 (other groups), "
            "text series:<name> [loop] posts a series, text inactivity 7d 10 tells the "
            "operators when the last 7 days had fewer than 10 messages, poll: question | "
            "option | option posts a poll, digest posts the day in figures, checkin reminder "
            "[text] reminds members to check in, icebreaker starts a question round\n"
            "/schedule list\n"
            "/schedule pause|resume|remove|run-now <id>",
        },
        "schedule.no_text": {
            "zh": "时间后面要写上要发的内容，例如 /schedule add 每天 11:00 今天的思维导图",
            "en": "Put the message after the time, e.g. /schedule add every day 11:00 Daily tip",
        },
        "schedule.added": {
            "zh": "已添加定时任务 #{id}：{when}\n{next}",
            "en": "Scheduled job #{id}: {when}\n{next}",
        },
        # Where a job made with to=... posts, under the reply to /schedule add and each
        # line of /schedule list, with the groups it reaches now.
        "schedule.to_tag": {
            "zh": "→ 标签 {tag}（现在 {count} 个群）",
            "en": "→ tag {tag} ({count} {count:group|groups} now)",
        },
        "schedule.to_kind": {
            "zh": "→ 类型 {kind}（现在 {count} 个群）",
            "en": "→ type {kind} ({count} {count:group|groups} now)",
        },
        "schedule.to_groups": {
            "zh": "→ 群 {names}（现在 {count} 个群）",
            "en": "→ groups {names} ({count} {count:group|groups} now)",
        },
        # A job made in a forum topic posts there; the topic's number is what the platform
        # gives the bot (it is told no topic names).
        "schedule.in_topic": {"zh": "→ 话题 {topic}", "en": "→ topic {topic}"},
        "schedule.topic_gone": {
            "zh": "话题 {topic} 已被删除或对机器人关闭：任务 {ids} 的内容已改发到 General 话题，"
            "之后也发在那里。定时任务可在后台改 thread_id 换到别的话题。",
            "en": "Topic {topic} is deleted or closed to the bot: jobs {ids} posted in the "
            "General topic instead and will post there from now on. A schedule can be moved "
            "to another topic by changing its thread_id in the dashboard.",
        },
        "schedule.topic_ignored": {
            "zh": "注意：发到其他群的任务发在各群的 General 话题：话题只属于这一个群，"
            "不会跟着任务带过去。",
            "en": "Note: a job posting to other groups posts in each group's General topic: "
            "a topic belongs to one group and does not go with the job.",
        },
        "schedule.reaches_none_tag": {
            "zh": "⚠️ 现在没有群带标签 {tag}：任务已保存，但不会发出，直到有群用 "
            "/settings tags {tag} 加上这个标签。",
            "en": "⚠️ No group has the tag {tag} now: the job is saved but posts nowhere until "
            "a group adds it with /settings tags {tag}.",
        },
        "schedule.reaches_none_kind": {
            "zh": "⚠️ 现在没有{name}（类型 {kind}）：任务已保存，但不会发出，直到有群用 "
            "/settings kind {kind} 设为这个类型。",
            "en": "⚠️ No group is of type {kind} now: the job is saved but posts nowhere until "
            "a group is set to it with /settings kind {kind}.",
        },
        "schedule.reaches_none_groups": {
            "zh": "⚠️ 机器人已不在这些群里：任务已保存，但不会发出，直到机器人回到其中一个群。",
            "en": "⚠️ The bot is in none of these groups now: the job is saved but posts nowhere "
            "until the bot is back in one of them.",
        },
        "schedule.reaches_none_own": {
            "zh": "⚠️ 机器人已不在这个群里：任务已保存，但不会发出，直到机器人回到群里。",
            "en": "⚠️ The bot is no longer in this group: the job is saved but posts nothing "
            "until the bot is back.",
        },
        # {next} in the replies and the list: a time, or for an onboarding job (入群3天后 …)
        # the rule it follows, since it posts to each member at their own time.
        "schedule.next_at": {"zh": "下次发送：{time}", "en": "Next run: {time}"},
        "schedule.next_after_join": {
            "zh": "每位新成员入群 {delay}后发送",
            "en": "Sent {delay} after each member joins",
        },
        "schedule.empty": {"zh": "本群还没有定时任务。", "en": "No scheduled jobs in this group."},
        "schedule.list_title": {"zh": "本群的定时任务：", "en": "Scheduled jobs in this group:"},
        "schedule.list_item": {
            "zh": "#{id} {state} {when} → {text}\n    {next}",
            "en": "#{id} {state} {when} → {text}\n    {next}",
        },
        "schedule.what_poll": {"zh": "投票：{question}", "en": "poll: {question}"},
        "schedule.what_series": {"zh": "系列「{name}」的下一篇", "en": 'next post of "{name}"'},
        "schedule.what_topics": {"zh": "今日话题", "en": "topic of the day"},
        "schedule.what_inactivity": {
            "zh": "活跃检查（{days} 天少于 {threshold} 条时提醒）",
            "en": "inactivity check (under {threshold} {threshold:message|messages} in {days} "
            "{days:day|days})",
        },
        "schedule.what_reminder": {"zh": "签到提醒", "en": "check-in reminder"},
        "schedule.what_reminder_text": {
            "zh": "签到提醒：{text}",
            "en": "check-in reminder: {text}",
        },
        "schedule.what_digest": {"zh": "群日报", "en": "digest"},
        "schedule.what_icebreaker": {"zh": "破冰问答", "en": "icebreaker round"},
        "schedule.state_on": {"zh": "▶", "en": "▶"},
        "schedule.state_paused": {"zh": "⏸ 已暂停", "en": "⏸ paused"},
        "schedule.never": {"zh": "无", "en": "none"},
        "schedule.not_found": {
            "zh": "本群没有编号为 {id} 的任务。用 /schedule list 查看编号。",
            "en": "No job #{id} in this group. See the ids with /schedule list.",
        },
        "schedule.id_usage": {
            "zh": "用法：/schedule {sub} <编号>，例如 /schedule {sub} 3。"
            "用 /schedule list 查看编号。",
            "en": "Usage: /schedule {sub} <id>, e.g. /schedule {sub} 3. See the ids with "
            "/schedule list.",
        },
        "schedule.is_countdown": {
            "zh": "#{id} 是倒计时 #{countdown} 的一部分，/schedule 不管理它。"
            "用 /countdown list 查看，/countdown cancel {countdown} 取消。",
            "en": "#{id} is part of countdown #{countdown}, which /schedule does not manage. "
            "See it with /countdown list, cancel it with /countdown cancel {countdown}.",
        },
        "schedule.paused": {"zh": "任务 #{id} 已暂停。", "en": "Job #{id} paused."},
        "schedule.resumed": {
            "zh": "任务 #{id} 已恢复。{next}",
            "en": "Job #{id} resumed. {next}",
        },
        "schedule.removed": {"zh": "任务 #{id} 已删除。", "en": "Job #{id} removed."},
        "schedule.ran": {"zh": "任务 #{id} 已立即执行。", "en": "Job #{id} ran now."},
        "schedule.checkin_reminder": {
            "zh": "⏰ 今天还没打卡的朋友，记得发送 /checkin（或「签到」）哦！",
            "en": "⏰ Haven't checked in today? Send /checkin to keep your streak!",
        },
        "schedule.digest": {
            "zh": "📊 群日报（过去 {hours} 小时）：成员发言 {messages} 条（不计命令、系统通知和"
            "机器人），新成员 {joined} 人，现有成员 {members} 人。",
            "en": "📊 Group digest (last {hours} {hours:hour|hours}): {messages} "
            "{messages:message|messages} from members (commands, notices and bots not counted), "
            "{joined} new {joined:member|members}, {members} {members:member|members} now.",
        },
        "schedule.digest_ads": {
            "zh": "另有 {ads} 条广告被删除，未计入发言。",
            "en": " {ads} {ads:ad was|ads were} removed; ads are not counted as messages.",
        },
        "schedule.inactive": {
            "zh": "致群管理员：本群最近 {days} 天成员发言只有 {count} 条（低于 {threshold} 条；"
            "不计命令、系统通知、机器人和广告）。可以发个话题、活动或福利来激活一下群。",
            "en": "To the operators: members posted only {count} {count:message|messages} here "
            "in the last {days} {days:day|days} (below {threshold}; commands, notices, bots and "
            "ads not counted). A topic, an event or a perk could wake it up.",
        },
        "countdown.usage": {
            "zh": "用法：/countdown <截止时间> <内容> [marks=3d,1d,3h,1h,10m] "
            "[end=announce|close|dissolve] [pin] [update]"
            "（pin/置顶：只有最新一条提醒置顶，结束时取消；"
            "update/单条：只发一条消息，每次提醒时更新它，结束时改为已结束并取消置顶）"
            "\n/countdown list\n/countdown cancel <编号>",
            "en": "Usage: /countdown <deadline> <text> [marks=3d,1d,3h,1h,10m] "
            "[end=announce|close|dissolve] [pin] [update] (pin: only the latest reminder stays "
            "pinned, until the end; update: one message, edited at each mark, and at the end to "
            "say it is over, then unpinned)\n/countdown list\n"
            "/countdown cancel <id>",
        },
        "countdown.created": {
            "zh": "倒计时 #{id} 已创建：截止 {deadline}，{count} 次提醒，结束动作：{end}。",
            "en": "Countdown #{id} set: ends {deadline}, {count} {count:reminder|reminders}, "
            "then: {end}.",
        },
        "countdown.marks_dropped": {
            "zh": "注意：提醒点 {marks} 早于现在（离截止只剩 {left}），对应的提醒不会发。",
            "en": "Note: the {marks} {count:mark falls|marks fall} before now (the deadline is "
            "{left} away), so {count:that reminder|those reminders} will not be posted.",
        },
        "countdown.whole_day": {
            "zh": "只写了日期，截止时间按 {date} 0:00（当天开始）算；要在别的时刻结束，"
            "请写上时间，例如 {date} 20:00。",
            "en": "Only a date was given, so the countdown ends at the start of {date} (00:00); "
            "to end at another time, add it, e.g. {date} 20:00.",
        },
        "countdown.empty": {"zh": "本群没有进行中的倒计时。", "en": "No countdowns running here."},
        # What happens at a countdown's end, as `end=` names it (see `bot.core.i18n.named`).
        "value.end.announce": {"zh": "发布结束通知", "en": "announce the end"},
        "value.end.close": {"zh": "全员禁言", "en": "close the group"},
        "value.end.dissolve": {
            "zh": "移出全部成员并解散",
            "en": "remove every member and dissolve",
        },
        "countdown.list_item": {
            "zh": "#{id} 截止 {deadline}（{end}）：{text}",
            "en": "#{id} ends {deadline} ({end}): {text}",
        },
        "countdown.cancel_usage": {
            "zh": "用法：/countdown cancel <编号>，例如 /countdown cancel 3。"
            "用 /countdown list 查看编号。",
            "en": "Usage: /countdown cancel <id>, e.g. /countdown cancel 3. See the ids with "
            "/countdown list.",
        },
        "countdown.not_found": {
            "zh": "本群没有编号为 {id} 的倒计时。",
            "en": "No countdown #{id} in this group.",
        },
        "series.finished": {
            "zh": "致群管理员：系列「{name}」的 {total} 篇已全部发完，任务 #{id} 已停止。"
            "想从头再来，可以用 /schedule add <时间> series:{name} loop。",
            "en": 'To the operators: every post of the series "{name}" is out '
            "({total} {total:post|posts}); job #{id} has stopped. To start over: "
            "/schedule add <when> series:{name} loop.",
        },
        "series.done_here": {
            "zh": "致群管理员：系列「{name}」的 {total} 篇已在本群全部发完，"
            "任务 #{id} 不再往本群发送。",
            "en": 'To the operators: every post of the series "{name}" is out in this group '
            "({total} {total:post|posts}); job #{id} posts nothing more here.",
        },
        "series.looping": {
            "zh": "致群管理员：系列「{name}」的 {total} 篇已全部发完，下次从第 1 篇重新开始。",
            "en": 'To the operators: every post of the series "{name}" is out '
            "({total} {total:post|posts}); it starts again from post 1 next time.",
        },
        "series.usage": {
            "zh": "用法：\n/series add <名称>   新建系列\n/series item <名称> <内容>   添加一篇"
            "（或回复一条消息发 /series item <名称>）\n/series list\n"
            "排期：/schedule add 每天 11:00 series:<名称> [loop]",
            "en": "Usage:\n/series add <name>   create a series\n/series item <name> <text>   "
            "add a post (or reply to a message with /series item <name>)\n/series list\n"
            "Schedule it: /schedule add every day 11:00 series:<name> [loop]",
        },
        "series.created": {
            "zh": "已新建系列「{name}」。用 /series item {name} <内容> 添加内容。",
            "en": 'Series "{name}" created. Add posts with /series item {name} <text>.',
        },
        "series.item_added": {
            "zh": "已添加到系列「{name}」，这是第 {number} 篇。",
            "en": 'Added to "{name}" as post {number}.',
        },
        "series.empty": {
            "zh": "还没有任何系列。用 /series add <名称> 新建。",
            "en": "No series yet. Create one with /series add <name>.",
        },
        "series.list_title": {"zh": "内容系列：", "en": "Content series:"},
        "series.list_item": {
            "zh": "「{name}」 {count} 篇",
            "en": '"{name}": {count} {count:post|posts}',
        },
        "schedule.series_added": {
            "zh": "已添加定时任务 #{id}：{when} 发系列「{name}」的下一篇（共 {count} 篇，{end}）\n"
            "{next}",
            "en": 'Scheduled job #{id}: {when}, the next post of "{name}" '
            "({count} {count:post|posts}, {end})\n{next}",
        },
        "schedule.series_end_stop": {"zh": "发完即停", "en": "stops at the end"},
        "schedule.series_end_loop": {"zh": "发完循环", "en": "loops at the end"},
        "countdown.cancelled": {"zh": "倒计时 #{id} 已取消。", "en": "Countdown #{id} cancelled."},
    }
)
