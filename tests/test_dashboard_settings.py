"""Steering a group from the dashboard: the ad filter's mode, the welcome text and the rules,
changed through the functions the chat commands use, then what the bot does after it."""

from __future__ import annotations

import logging
import re

from markupsafe import escape

from handlers.moderation_store import ModerationDecision
from tests.dashboard_support import GROUP, OPERATOR
from tests.factories import (
    MEMBER_ID,
    make_join_update,
    make_message_update,
    user,
)
from tests.handlers.entry_support import FAST_WELCOME, configure, group_settings, rows
from tests.harness import eventually

ALICE = user(MEMBER_ID, "Alice", username="alice")
AD = "加我微信 abc123 领取福利，名额有限"




async def submit(harness, form: str, **fields: str):
    """Post one of the group page's forms as a browser would, with the page's token."""
    page = await harness.client.get(GROUP)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return await harness.client.post(f"{GROUP}/{form}", data={"csrf": csrf, **fields})


def logged(caplog, event: str) -> list[tuple[str | None, str | None]]:
    """The (change, actor) of each `event` logged."""
    found = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    return [(m.get("change"), m.get("by")) for m in found if m.get("event") == event]


async def told_in_chat(harness, fake_telegram, command: str) -> str:
    before = len(fake_telegram.called("sendMessage"))
    await harness.post_update(make_message_update(command, sender=OPERATOR))
    (*_, answer) = await fake_telegram.wait_for("sendMessage", before + 1)
    return answer["text"]


async def test_shadow_mode_set_on_the_page_only_logs_an_ad(dash, fake_telegram, caplog):
    caplog.set_level(logging.INFO)
    switched = await submit(dash, "filter", mode="shadow")
    assert switched.status_code == 303
    assert switched.headers["location"] == f"{GROUP}?saved=filter#filter"
    page = await dash.client.get(switched.headers["location"])
    assert '<p class="notice">广告过滤模式已更改。</p>' in page.text
    assert 'value="shadow" checked' in page.text and "（影子模式：只记录不处理）" in page.text
    assert logged(caplog, "filter.changed") == [("mode shadow", "dashboard")]
    await dash.post_update(make_message_update(AD, sender=ALICE))
    await eventually(dash.settled)
    (decision,) = await rows(dash, ModerationDecision)
    assert decision.shadow and not fake_telegram.called("deleteMessage")
    # Back on: the next ad is removed.
    assert (await submit(dash, "filter", mode="on")).status_code == 303
    await dash.post_update(make_message_update(AD + "!", sender=user(333, "Bob")))
    await fake_telegram.wait_for("deleteMessage")
    await eventually(dash.settled)
    assert "广告过滤：开启\n" in await told_in_chat(dash, fake_telegram, "/filter")


async def test_a_welcome_text_saved_on_the_page_greets_the_next_newcomer(
        dash, fake_telegram, caplog):
    caplog.set_level(logging.INFO)
    await configure(dash, welcome=FAST_WELCOME)
    saved = await submit(dash, "welcome", template="欢迎 {name} 加入 {group}！<先看群规>")
    assert saved.status_code == 303
    page = await dash.client.get(saved.headers["location"])
    assert '<p class="notice">欢迎语设置已保存。</p>' in page.text
    assert "欢迎 {name} 加入 {group}！&lt;先看群规&gt;</textarea>" in page.text
    assert [by for _, by in logged(caplog, "welcome.template_set")] == ["dashboard"]
    await dash.post_update(make_join_update(user(444, "Bob")))
    (greeting,) = await fake_telegram.wait_for("sendMessage", 1)
    assert greeting["text"].startswith(
        '欢迎 <a href="tg://user?id=444">Bob</a> 加入 Qunbot Test Group！&lt;先看群规&gt;'
    )


async def test_rules_saved_on_the_page_are_what_rules_shows(dash, fake_telegram):
    saved = await submit(dash, "rules", rules="1. 不发广告\n2. 友善交流")
    assert saved.status_code == 303
    page = await dash.client.get(saved.headers["location"])
    assert '<p class="notice">群规已更新。</p>' in page.text
    assert "1. 不发广告\n2. 友善交流</textarea>" in page.text
    shown = await told_in_chat(dash, fake_telegram, "/rules")
    assert shown == "📜 群规与入群规则：\n1. 不发广告\n2. 友善交流"


async def test_bad_input_is_refused_in_the_commands_words_and_kept_in_the_form(
        dash, fake_telegram):
    typo = "欢迎 {nmae} 来到 {group}"
    refused = await submit(dash, "welcome", template=typo)
    assert refused.status_code == 400
    in_chat = await told_in_chat(dash, fake_telegram, f"/welcome set {typo}")
    assert in_chat.startswith("欢迎语未保存：不认识 {nmae}")
    assert f'<p class="error pre">{escape(in_chat)}</p>' in refused.text
    assert f"{typo}</textarea>" in refused.text
    assert (await group_settings(dash)).get("welcome", {}).get("template") is None
    blank = await submit(dash, "rules", rules="  \n ")
    assert blank.status_code == 400
    usage = await told_in_chat(dash, fake_telegram, "/rules set")
    assert f'<p class="error pre">{escape(usage)}</p>' in blank.text
    long = await submit(dash, "rules", rules="不发广告。" * 1000)
    assert long.status_code == 400
    assert "群规太长，/rules 发不出来：最多 4084 个字，这份有 5000 个。群规未保存。" in long.text
    mode = await submit(dash, "filter", mode="loud")
    assert mode.status_code == 400 and "用法：/filter [on|off]" in mode.text
    english = await dash.client.post(f"{GROUP}/welcome?lang=en", data={
        "csrf": re.search(r'name="csrf" value="([^"]+)"', refused.text).group(1),
        "template": typo,
    })
    assert "Welcome message not saved: {nmae} is no placeholder." in english.text
    assert (await group_settings(dash)).get("screening", {}).get("rules") is None
    assert not fake_telegram.called("deleteMessage")


def steered(settings: dict) -> list:
    return [settings.get(section) for section in ("adfilter", "welcome", "screening")]


async def test_a_form_without_the_sessions_token_changes_nothing(dash):
    before = steered(await group_settings(dash))
    for form, field, value in (("filter", "mode", "off"), ("welcome", "template", "Hi {name}"),
                               ("rules", "rules", "No ads")):
        for data in ({field: value}, {field: value, "csrf": "forged"}):
            refused = await dash.client.post(f"{GROUP}/{form}", data=data)
            assert refused.status_code == 403, form
    assert steered(await group_settings(dash)) == before
    dash.client.cookies.clear()
    signed_out = await dash.client.post(f"{GROUP}/filter", data={"mode": "off", "csrf": "x"})
    assert signed_out.status_code == 401
