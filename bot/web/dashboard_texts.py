"""The dashboard's own words, in Chinese and English (`bot.core.i18n`); what it shows of the
groups is worded by the commands that show it in chat."""

from __future__ import annotations

from bot.core.i18n import define

define(
    {
        "dash.title": {"zh": "Qunbot 控制台", "en": "Qunbot dashboard"},
        "dash.sign_in": {"zh": "登录", "en": "Sign in"},
        "dash.sign_out": {"zh": "退出", "en": "Sign out"},
        "dash.sign_out_everywhere": {"zh": "全部设备退出", "en": "Sign out everywhere"},
        "dash.sign_out_everywhere_hint": {
            "zh": "结束所有浏览器里的登录（包括这一个）",
            "en": "Ends the sessions of every browser, this one included",
        },
        "dash.password": {"zh": "控制台密码", "en": "Dashboard password"},
        "dash.wrong_password": {"zh": "密码不对。", "en": "Wrong password."},
        "dash.too_many": {
            "zh": "密码错误次数太多，请 {minutes} 分钟后再试。",
            "en": "Too many wrong passwords: try again in {minutes} minutes.",
        },
        "dash.off": {
            "zh": "控制台未开启：设置 QUNBOT_DASHBOARD_PASSWORD 后重启服务即可使用。",
            "en": "The dashboard is off: set QUNBOT_DASHBOARD_PASSWORD and restart the service.",
        },
        "dash.csrf": {
            "zh": "这个表单已失效，请返回、刷新页面后再试。",
            "en": "This form is no longer valid: go back, reload the page and try again.",
        },
        "dash.signed_out": {"zh": "请先登录。", "en": "Please sign in first."},
        "dash.not_found": {"zh": "没有这个群。", "en": "No such group."},
        "dash.groups": {"zh": "群组（{count} 个）", "en": "Groups ({count})"},
        "dash.no_groups": {
            "zh": "机器人还没有见过任何群：把它拉进群并发一条消息。",
            "en": "The bot has seen no group yet: add it to one and post a message there.",
        },
        "dash.col.title": {"zh": "群名", "en": "Title"},
        "dash.col.chat_id": {"zh": "群 ID", "en": "Chat id"},
        "dash.col.kind": {"zh": "类型", "en": "Type"},
        "dash.col.language": {"zh": "语言", "en": "Language"},
        "dash.col.members": {"zh": "成员数", "en": "Members"},
        "dash.col.filter": {"zh": "广告过滤", "en": "Ad filter"},
        "dash.col.recent": {"zh": "近 7 天处理", "en": "Decisions, 7 days"},
        "dash.col.next_job": {"zh": "下一个定时任务", "en": "Next scheduled job"},
        "dash.col.bot": {"zh": "机器人状态", "en": "Bot status"},
        "dash.lang.auto": {"zh": "自动", "en": "auto"},
        "dash.lang.zh": {"zh": "中文", "en": "Chinese"},
        "dash.lang.en": {"zh": "英文", "en": "English"},
        "dash.mode.on": {"zh": "开启", "en": "on"},
        "dash.mode.off": {"zh": "关闭", "en": "off"},
        "dash.mode.shadow": {"zh": "影子模式", "en": "shadow"},
        "dash.settings": {"zh": "设置", "en": "Settings"},
        "dash.schedules": {"zh": "定时任务", "en": "Schedules"},
        "dash.countdowns": {"zh": "倒计时（各步）", "en": "Countdowns (their steps)"},
        "dash.series": {"zh": "内容系列", "en": "Content series"},
        "dash.col.id": {"zh": "编号", "en": "#"},
        "dash.col.job_kind": {"zh": "种类", "en": "Kind"},
        "dash.col.when": {"zh": "时间", "en": "When"},
        "dash.col.text": {"zh": "内容", "en": "Text"},
        "dash.col.enabled": {"zh": "启用", "en": "Enabled"},
        "dash.col.next_run": {"zh": "下次运行", "en": "Next run"},
        "dash.col.last": {"zh": "上次结果", "en": "Last result"},
        "dash.col.name": {"zh": "名称", "en": "Name"},
        "dash.col.items": {"zh": "条数", "en": "Items"},
        "dash.yes": {"zh": "是", "en": "yes"},
        "dash.no": {"zh": "否", "en": "no"},
        "dash.none": {"zh": "无", "en": "none"},
        "dash.decisions": {"zh": "广告处理记录", "en": "Ad-filter decisions"},
        "dash.recent_decisions": {"zh": "最近的广告处理", "en": "Recent ad-filter decisions"},
        "dash.all_decisions": {"zh": "全部处理记录", "en": "All decisions"},
        "dash.no_decisions": {"zh": "还没有处理记录。", "en": "No decisions yet."},
        "dash.col.at": {"zh": "时间", "en": "When"},
        "dash.col.member": {"zh": "成员", "en": "Member"},
        "dash.col.action": {"zh": "处理", "en": "Action"},
        "dash.col.detectors": {"zh": "触发的检测", "en": "Detectors"},
        "dash.col.explanation": {"zh": "原因（同 /why）", "en": "Why (as /why says)"},
        "dash.col.message": {"zh": "消息", "en": "Message"},
        "dash.col.state": {"zh": "状态", "en": "State"},
        "dash.undo": {"zh": "撤销", "en": "Undo"},
        "dash.undone": {"zh": "已撤销（{by}，{at}）", "en": "Undone ({by}, {at})"},
        "dash.by_dashboard": {"zh": "控制台", "en": "dashboard"},
        "dash.standing": {"zh": "有效", "en": "standing"},
        "dash.undo_done": {
            "zh": "已撤销 #{id}，已通知本群管理员。",
            "en": "Undid #{id}; the group's operators were told.",
        },
        "dash.undo_unknown": {
            "zh": "这个群没有处理记录 #{id}。",
            "en": "This group has no decision #{id}.",
        },
        "dash.newer": {"zh": "← 较新", "en": "← Newer"},
        "dash.older": {"zh": "较旧 →", "en": "Older →"},
        "dash.back": {"zh": "← 全部群组", "en": "← All groups"},
        "dash.steer": {"zh": "调整", "en": "Change"},
        "dash.reports": {"zh": "成员举报", "en": "Members' reports"},
        "dash.recent_reports": {"zh": "最近的成员举报", "en": "Recent reports by members"},
        "dash.all_reports": {"zh": "全部举报", "en": "All reports"},
        "dash.no_reports": {"zh": "还没有成员举报。", "en": "No reports yet."},
        "dash.col.reporter": {"zh": "举报人", "en": "Reporter"},
        "dash.col.reported": {"zh": "被举报的成员与消息", "en": "Reported member and message"},
        "dash.col.counted": {"zh": "是否计入", "en": "Counted"},
        "dash.col.outcome": {"zh": "结果", "en": "What came of it"},
        "dash.report.counted": {"zh": "计入", "en": "counted"},
        "dash.report.not_counted": {"zh": "不计入：{why}", "en": "not counted: {why}"},
        "dash.report.not.channel": {
            "zh": "以频道身份举报（一人可有多个频道）",
            "en": "reported as a channel (one person may own many)",
        },
        "dash.report.not.fresh": {"zh": "入群不到 1 天", "en": "joined less than a day before"},
        "dash.report.not.new": {
            "zh": "发言太少，仍按新成员看待", "en": "too few messages: still a newcomer",
        },
        "dash.report.not.unseen": {
            "zh": "机器人此前没见过这位成员", "en": "a member the bot had not seen before",
        },
        "dash.report.not.unknown": {"zh": "原因未记录", "en": "reason not recorded"},
        "dash.report.acted": {
            "zh": "已处理：{action}（#{id}，{source}）",
            "en": "acted on: {action} (#{id}, {source})",
        },
        "dash.report.referred.off": {
            "zh": "已转告管理员：广告过滤关闭时举报不删除",
            "en": "referred to the operators: with the filter off reports remove nothing",
        },
        "dash.report.referred.window": {
            "zh": "已转告管理员：消息发在广告时段内",
            "en": "referred to the operators: posted inside the ad window",
        },
        "dash.report.referred.too_old": {
            "zh": "已转告管理员：消息超过 48 小时，机器人无法删除",
            "en": "referred to the operators: too old for the bot to delete",
        },
        "dash.report.pending": {
            "zh": "等待更多举报（{count}/{threshold}）",
            "en": "waiting for more reports ({count}/{threshold})",
        },
        "dash.filter_mode": {
            "zh": "广告过滤模式（同 /filter）", "en": "Ad filter mode (as /filter)",
        },
        "dash.mode_hint.on": {"zh": "删除广告、按阶梯处罚", "en": "removes ads, climbs the ladder"},
        "dash.mode_hint.shadow": {
            "zh": "只记录会怎样处理，不删除也不处罚", "en": "only logs what it would do",
        },
        "dash.mode_hint.off": {
            "zh": "不检查，举报转告管理员", "en": "no checks; reports go to the operators",
        },
        "dash.welcome_text": {
            "zh": "欢迎语（同 /welcome set）", "en": "Welcome text (as /welcome set)",
        },
        "dash.welcome_hint": {
            "zh": "占位符：{{name}} {{group}} {{count}} {{rules}} {{inviter}}",
            "en": "Placeholders: {{name}} {{group}} {{count}} {{rules}} {{inviter}}",
        },
        "dash.welcome_builtin": {
            "zh": "现在用的是内置欢迎语。", "en": "The built-in greeting is in use.",
        },
        "dash.rules_text": {"zh": "群规（同 /rules set）", "en": "Rules (as /rules set)"},
        "dash.save": {"zh": "保存", "en": "Save"},
        "dash.saved.filter": {"zh": "广告过滤模式已更改。", "en": "Ad filter mode changed."},
    }
)
