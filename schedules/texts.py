"""Chat texts of the scheduler service and its commands (zh + en), in the shared catalogue."""

from __future__ import annotations

from bot.core.i18n import define

define(
    {
        "schedule.usage": {
            "zh": "用法：\n"
            "/schedule add <时间> <内容>   例如 /schedule add 每天 11:00 今天的思维导图\n"
            "/schedule list\n"
            "/schedule pause|resume|remove|run-now <编号>",
            "en": "Usage:\n"
            "/schedule add <when> <text>   e.g. /schedule add every day 11:00 Today's mind map\n"
            "/schedule list\n"
            "/schedule pause|resume|remove|run-now <id>",
        },
        "schedule.no_text": {
            "zh": "时间后面要写上要发的内容，例如 /schedule add 每天 11:00 今天的思维导图",
            "en": "Put the message after the time, e.g. /schedule add every day 11:00 Daily tip",
        },
        "schedule.added": {
            "zh": "已添加定时任务 #{id}：{when}\n下次发送：{next}",
            "en": "Scheduled job #{id}: {when}\nNext run: {next}",
        },
        "schedule.empty": {"zh": "本群还没有定时任务。", "en": "No scheduled jobs in this group."},
        "schedule.list_title": {"zh": "本群的定时任务：", "en": "Scheduled jobs in this group:"},
        "schedule.list_item": {
            "zh": "#{id} {state} {when} → {text}\n    下次：{next}",
            "en": "#{id} {state} {when} → {text}\n    next: {next}",
        },
        "schedule.state_on": {"zh": "▶", "en": "▶"},
        "schedule.state_paused": {"zh": "⏸ 已暂停", "en": "⏸ paused"},
        "schedule.never": {"zh": "无", "en": "none"},
        "schedule.not_found": {
            "zh": "本群没有编号为 {id} 的任务。用 /schedule list 查看编号。",
            "en": "No job #{id} in this group. See the ids with /schedule list.",
        },
        "schedule.paused": {"zh": "任务 #{id} 已暂停。", "en": "Job #{id} paused."},
        "schedule.resumed": {
            "zh": "任务 #{id} 已恢复，下次发送：{next}",
            "en": "Job #{id} resumed; next run: {next}",
        },
        "schedule.removed": {"zh": "任务 #{id} 已删除。", "en": "Job #{id} removed."},
        "schedule.ran": {"zh": "任务 #{id} 已立即执行。", "en": "Job #{id} ran now."},
        "schedule.checkin_reminder": {
            "zh": "⏰ 今天还没打卡的朋友，记得发送 /checkin（或「签到」）哦！",
            "en": "⏰ Haven't checked in today? Send /checkin to keep your streak!",
        },
        "schedule.inactive": {
            "zh": "致群管理员：本群最近 {days} 天只有 {count} 条消息（低于 {threshold} 条）。"
            "可以发个话题、活动或福利来激活一下群。",
            "en": "To the operators: this group had only {count} messages in the last {days} days "
            "(below {threshold}). A topic, an event or a perk could wake it up.",
        },
        "countdown.usage": {
            "zh": "用法：/countdown <截止时间> <内容> [marks=3d,1d,3h,1h,10m] "
            "[end=announce|close|dissolve] [pin]\n/countdown list\n/countdown cancel <编号>",
            "en": "Usage: /countdown <deadline> <text> [marks=3d,1d,3h,1h,10m] "
            "[end=announce|close|dissolve] [pin]\n/countdown list\n/countdown cancel <id>",
        },
        "countdown.created": {
            "zh": "倒计时 #{id} 已创建：截止 {deadline}，{count} 次提醒，结束动作：{end}。",
            "en": "Countdown #{id} set: ends {deadline}, {count} reminders, then: {end}.",
        },
        "countdown.empty": {"zh": "本群没有进行中的倒计时。", "en": "No countdowns running here."},
        "countdown.list_item": {
            "zh": "#{id} 截止 {deadline}（{end}）：{text}",
            "en": "#{id} ends {deadline} ({end}): {text}",
        },
        "countdown.not_found": {
            "zh": "本群没有编号为 {id} 的倒计时。",
            "en": "No countdown #{id} in this group.",
        },
        "countdown.cancelled": {"zh": "倒计时 #{id} 已取消。", "en": "Countdown #{id} cancelled."},
    }
)
