"""Texts of check-ins, homework, points and red packets, in Chinese and English."""

from __future__ import annotations

from bot.core.i18n import define

define(
    {
        "checkin.done": {
            "zh": "签到成功！+{gained} 积分\n连续签到 {streak} 天，总积分 {total}",
            "en": "Checked in! +{gained} {gained:point|points}\nDays in a row: {streak}, total: "
            "{total} {total:point|points}",
        },
        "checkin.already": {
            "zh": "今天已经签到过啦，明天再来～\n连续签到 {streak} 天，总积分 {total}",
            "en": "You have already checked in today, see you tomorrow!\n"
            "Days in a row: {streak}, total: {total} {total:point|points}",
        },
        "points.not_a_person": {
            "zh": "签到、积分和红包属于成员本人：请用你自己的账号发送，"
            "不要以频道或匿名管理员的身份。",
            "en": "Check-ins, points and red packets are for members themselves: send this as "
            "yourself, not as a channel or an anonymous admin.",
        },
        "homework.done": {
            "zh": "作业已收到！+{gained} 积分，总积分 {total}",
            "en": "Homework received! +{gained} {gained:point|points}, total: "
            "{total} {total:point|points}",
        },
        "homework.again": {
            "zh": "作业已收到（今天的作业积分已领取过）。",
            "en": "Homework received (today's homework points were already given).",
        },
        "homework.usage": {
            "zh": "用法：/homework <作业内容>，或发送带“作业”说明的图片或文件"
            "（文档、视频、语音）。",
            "en": "Usage: /homework <your work>, or send a photo or file (a document, video or "
            "voice message) captioned #homework.",
        },
        "homework.not_delivery": {
            "zh": "作业打卡只在交付群中开启。",
            "en": "Homework check-ins are only for delivery groups.",
        },
        "homework.list": {
            "zh": "今日（{day}）作业提交：{count} 份，来自 {people} 位成员。",
            "en": "Homework today ({day}): {count} {count:submission|submissions} from "
            "{people} {people:member|members}.",
        },
        "homework.list_line": {"zh": "{name}：{work}", "en": "{name}: {work}"},
        "homework.list_more": {
            "zh": "……另有 {more} 份更早的提交",
            "en": "…and {more} earlier {more:submission|submissions}",
        },
        "points.me_homework": {
            "zh": "作业和打卡记录：{count} 份",
            "en": "Homework and check-in reports: {count}",
        },
        "points.me": {
            "zh": "{name} 的积分：{total}\n排名：{rank}\n连续签到：{streak} 天\n"
            "头衔：{title}\n等级：{tier}",
            "en": "{name}'s points: {total}\nRank: {rank}\nDays in a row: {streak}\n"
            "Title: {title}\nTier: {tier}",
        },
        "points.rank": {"zh": "第 {rank} 名", "en": "#{rank}"},
        "points.unranked": {"zh": "暂无（还没有积分）", "en": "none yet (no points)"},
        "points.top_usage": {
            "zh": "用法：/top [本周|本月|总榜]（不认识：{said}）",
            "en": "Usage: /top [week|month|all] (not a period: {said})",
        },
        "points.top_header": {
            "zh": "积分排行榜（{window}）：",
            "en": "Leaderboard ({window}):",
        },
        "points.top_line": {
            "zh": "{rank}. {name} — {points} 分",
            "en": "{rank}. {name} — {points}",
        },
        "points.top_empty": {
            "zh": "积分排行榜（{window}）：还没有人获得积分。",
            "en": "Leaderboard ({window}): nobody has earned points yet.",
        },
        "points.window.week": {"zh": "本周", "en": "this week"},
        "points.window.month": {"zh": "本月", "en": "this month"},
        "points.window.all": {"zh": "总榜", "en": "all time"},
        "points.adjust_usage": {
            "zh": "用法：/points add|remove @用户名|用户ID <数量> [原因]（或回复某人的消息），"
            "数量 1-1000000",
            "en": "Usage: /points add|remove @username|user id <n> [reason] (or reply to them), "
            "n from 1-1000000",
        },
        "points.bad_amount": {
            "zh": "无法调整积分：{reason}",
            "en": "Cannot adjust points: {reason}",
        },
        "points.unknown_member": {
            "zh": "找不到这位成员：{who}",
            "en": "No such member here: {who}",
        },
        "points.self": {
            "zh": "机器人自己不参与积分。",
            "en": "The bot itself takes no part in points.",
        },
        "points.not_member": {
            "zh": "积分只给成员本人：这条消息来自频道、匿名管理员或机器人。",
            "en": "Points are for members themselves: this message is from a channel, an "
            "anonymous admin or a bot.",
        },
        "points.not_enough": {
            "zh": "{name} 只有 {total} 积分，不能扣除 {amount}",
            "en": "{name} has only {total} {total:point|points}; cannot remove {amount}",
        },
        "points.adjusted": {
            "zh": "已为 {name} {sign}{amount} 积分，当前总积分 {total}",
            "en": "{sign}{amount} {amount:point|points} for {name}; total now {total}",
        },
        "redpacket.usage": {
            "zh": "用法：/redpacket <总积分> <份数> [轮数]（总积分不少于份数，总积分最多 100000，"
            "份数 1-100，轮数 1-5：每轮抢完后{growth}）",
            "en": "Usage: /redpacket <total points> <count> [rounds] (total ≥ count, total at "
            "most 100000, count 1-100, rounds 1-5: each round, once claimed, opens a next one "
            "{growth})",
        },
        # How much the next round grows, by the group's `redpacket.escalation`.
        "redpacket.grows_double": {"zh": "下一轮积分翻倍", "en": "twice as big"},
        "redpacket.grows_times": {
            "zh": "下一轮积分是上一轮的 {times} 倍",
            "en": "{times} times as big",
        },
        "redpacket.grows_one": {"zh": "下一轮多 1 积分", "en": "1 point bigger"},
        "redpacket.next_round_bigger": {
            "zh": "🔥 第 {round} 轮，积分加码！",
            "en": "🔥 Round {round}, more points!",
        },
        "redpacket.next_round": {
            "zh": "🔥 第 {round} 轮，积分翻倍！",
            "en": "🔥 Round {round}, double the points!",
        },
        "redpacket.open": {
            "zh": "🧧 积分红包来啦！共 {total} 积分，{count} 份，先到先得。\n"
            "点击按钮或回复“抢”领取。",
            "en": "🧧 A red packet of {total} {total:point|points} in {count} "
            "{count:share|shares} — first come, first served.\n"
            "Tap the button or reply “grab” to claim.",
        },
        "redpacket.button": {"zh": "🧧 抢红包", "en": "🧧 Grab"},
        "redpacket.claimed_short": {
            "zh": "抢到 {amount} 积分！",
            "en": "You grabbed {amount} {amount:point|points}!",
        },
        "redpacket.verify_first": {
            "zh": "请先完成入群验证，再来抢红包。",
            "en": "Please pass the group's verification first, then grab a share.",
        },
        "redpacket.members_only": {
            "zh": "只有本群成员才能抢红包。已经在群里？先在群里说句话或签到，再来抢。",
            "en": "Only members of this group can grab a share. Already in it? Say something "
            "or check in in the group first, then try again.",
        },
        "redpacket.checking": {
            "zh": "正在确认你是本群成员，请稍候。抢到的话，会显示在红包消息里。",
            "en": "Checking that you are a member of this group. If you get a share, it will "
            "show on the red packet's message shortly.",
        },
        "redpacket.not_member": {
            "zh": "只有本群成员才能抢红包。",
            "en": "Only members of this group can grab a share.",
        },
        "redpacket.twice": {
            "zh": "你已经抢过这个红包啦。",
            "en": "You have already claimed this red packet.",
        },
        "redpacket.gone": {"zh": "红包已经被抢光了。", "en": "This red packet is all gone."},
        "redpacket.board": {
            "zh": "已抢 {claimed}/{count} 份：",
            "en": "Claimed {claimed}/{count}:",
        },
        "redpacket.board_more": {
            "zh": "……前面还有 {more} 人",
            "en": "…and {more} before them",
        },
        "redpacket.board_line": {
            "zh": "· {name} +{amount}",
            "en": "· {name} +{amount}",
        },
        "redpacket.finished": {
            "zh": "🧧 红包已抢完！手气最佳：{name}（{amount} 积分）",
            "en": "🧧 The red packet is all claimed! Luckiest: {name} "
            "({amount} {amount:point|points})",
        },
    }
)
