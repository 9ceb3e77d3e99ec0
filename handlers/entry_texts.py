"""Texts of welcome, verification, screening, raid mode and icebreakers (zh + en)."""

from __future__ import annotations

from bot.core.i18n import define

# Topics and icebreaker questions shipped with the bot; operators may post their own instead.
TOPICS = {
    "zh": [
        "你最近读过 / 看过的一本书或一部片子是什么？推荐理由一句话。",
        "你是怎么认识这个群的？当时最吸引你的是什么？",
        "如果明天多出一小时空闲时间，你会用来做什么？",
        "分享一个让你效率翻倍的小工具或小习惯。",
        "你最近一次被产品 / 服务惊喜到是什么时候？",
    ],
    "en": [
        "What is a book or film you enjoyed recently? One line on why.",
        "How did you find this group, and what drew you in?",
        "If you got one extra free hour tomorrow, what would you do with it?",
        "Share a small tool or habit that doubled your productivity.",
        "When did a product or service last surprise you in a good way?",
    ],
}
QUESTIONS = {
    "zh": [
        "用三个词介绍一下你自己吧！",
        "你所在的城市现在天气怎么样？",
        "你今天最开心的一件小事是什么？",
        "你最想在这个群里学到 / 得到什么？",
    ],
    "en": [
        "Describe yourself in three words!",
        "What is the weather like in your city right now?",
        "What was the best small thing that happened to you today?",
        "What do you most hope to learn or get from this group?",
    ],
}

