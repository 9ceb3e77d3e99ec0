"""User-facing texts of the schedule and countdown features, in Chinese and English.

Kept together so translators touch one file and code never embeds Chinese sentences.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]


def lang_of(lang: str) -> Lang:
    """Map a group language tag (`zh`, `zh-CN`, `en-US`...) onto the two catalogues we ship."""
    return "zh" if lang.lower().startswith("zh") else "en"


SCHEDULE_FORMS = {
    "zh": (
        "可以这样写（时间后面接要发的内容）：\n"
        "  每天 11:00 今天的思维导图\n"
        "  每周一,三 20:00 …   或  每周一三五 20:00 …\n"
        "  工作日 9:30 …\n"
        "  每月1号 10:00 …\n"
        "  每2小时 …\n"
        "  明天 9:00 …   或  2026-12-01 20:00 …\n"
        "  30分钟后 …   或  2小时后 …\n"
        "  入群3天后 …\n"
        "  cron 0 11 * * * …（分 时 日 月 周）"
    ),
    "en": (
        "Write it like this (the message follows the time):\n"
        "  every day 11:00 Today's mind map\n"
        "  every mon,wed 20:00 ...\n"
        "  weekdays 9:30 ...\n"
        "  monthly on the 1st 10:00 ...\n"
        "  every 2h ...\n"
        "  tomorrow 9:00 ...   or  at 2026-12-01 20:00 ...\n"
        "  in 30m ...   or  in 2h ...\n"
        "  3 days after join ...\n"
        "  cron 0 11 * * * ... (minute hour day month weekday)"
    ),
}

ERRORS = {
    "bad_syntax": {
        "zh": "看不懂这个时间：「{text}」。\n" + SCHEDULE_FORMS["zh"],
        "en": 'I can\'t read this time: "{text}".\n' + SCHEDULE_FORMS["en"],
    },
    "bad_time": {
        "zh": "时间「{text}」不存在：小时要在 0–23 之间，分钟在 0–59 之间，例如 9:30 或 21点。",
        "en": '"{text}" is not a time of day: hours run 0-23 and minutes 0-59, e.g. 9:30 or 9pm.',
    },
    "bad_date": {
        "zh": "日期「{text}」不存在，请检查年月日，例如 2026-12-01 20:00。",
        "en": 'The date "{text}" does not exist; check it, e.g. 2026-12-01 20:00.',
    },
    "bad_day_of_month": {
        "zh": "每月的日期要在 1–31 之间，例如 每月1号 10:00。",
        "en": "Days of the month run 1-31, e.g. monthly on the 1st 10:00.",
    },
    "midnight_after_31st": {
        "zh": "每月31号晚上12点是下个月1号 0:00，但不是每个月都有31号；请写 每月1号 0:00。",
        "en": "Midnight after the 31st is the next month's 1st at 0:00, but not every month "
        "has a 31st; say monthly on the 1st 0:00.",
    },
    "bad_cron": {
        "zh": "cron 表达式不对：「{text}」。需要 5 段：分 时 日 月 周，"
        "例如 cron 0 11 * * *（每天 11:00）、cron 30 9 * * 1-5（工作日 9:30）。",
        "en": 'Bad cron expression: "{text}". It needs 5 fields: minute hour day month weekday, '
        "e.g. cron 0 11 * * * (every day 11:00), cron 30 9 * * 1-5 (weekdays 9:30).",
    },
    "never_fires": {
        "zh": "「{text}」这个时间永远不会到来（例如没有 2 月 31 日），请换一个日期。",
        "en": '"{text}" never comes (there is no February 31st, for one); pick another date.',
    },
    "bad_interval": {
        "zh": "间隔至少 1 分钟，例如 每30分钟、每2小时。",
        "en": "The interval must be at least 1 minute, e.g. every 30m, every 2h.",
    },
    "in_past": {
        "zh": "这个时间已经过去了：{when}（{tz}）。请给一个将来的时间，例如 明天 9:00 或 2小时后。",
        "en": "That time has already passed: {when} ({tz}). Give a future time, "
        "e.g. tomorrow 9:00 or in 2h.",
    },
    "deadline_past": {
        "zh": "截止时间已经过去了：{when}（{tz}）。倒计时需要一个将来的截止时间，例如 "
        "/countdown 2026-12-01 20:00 活动结束。",
        "en": "The deadline has already passed: {when} ({tz}). A countdown needs a future "
        "deadline, e.g. /countdown 2026-12-01 20:00 Sale ends.",
    },
    "bad_deadline": {
        "zh": "看不懂截止时间：「{text}」。可以这样写：\n"
        "  /countdown 2026-12-01 20:00 活动结束\n"
        "  /countdown 12-01 20:00 活动结束   或  12月1日 20:00\n"
        "  /countdown 明天 20:00 活动结束   或  周五 20:00、下周一 20:00\n"
        "  /countdown 晚8点 活动结束   或  下午3点半\n"
        "  /countdown 3小时后 活动结束 marks=1h,10m end=close",
        "en": 'I can\'t read the deadline: "{text}". Write it like this:\n'
        "  /countdown 2026-12-01 20:00 Sale ends\n"
        "  /countdown 12-01 20:00 Sale ends   or  Dec 1 8pm\n"
        "  /countdown tomorrow 20:00 Sale ends   or  friday 20:00\n"
        "  /countdown 8pm Sale ends   or  20:00 (today, or tomorrow once it has passed)\n"
        "  /countdown in 3h Sale ends marks=1h,10m end=close",
    },
    "no_countdown_text": {
        "zh": "截止时间后面要写上倒计时的内容，例如 /countdown 明天 20:00 活动结束。",
        "en": "Put what the countdown is for after the deadline, e.g. "
        "/countdown tomorrow 20:00 Sale ends.",
    },
    "no_marks_left": {
        "zh": "截止时间只剩 {left_zh}，每个提醒点（{marks_zh}）都早于现在，这个倒计时一条提醒"
        "也不会发，所以没有创建。请用更短的提醒点，例如 marks={example}，或把截止时间往后放。",
        "en": "The deadline is only {left_en} away, closer than every mark ({marks_en}): the "
        "countdown would post no reminder at all, so it was not set. Use a shorter mark, e.g. "
        "marks={example}, or a later deadline.",
    },
    "bad_marks": {
        "zh": "提醒点写法不对：「{text}」。用逗号分隔时长，例如 marks=3d,1d,3h,1h,10m 或 "
        "marks=3天,1天,3小时,1小时,10分钟。",
        "en": 'Bad countdown marks: "{text}". Separate durations with commas, e.g. '
        "marks=3d,1d,3h,1h,10m.",
    },
    "bad_series_name": {
        "zh": "系列名称「{name}」不行：要一个不含空格的词，最多 128 个字，"
        "例如 /series add 21天训练营。",
        "en": 'The series name "{name}" will not do: one word without spaces, at most 128 '
        "characters, e.g. /series add bootcamp21.",
    },
    "series_reserved": {
        "zh": "「{name}」这个名字留给机器人自带的系列（如每日话题），请换一个名字。",
        "en": 'The name "{name}" is kept for the series the bot ships (such as the topic of the '
        "day); please pick another.",
    },
    "series_not_yours": {
        "zh": "系列「{name}」属于别的群，只有那个群的管理员或机器人的总管理员可以修改或排期。"
        "用 /series add <新名称> 建一个本群的系列。",
        "en": 'The series "{name}" belongs to another group: only its admins or the bot\'s '
        "global operators may change or schedule it. Create this group's own with "
        "/series add <new name>.",
    },
    "no_series": {
        "zh": "没有叫「{name}」的系列。用 /series list 查看，或 /series add {name} 新建。",
        "en": 'There is no series called "{name}". See /series list, or create it with '
        "/series add {name}.",
    },
    "series_exists": {
        "zh": "已经有叫「{name}」的系列了，换个名字，或用 /series item {name} <内容> 往里加。",
        "en": 'A series called "{name}" already exists; pick another name or add to it with '
        "/series item {name} <text>.",
    },
    "empty_series_item": {
        "zh": "要添加的内容是空的。写成 /series item {name} <内容>，"
        "或回复一条消息发 /series item {name}。",
        "en": "The post is empty. Write /series item {name} <text>, or reply to a message with "
        "/series item {name}.",
    },
    "icebreaker_here_only": {
        "zh": "破冰问答只能排在本群（它要统计本群的回复），去掉 to=… 再试。",
        "en": "An icebreaker round can only be planned for this group (it counts this group's "
        "replies); drop the to=… option.",
    },
    "bad_poll": {
        "zh": "投票写法：poll: 问题 | 选项1 | 选项2（2 到 10 个选项，问题最多 300 字），"
        "例如 /schedule add 每周五 20:00 投票：下周聊什么？| 运营 | 增长 | 工具",
        "en": "Poll form: poll: question | option 1 | option 2 (2 to 10 options, a question of "
        "at most 300 characters), e.g. /schedule add every fri 20:00 poll: Next topic? | "
        "ops | growth | tools",
    },
    "after_join_posts_only": {
        "zh": "「入群后…」只能用于普通消息（给每位新成员各发一次）；日报、投票、破冰、系列、"
        "提醒和检查请排在固定时间，例如 每天 21:00。",
        "en": '"... after join" is for plain posts only (one to each newcomer); plan digests, '
        "polls, icebreakers, series, reminders and checks at fixed times, e.g. every day 21:00.",
    },
    "bad_inactivity": {
        "zh": "活跃检查要写至少 1 天、至少 1 条，例如 /schedule add 每周一 10:00 活跃检查 7天 10条"
        "（7 天里成员发言少于 10 条时提醒）。",
        "en": "An inactivity check needs at least 1 day and 1 message, e.g. /schedule add every "
        "mon 10:00 inactivity 7d 10 (a word when members posted under 10 messages in 7 days).",
    },
    "text_too_long": {
        "zh": "内容太长，发不出去：一条消息最多 {limit} 个字（表情符号可能算两个），这条有 "
        "{length} 个。任务未添加。",
        "en": "That text is too long to post: one message takes {limit} characters at most (an "
        "emoji may count as two), and it has {length}. No job was added.",
    },
    "empty_series": {
        "zh": "系列「{name}」还没有内容，先用 /series item {name} <内容> 添加。",
        "en": 'The series "{name}" has no posts yet; add some with /series item {name} <text>.',
    },
    "bad_grace": {
        "zh": "宽限时间写法不对：「{text}」。写成 grace=10m、grace=2h 或 grace=none（不限）。"
        "服务停机时错过的发送，在宽限时间内会补发，超过就跳过。",
        "en": 'Bad grace: "{text}". Write grace=10m, grace=2h or grace=none (no limit). A post '
        "missed while the service was down is still sent within its grace, skipped after it.",
    },
    "bad_target": {
        "zh": "发送对象写法不对：「{text}」。可以写：\n  to=type:flash（某类型的所有群，类型有 "
        "general/flash/newcomer/super/delivery/fan）\n  to=tag:vip（带某标签的所有群）\n"
        "  to=groups:-1001234,-1005678（指定的群）",
        "en": 'Bad target: "{text}". Write one of:\n  to=type:flash (every group of a type: '
        "general/flash/newcomer/super/delivery/fan)\n  to=tag:vip (every group with a tag)\n"
        "  to=groups:-1001234,-1005678 (these groups)",
    },
    "unknown_groups": {
        "zh": "这些群我不认识：{ids}。要先把机器人拉进群里。",
        "en": "I don't know these groups: {ids}. Add the bot to them first.",
    },
    "target_not_allowed": {
        "zh": "只有机器人的总管理员（QUNBOT_OPERATORS）可以把任务发到别的群。",
        "en": "Only the bot's global operators (QUNBOT_OPERATORS) may post to other groups.",
    },
    "bad_end": {
        "zh": "结束动作只能是 announce（宣布结束）、close（关闭发言）或 dissolve（解散群），"
        "例如 end=close。",
        "en": "The end action must be announce, close or dissolve, e.g. end=close.",
    },
}

# Units for "N days/hours/minutes" (`{n:one|many}`: see bot.core.i18n.format_text).
UNITS = {
    "zh": {"day": "{n} 天", "hour": "{n} 小时", "minute": "{n} 分钟"},
    "en": {
        "day": "{n} {n:day|days}",
        "hour": "{n} {n:hour|hours}",
        "minute": "{n} {n:minute|minutes}",
    },
}

COUNTDOWN = {
    "zh": {
        "left": "距离结束还有 {left}",
        "titled_left": "{text}：距离结束还有 {left}",
        "ended": "已结束",
        "titled_ended": "{text}：已结束",
    },
    "en": {
        "left": "{left} left",
        "titled_left": "{text}: {left} left",
        "ended": "It's over",
        "titled_ended": "{text}: it's over",
    },
}

WEEKDAY_NAMES = {
    "zh": ("一", "二", "三", "四", "五", "六", "日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

DESCRIBE = {
    "zh": {
        "daily": "每天 {time}",
        "weekdays": "工作日 {time}",
        "weekends": "周末 {time}",
        "weekly": "每周{days} {time}",
        "monthly": "每月{days}号 {time}",
        "cron": "cron {expr}",
        "once": "{when}",
        "every": "每 {interval}",
        "after_joined": "入群 {delay}后",
        "tz": "{text}（{tz}）",
        "day_sep": ",",
    },
    "en": {
        "daily": "every day {time}",
        "weekdays": "weekdays {time}",
        "weekends": "weekends {time}",
        "weekly": "every {days} {time}",
        "monthly": "monthly on the {days} {time}",
        "cron": "cron {expr}",
        "once": "at {when}",
        "every": "every {interval}",
        "after_joined": "{delay} after join",
        "tz": "{text} ({tz})",
        "day_sep": ",",
    },
}