define(
    {
        "welcome.default": {
            "zh": "欢迎 {name} 加入「{group}」！你是本群第 {count} 位成员。\n{rules}",
            "en": "Welcome {name} to {group}! You are member number {count}.\n{rules}",
        },
        "welcome.ceremony": {
            "zh": "🎉 隆重欢迎 {name} 受邀加入「{group}」，成为第 {count} 位超级用户！"
            "\n邀请人：{inviter}\n{rules}",
            "en": "🎉 Please welcome {name}, invited to {group} as super user number {count}!"
            "\nInvited by: {inviter}\n{rules}",
        },
        "welcome.and_others": {
            "zh": " 等另外 {count} 位新朋友",
            "en": " and {count} {count:other|others}",
        },
        "welcome.no_rules": {"zh": "请友善交流。", "en": "Please be kind."},
        "welcome.button_rules": {"zh": "📜 阅读群规", "en": "📜 Read the rules"},
        "welcome.rules_more": {
            "zh": "\n（完整群规：在群里发送 /rules）",
            "en": "\n(All the rules: send /rules in the group)",
        },
        "welcome.button_intro": {"zh": "👋 自我介绍", "en": "👋 Introduce yourself"},
        "welcome.show": {
            "zh": "欢迎语：{state}\n模板：{template}\n占位符：{{name}} {{group}} {{count}} "
            "{{rules}} {{inviter}}",
            "en": "Welcome: {state}\nTemplate: {template}\nPlaceholders: {{name}} {{group}} "
            "{{count}} {{rules}} {{inviter}}",
        },
        "welcome.builtin": {"zh": "（内置）", "en": "(built-in)"},
        "welcome.saved": {"zh": "欢迎语设置已保存。", "en": "Welcome settings saved."},
        "welcome.too_long": {
            "zh": "欢迎语太长，发不出去：最多 {limit} 个字（按最长的名字和当前群规算），这条有 "
            "{length} 个。欢迎语未保存。",
            "en": "That welcome message is too long to post: {limit} characters at most (with "
            "the longest names and the current rules), and it has {length}. Not saved.",
        },
        "welcome.unknown_placeholder": {
            "zh": "欢迎语未保存：不认识 {unknown}。可用的占位符：{{name}} {{group}} {{count}} "
            "{{rules}} {{inviter}}",
            "en": "Welcome message not saved: {unknown} is no placeholder. Use {{name}} "
            "{{group}} {{count}} {{rules}} {{inviter}}",
        },
        "welcome.usage": {
            "zh": "用法：/welcome [set <模板>|on|off|cleanup <秒数>|cleanup off]",
            "en": "Usage: /welcome [set <template>|on|off|cleanup <seconds>|cleanup off]",
        },
        "welcome.cleanup_usage": {
            "zh": "欢迎语保留时间需为 60 到 604800 秒之间的整数，或 off（不删除）。",
            "en": "Greetings stay between 60 and 604800 seconds; give a whole number, or off "
            "to keep them.",
        },
        "verify.challenge_button": {
            "zh": "{name}，欢迎！请在 {seconds} 秒内点击下方按钮完成验证，否则将被移出群。",
            "en": "{name}, welcome! Press the button below within {seconds} seconds to verify, "
            "or you will be removed.",
        },
        "verify.challenge_question": {
            "zh": "{name}，请在 {seconds} 秒内回答：{a} + {b} = ?（点选答案）",
            "en": "{name}, answer within {seconds} seconds: {a} + {b} = ? (pick the answer)",
        },
        "verify.batch_question": {
            "zh": "{names}：新成员较多，请各自在 {seconds} 秒内回答：{a} + {b} = ?"
            "（点选答案，答错或超时将被移出群）",
            "en": "{names}: many newcomers at once. Each of you, answer within {seconds} "
            "seconds: {a} + {b} = ? (pick the answer; a wrong answer or none removes you)",
        },
        "verify.button": {"zh": "✅ 我是真人", "en": "✅ I am human"},
        "verify.not_for_you": {"zh": "这不是给你的按钮。", "en": "This is not for you."},
        "verify.passed": {"zh": "验证通过，欢迎！", "en": "Verified, welcome!"},
        "verify.wrong": {"zh": "回答错误。", "en": "Wrong answer."},
        "verify.saved": {
            "zh": "入群验证：{state}，方式：{mode}，时限 {seconds} 秒。",
            "en": "Verification: {state}, mode: {mode}, time limit {seconds} s.",
        },
        "verify.released": {
            "zh": "正在等待验证的 {count} 位新成员已放行。",
            "en": "{count} {count:newcomer|newcomers} waiting to verify {count:was|were} let in.",
        },
        "verify.bad_time": {
            "zh": "无法识别时限：{value}（秒数，或如 2m、2分钟）",
            "en": "Cannot read the time limit {value} (seconds, or e.g. 2m)",
        },
        "verify.time_range": {
            "zh": "时限要在 {low} 到 {high} 秒之间：{value}",
            "en": "The time limit must be {low} to {high} seconds: {value}",
        },
        "verify.usage": {
            "zh": "用法：/verify on|off|button|question [秒数]",
            "en": "Usage: /verify on|off|button|question [seconds]",
        },
        "raid.alert": {
            "zh": "⚠️ 检测到大量成员涌入（{count} 人 / {seconds} 秒），已进入防护模式："
            "欢迎语合并发送，入群验证改为答题。",
            "en": "⚠️ A burst of joins ({count} in {seconds} s): guarded mode is on — welcomes "
            "are batched and verification asks a question.",
        },
        "raid.alert_no_gate": {
            "zh": "⚠️ 检测到大量成员涌入（{count} 人 / {seconds} 秒），已进入防护模式："
            "欢迎语合并发送。入群验证未开启，可用 /verify on 开启。",
            "en": "⚠️ A burst of joins ({count} in {seconds} s): guarded mode is on — welcomes "
            "are batched. Verification is off; turn it on with /verify on.",
        },
        "raid.ended": {
            "zh": "✅ 防护模式已解除：持续约 {minutes} 分钟，期间共 {joins} 人加入，"
            "{removed} 人未通过验证被移出。欢迎语与入群验证恢复正常。",
            "en": "✅ Guarded mode is off: it lasted about {minutes} {minutes:minute|minutes}, "
            "{joins} joined meanwhile and {removed} {removed:was|were} removed by verification. "
            "Welcomes and verification are back to normal.",
        },
        "raid.ended_no_gate": {
            "zh": "✅ 防护模式已解除：持续约 {minutes} 分钟，期间共 {joins} 人加入。"
            "入群验证未开启，可用 /verify on 开启。",
            "en": "✅ Guarded mode is off: it lasted about {minutes} {minutes:minute|minutes} and "
            "{joins} joined meanwhile. Verification is off; turn it on with /verify on.",
        },
        "screening.review": {
            "zh": "入群申请：{name}（ID {user_id}）\n简介：{bio}",
            "en": "Join request: {name} (ID {user_id})\nBio: {bio}",
        },
        "screening.review_for": {"zh": "【{group}】", "en": "[{group}]"},
        "screening.review_chat_saved": {
            "zh": "之后的入群审核卡片会发到「{title}」，不再发在本群。",
            "en": 'Review cards now go to "{title}" instead of this group.',
        },
        "screening.review_chat_off": {
            "zh": "入群审核卡片改回发在本群。",
            "en": "Review cards are posted in this group again.",
        },
        "screening.review_chat_bad": {
            "zh": "不能把审核卡片发到 {chat}：机器人需要在那个群里，而且你也得是那个群的管理员。"
            "用法：/screening review_chat <群 ID>|off",
            "en": "Cannot send review cards to {chat}: the bot must be in that chat and you "
            "must run it too. Usage: /screening review_chat <chat id>|off",
        },
        "screening.approve": {"zh": "✅ 通过", "en": "✅ Approve"},
        "screening.decline": {"zh": "❌ 拒绝", "en": "❌ Decline"},
        "screening.approved": {"zh": "已通过 {name} 的申请。", "en": "Approved {name}."},
        "screening.declined": {"zh": "已拒绝 {name} 的申请。", "en": "Declined {name}."},
        "screening.approved_before": {
            "zh": "{name} 的申请已由管理员通过，无需再处理。",
            "en": "An operator already approved {name}.",
        },
        "screening.declined_before": {
            "zh": "{name} 的申请已由管理员拒绝，无需再处理。",
            "en": "An operator already declined {name}.",
        },
        "screening.joined_before": {
            "zh": "{name} 已经入群，无需再处理。",
            "en": "{name} is already in the group.",
        },
        "screening.closed_before": {
            "zh": "{name} 的这次申请已结束（超时或已按其他规则处理），无需再处理。",
            "en": "{name}'s request is already closed (timed out or decided by another rule).",
        },
        "screening.request_gone": {
            "zh": "无法处理 {name} 的申请：Telegram 上已没有这条申请（可能已撤回、已过期，或已被"
            "管理员在群设置里处理），已记为“已失效”。",
            "en": "Could not decide {name}'s request: Telegram no longer has it (withdrawn, "
            "expired, or already handled by an admin in the app); it is recorded as expired.",
        },
        "screening.already_member": {
            "zh": "{name} 已经在群里了，这条申请无需再处理，已记为“已入群”。",
            "en": "{name} is already in the group: the request needs no decision and is "
            "recorded as joined.",
        },
        "screening.request_refused": {
            "zh": "Telegram 拒绝处理 {name} 的申请（机器人可能缺少“邀请用户”权限），申请已记为"
            "失败：请在群设置里手动处理。",
            "en": "Telegram refused to decide {name}'s request (the bot may lack the right to "
            "invite users); it is recorded as failed: please decide it in the app.",
        },
        "screening.saved": {"zh": "入群审核方式：{mode}", "en": "Screening rule: {mode}"},
        # Telegram sends join requests only for a link (or group) that asks for approval:
        # whoever joins by another link walks in, and the rule never sees them.
        "screening.needs_requests": {
            "zh": "注意：只有开启了「需要管理员批准」的邀请链接（群设置 → 邀请链接）才会发来入群"
            "申请，由这条规则处理；通过其他链接入群的人不经审核。",
            "en": "Note: only invite links with \"Request admin approval\" on (group settings → "
            "Invite links) send join requests for this rule to decide; people joining by "
            "other links are not screened.",
        },
        "screening.questions_now": {
            "zh": "入群问题：{questions}", "en": "Entry questions: {questions}"
        },
        "screening.review_chat_now": {
            "zh": "审核卡片发往：群 {chat}", "en": "Review cards go to chat {chat}"
        },
        "screening.usage": {
            "zh": "用法：/screening open|code <邀请码...>|review|allowlist，"
            "或 /screening questions 问题1 | 问题2，或 /screening review_chat <群 ID>|off",
            "en": "Usage: /screening open|code <codes...>|review|allowlist, or "
            "/screening questions Q1 | Q2, or /screening review_chat <chat id>|off",
        },
        "screening.mode_codes": {"zh": "{mode}：{codes}", "en": "{mode} ({codes})"},
        "screening.counted_codes": {
            "zh": "计数邀请码，见 /code list",
            "en": "counted codes: /code list",
        },
        "screening.code_needs_codes": {
            "zh": "邀请码模式至少需要一个邀请码，否则每个入群申请都会被拒绝。请在命令后写上邀请码："
            "/screening code <邀请码1> <邀请码2>；或先用 /code add <邀请码> 或 /code new "
            "创建计数邀请码，再发送 /screening code。入群审核方式未变：{mode}",
            "en": "Code mode needs at least one code, or every join request would be declined. "
            "List them: /screening code <code1> <code2>; or create counted codes first with "
            "/code add <code> or /code new, then send /screening code. Screening stays: {mode}",
        },
        "screening.allowlist_needs_ids": {
            "zh": "白名单模式需要先导入至少一个用户 ID，否则每个入群申请都会被拒绝。请先用 "
            "/allowlist add <ID...> 添加，或回复一条含 ID 的消息发送 /allowlist import，"
            "再发送 /screening allowlist。入群审核方式未变：{mode}",
            "en": "Allow-list mode needs at least one user id first, or every join request "
            "would be declined. Add them with /allowlist add <ids...>, or reply to a message "
            "listing ids with /allowlist import, then send /screening allowlist. "
            "Screening stays: {mode}",
        },
        "screening.allowlist_added": {
            "zh": "白名单新增 {added} 人，共 {total} 人。",
            "en": "Added {added} to the allow-list; {total} in total.",
        },
        "screening.allowlist_by_username": {
            "zh": "按用户名导入：{names}（申请时的 @用户名 须与此一致；对方改了用户名就要按 ID "
            "重新导入）",
            "en": "Imported by username: {names} (matched against the @username someone has when "
            "they ask to join; after a rename, import them by id)",
        },
        "screening.allowlist_skipped": {
            "zh": "未导入：{items}（不是用户 ID：日期、时间、电话等；用户 ID 是 5 位以上的纯数字）",
            "en": "Not imported: {items} (not user ids: dates, times, phone numbers...; a user id "
            "is a number of 5 or more digits)",
        },
        "screening.allowlist_more": {
            "zh": "{shown} 等另 {more} 项",
            "en": "{shown} and {more} more",
        },
        "screening.allowlist_usage": {
            "zh": "用法：/allowlist add <ID 或 @用户名...>，或回复一条含 ID / @用户名的消息"
            "（或 .txt / .csv 名单文件）发送 /allowlist import",
            "en": "Usage: /allowlist add <ids or @usernames...>, or reply to a message (or a "
            ".txt / .csv file) with ids or @usernames: /allowlist import",
        },
        "rules.none": {
            "zh": "本群还没有发布群规。管理员可用 /rules set <内容> 设置。",
            "en": "No rules published yet. Operators: /rules set <text>.",
        },
        "rules.show": {"zh": "📜 群规与入群规则：\n{rules}", "en": "📜 Rules:\n{rules}"},
        "rules.saved": {"zh": "群规已更新。", "en": "Rules updated."},
        "rules.too_long": {
            "zh": "群规太长，/rules 发不出来：最多 {limit} 个字，这份有 {length} 个。群规未保存。",
            "en": "Those rules are too long for /rules to post: {limit} characters at most, "
            "and they have {length}. Not saved.",
        },
        "rules.usage": {
            "zh": "用法：/rules set <群规内容>（可以从下一行开始写）",
            "en": "Usage: /rules set <the rules> (they may start on the next line)",
        },
        "intro.prompt": {
            "zh": "欢迎 {name}！来做个自我介绍吧：你是谁、做什么、为什么加入？"
            "（带上 #自我介绍 标签）",
            "en": "Welcome {name}! Tell us about yourself: who you are, what you do, why you "
            "joined (tag it #intro).",
        },
        "intro.thanks": {
            "zh": "谢谢 {name} 的自我介绍！大家欢迎～ #自我介绍",
            "en": "Thanks for the introduction, {name}! Everyone, say hi. #intro",
        },
        "topic.post": {"zh": "💬 今日话题：{topic}", "en": "💬 Topic of the day: {topic}"},
        "topic.too_long": {
            "zh": "话题太长，发不出去：最多 {limit} 个字，这条有 {length} 个。",
            "en": "That topic is too long to post: {limit} characters at most, "
            "and it has {length}.",
        },
        "topic.scheduled": {
            "zh": "已安排今日话题（定时任务 #{id}）：{when}\n下次发送：{next}\n"
            "可用 /schedule pause|remove {id} 管理。",
            "en": "Topic of the day scheduled (job #{id}): {when}\nNext: {next}\n"
            "Manage it with /schedule pause|remove {id}.",
        },
        "topic.schedule_usage": {
            "zh": "用法：/topic schedule <时间>，例如 /topic schedule 每天 09:00",
            "en": "Usage: /topic schedule <when>, e.g. /topic schedule daily 09:00",
        },
        "icebreaker.post": {
            "zh": "🧊 破冰时间！回复这条消息回答：{question}",
            "en": "🧊 Icebreaker! Reply to this message: {question}",
        },
        "icebreaker.too_long": {
            "zh": "问题太长，发不出去：最多 {limit} 个字，这条有 {length} 个。没有开始新一轮。",
            "en": "That question is too long to post: {limit} characters at most, "
            "and it has {length}. No round was started.",
        },
        "icebreaker.result": {
            "zh": "🧊 破冰问答结束！{count} 位成员回答了「{question}」：{names}",
            "en": "🧊 Icebreaker round over! {count} {count:member|members} answered "
            "\"{question}\": {names}",
        },
        "icebreaker.result_others": {
            "zh": " 等 {count} 位",
            "en": " and {count} {count:other|others}",
        },
        "icebreaker.result_points": {
            "zh": "谢谢参与，每人 +{points} 积分！",
            "en": "Thanks for joining in: +{points} {points:point|points} each!",
        },
        "icebreaker.result_points_capped": {
            "zh": "谢谢参与，每人 +{points} 积分（已到今日活跃积分上限的除外）！",
            "en": "Thanks for joining in: +{points} {points:point|points} each (up to today's "
            "activity cap)!",
        },
        "icebreaker.result_none": {
            "zh": "🧊 破冰问答结束：这次没有人回答「{question}」。下次一起来聊聊吧～",
            "en": "🧊 Icebreaker round over: nobody answered \"{question}\" this time. "
            "Join in next round!",
        },
    }
)

# Private conversation with join requesters, and the operators' /code command.
define(
    {
        "screening.ask_code": {
            "zh": "你好 {name}！申请加入「{group}」需要邀请码。\n请直接在这里回复你的邀请码"
            "（{minutes} 分钟内有效，最多尝试 {tries} 次）。",
            "en": "Hi {name}! Joining {group} needs an invite code.\nPlease reply here with "
            "your code (within {minutes} {minutes:minute|minutes}, {tries} {tries:try|tries} at "
            "most).",
        },
        "screening.code_wrong": {
            "zh": "「{group}」的邀请码不正确，还可以再试 {left} 次。",
            "en": "That code is not valid for {group}. {left} {left:try|tries} left.",
        },
        "screening.code_again": {
            "zh": "请回复加入「{group}」的邀请码。",
            "en": "Please reply with your invite code for {group}.",
        },
        "screening.code_ok": {
            "zh": "邀请码正确，已通过你加入「{group}」的申请，欢迎！",
            "en": "Code accepted: your request to join {group} is approved. Welcome!",
        },
        "screening.declined_tries": {
            "zh": "邀请码错误次数过多，你加入「{group}」的申请已被拒绝。如有疑问请联系群管理员。",
            "en": "Too many wrong codes: your request to join {group} was declined. Please "
            "contact the group's operators if this is a mistake.",
        },
        "screening.declined_timeout": {
            "zh": "{minutes} 分钟内没有收到你的回复，加入「{group}」的申请已被拒绝，"
            "可以稍后重新申请。",
            "en": "No reply within {minutes} {minutes:minute|minutes}, so your request to join "
            "{group} was declined. You are welcome to apply again.",
        },
        "screening.ask_questions": {
            "zh": "你好 {name}！申请加入「{group}」需要回答 {total} 个问题，管理员审核后通过。"
            "请在 {minutes} 分钟内逐条回复。",
            "en": "Hi {name}! To join {group}, please answer {total} {total:question|questions}; "
            "an operator reviews the answers. Reply to each within {minutes} "
            "{minutes:minute|minutes}.",
        },
        "screening.question": {
            "zh": "「{group}」问题 {index}/{total}：{question}",
            "en": "{group}, question {index}/{total}: {question}",
        },
        "screening.waiting_review": {
            "zh": "已收到你加入「{group}」的申请，正在等待管理员审核，结果会在这里通知你。",
            "en": "We received your request to join {group}; it is waiting for an operator. "
            "You will hear the result here.",
        },
        "screening.answers_sent": {
            "zh": "谢谢！你的回答已提交给管理员审核，结果会在这里通知你。",
            "en": "Thank you! Your answers went to the operators; you will hear the result here.",
        },
        "screening.approved_dm": {
            "zh": "管理员已通过你加入「{group}」的申请，欢迎！",
            "en": "An operator approved your request to join {group}. Welcome!",
        },
        "screening.declined_dm": {
            "zh": "很抱歉，管理员没有通过你加入「{group}」的申请。",
            "en": "Sorry, an operator declined your request to join {group}.",
        },
        "screening.too_many_questions": {
            "zh": "最多 {limit} 个入群问题，收到 {count} 个：请精简后再设置（用 | 分隔）。",
            "en": "At most {limit} entry questions, got {count}: shorten the list (separated "
            "by |).",
        },
        "screening.question_too_long": {
            "zh": "每个问题最多 {limit} 个字：「{start}…」",
            "en": "Each question may have at most {limit} characters: \"{start}...\"",
        },
        "screening.questions_usage": {
            "zh": "用法：/screening questions 问题1 | 问题2（清除：/screening questions none）\n"
            "当前问题：{current}",
            "en": "Usage: /screening questions Q1 | Q2 (to clear them: /screening questions "
            "none)\nCurrent questions: {current}",
        },
        "screening.no_questions": {"zh": "无", "en": "none"},
        "screening.questions_cleared": {
            "zh": "已清除入群问题：申请入群时不再提问。",
            "en": "Entry questions cleared: applicants are no longer asked anything.",
        },
        "screening.questions_saved": {
            "zh": "已设置 {count} 个入群问题（审核模式下私聊提问）。",
            "en": "{count} entry questions saved (asked privately in review mode).",
        },
        "code.usage": {
            "zh": "用法：/code add <邀请码> [uses=次数] [days=天数|hours=小时]；"
            "/code new [uses=次数] [days=天数]（随机生成，默认一次性）；/code list；"
            "/code revoke <邀请码>",
            "en": "Usage: /code add <code> [uses=N] [days=N|hours=N]; /code new [uses=N] "
            "[days=N] (random, single-use by default); /code list; /code revoke <code>",
        },
        "code.bad_option": {
            "zh": "无法识别的选项：{option}（可用 uses=、days=、hours=，days 与 hours 二选一）",
            "en": "Unknown option: {option} (use uses=, days= or hours=, not both days and hours)",
        },
        "code.bad_number": {
            "zh": "{option} 的值 {value} 无效：需要 1 到 {limit} 之间的整数。",
            "en": "{option}={value} is not valid: use a whole number from 1 to {limit}.",
        },
        "code.bad_code": {
            "zh": "邀请码 {code} 无效：只能包含字母、数字、_ 或 -，长度 3-32。",
            "en": "Code {code} is not valid: letters, digits, _ or - only, 3 to 32 long.",
        },
        "code.exists": {"zh": "邀请码 {code} 已存在。", "en": "Code {code} already exists."},
        "code.unknown": {"zh": "没有邀请码 {code}。", "en": "There is no code {code}."},
        "code.created": {
            "zh": "已创建邀请码：{line}\n用法：在 Telegram 创建一个以它命名的邀请链接发给受邀者，"
            "或让申请人私聊机器人发送它。",
            "en": "Invite code created: {line}\nUse it: create a Telegram invite link named "
            "after it for the invitee, or have applicants send it to the bot privately.",
        },
        "code.revoked": {"zh": "邀请码 {code} 已作废。", "en": "Code {code} revoked."},
        "code.none_left": {
            "zh": "注意：本群入群审核仍是邀请码方式，但已没有可用的邀请码，入群申请都会被拒绝。"
            "用 /code new 新建一个，或用 /screening review 改为管理员审核。",
            "en": "Note: screening is still by code, but no usable code is left, so every join "
            "request will be declined. Create one with /code new, or switch to operator review "
            "with /screening review.",
        },
        "code.none": {
            "zh": "还没有邀请码。用 /code new 或 /code add 创建。",
            "en": "No invite codes yet. Create one with /code new or /code add.",
        },
        "code.list_header": {"zh": "邀请码：", "en": "Invite codes:"},
        "code.more": {
            "zh": "……另有 {count} 个已失效的邀请码未列出。",
            "en": "…and {count} more {count:code|codes} no longer valid, not listed.",
        },
        "code.more_usable": {
            "zh": "……另有 {count} 个邀请码未列出（其中 {usable} 个可用）。",
            "en": "…and {count} more {count:code|codes} not listed ({usable} still valid).",
        },
        "code.uses_of": {"zh": "已用 {used}/{limit} 次", "en": "{used}/{limit} {limit:use|uses}"},
        "code.uses_unlimited": {
            "zh": "已用 {used} 次（不限次数）",
            "en": "{used} {used:use|uses} (unlimited)",
        },
        "code.never_expires": {"zh": "永久有效", "en": "never expires"},
        "code.expires": {"zh": "有效期至 {at}", "en": "expires {at}"},
        "code.not_usable": {"zh": "（已失效）", "en": "(no longer valid)"},
    }
)
