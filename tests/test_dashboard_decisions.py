"""Ad-filter decisions on the dashboard: explained as /why explains them, undone as /undo
undoes them, and strangers' words shown as text, never as markup."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from bot.core.i18n import named
from bot.db.models import Member
from handlers.moderation_store import ModerationDecision
from tests.dashboard_support import OPERATOR
from tests.factories import GROUP_ID, MEMBER_ID, OPERATOR_ID, make_message_update, user
from tests.harness import eventually

ALICE = user(MEMBER_ID, "Alice", username="alice")
AD = "加我微信 abc123 领取福利，名额有限"
SCRIPT = "<script>alert(1)</script>"




def decisions_url(chat_id: int = GROUP_ID) -> str:
    return f"/dashboard/groups/{chat_id}/decisions"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def decisions(harness) -> list[ModerationDecision]:
    query = select(ModerationDecision).order_by(ModerationDecision.id)
    return await harness.run_sync(lambda s: list(s.scalars(query)))


async def muted_newcomer(harness, fake_telegram) -> ModerationDecision:
    """A newcomer posts an ad twice: deleted, then muted; the mute's decision."""
    await harness.post_update(make_message_update(AD, sender=ALICE))
    await harness.post_update(make_message_update(AD, sender=ALICE))
    await fake_telegram.wait_for("restrictChatMember")
    await eventually(harness.settled)
    return (await decisions(harness))[1]


async def test_a_newcomers_ad_is_listed_with_its_detectors_and_the_why(dash, fake_telegram):
    mute = await muted_newcomer(dash, fake_telegram)
    page = await dash.client.get(decisions_url())
    assert page.status_code == 200
    row = page.text[page.text.index(f'id="decision-{mute.id}"'):]
    row = row[: row.index("</tr>")]
    _id, _at, member, action, detectors, why, text, state = re.findall(
        r"<td[^>]*>(.*?)</td>", row, re.DOTALL
    )
    assert "@alice" in member and str(MEMBER_ID) in member
    assert "禁言" in action and "abc123" in text
    fired = [v["name"] for v in mute.verdicts if v["spam"] or v["score"] > 0]
    assert fired
    assert sorted(detectors.split(", ")) == sorted(named("zh", "reason.check", n) for n in fired)
    # The explanation is the one /why gives in chat, line for line.
    await dash.post_update(make_message_update(f"/why {mute.id}", sender=OPERATOR))
    await eventually(dash.settled)
    told = fake_telegram.called("sendMessage")[-1]["text"]
    assert told.startswith(f"#{mute.id}")
    for line in told.splitlines()[2:]:  # past the head and the message: the checks' lines
        assert str(escape(line)) in why, line
    assert "撤销" in state


async def test_undo_on_the_page_restores_as_undo_in_chat(dash, fake_telegram):
    mute = await muted_newcomer(dash, fake_telegram)
    page = await dash.client.get(decisions_url())
    undone = await dash.client.post(f"{decisions_url()}/{mute.id}/undo",
                                    data={"csrf": csrf_of(page.text)})
    assert undone.status_code == 303
    assert undone.headers["location"].endswith(f"?outcome=done&decision={mute.id}")
    await fake_telegram.wait_for("restrictChatMember", 2)
    await eventually(dash.settled)
    lifted = fake_telegram.called("restrictChatMember")[1]
    assert lifted["user_id"] == MEMBER_ID and lifted["permissions"]["can_send_messages"] is True
    told = fake_telegram.called("sendMessage")[-1]
    assert told["chat_id"] == GROUP_ID and told["text"].startswith(f"已撤销 #{mute.id}")
    row = (await decisions(dash))[1]
    assert (row.undone, row.undone_by) == (True, "dashboard")
    member = await dash.run_sync(
        lambda s: s.scalar(select(Member).where(Member.user_id == str(MEMBER_ID)))
    )
    assert member.muted_until is None
    shown = await dash.client.get(undone.headers["location"])
    assert f"已撤销 #{mute.id}" in shown.text and "已撤销（控制台" in shown.text
    # A second press (another tab, another operator) undoes nothing twice.
    again = await dash.client.post(f"{decisions_url()}/{mute.id}/undo",
                                   data={"csrf": csrf_of(page.text)})
    assert again.headers["location"].endswith(f"outcome=already&decision={mute.id}")
    await eventually(dash.settled)
    assert len(fake_telegram.called("restrictChatMember")) == 2


async def test_an_undo_without_the_sessions_token_is_refused(dash, fake_telegram):
    mute = await muted_newcomer(dash, fake_telegram)
    for data in ({}, {"csrf": "forged"}):
        refused = await dash.client.post(f"{decisions_url()}/{mute.id}/undo", data=data)
        assert refused.status_code == 403
    assert not (await decisions(dash))[1].undone


async def test_a_decision_of_another_group_is_not_undone_from_this_one(dash, fake_telegram):
    mute = await muted_newcomer(dash, fake_telegram)
    other = -1005550001
    await dash.post_update(make_message_update("hi", chat_id=other, sender=OPERATOR))
    await eventually(dash.settled)
    page = await dash.client.get(decisions_url(other))
    refused = await dash.client.post(f"{decisions_url(other)}/{mute.id}/undo",
                                     data={"csrf": csrf_of(page.text)})
    assert refused.headers["location"].endswith(f"outcome=unknown&decision={mute.id}")
    assert not (await decisions(dash))[1].undone


async def test_strangers_markup_in_titles_names_and_messages_is_shown_as_text(
        dash, fake_telegram):
    chat = {"id": GROUP_ID, "type": "supergroup", "title": f"Deals {SCRIPT}"}
    spammer = user(MEMBER_ID, f'<img src=x onerror="alert(2)">{SCRIPT}')
    await dash.post_update(make_message_update(f"{AD} {SCRIPT}", sender=spammer, chat=chat))
    await fake_telegram.wait_for("deleteMessage")
    await eventually(dash.settled)
    for path in ("/dashboard", f"/dashboard/groups/{GROUP_ID}", decisions_url()):
        page = await dash.client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_the_pages_undo_sends_what_undo_in_chat_sends(dash, fake_telegram):
    bob = user(333, "Bob")
    for who in (ALICE, bob):
        await dash.post_update(make_message_update(AD, sender=who))
        await dash.post_update(make_message_update(AD, sender=who))
    await fake_telegram.wait_for("restrictChatMember", 2)
    await eventually(dash.settled)
    mutes = {d.user_id: d for d in await decisions(dash) if d.action == "mute"}
    await dash.post_update(make_message_update(f"/undo {mutes['333'].id}", sender=OPERATOR))
    await fake_telegram.wait_for("restrictChatMember", 3)
    page = await dash.client.get(decisions_url())
    await dash.client.post(f"{decisions_url()}/{mutes[str(MEMBER_ID)].id}/undo",
                           data={"csrf": csrf_of(page.text)})
    await fake_telegram.wait_for("restrictChatMember", 4)
    await eventually(dash.settled)
    by_chat, by_page = fake_telegram.called("restrictChatMember")[2:]
    assert (by_chat["user_id"], by_page["user_id"]) == (333, MEMBER_ID)
    assert {**by_chat, "user_id": None} == {**by_page, "user_id": None}
    undone = {d.user_id: d.undone_by for d in await decisions(dash) if d.undone}
    assert undone == {"333": str(OPERATOR_ID), str(MEMBER_ID): "dashboard"}


async def test_a_shadow_decision_says_what_real_mode_would_have_done(dash, fake_telegram):
    await dash.post_update(make_message_update("/filter shadow on", sender=OPERATOR))
    await eventually(dash.settled)
    await dash.post_update(make_message_update(AD, sender=ALICE))
    await eventually(dash.settled)
    (shadow,) = await decisions(dash)
    assert shadow.shadow and not fake_telegram.called("deleteMessage")
    listed = await dash.client.get("/dashboard")
    assert '<span class="mode mode-shadow">影子模式</span>' in listed.text
    page = await dash.client.get(decisions_url())
    assert "本应删除" in page.text
    english = await dash.client.get(decisions_url() + "?lang=en")
    assert "would have deleted it" in english.text
    await dash.client.post(f"{decisions_url()}/{shadow.id}/undo",
                           data={"csrf": csrf_of(page.text)})
    await eventually(dash.settled)
    assert (await decisions(dash))[0].undone
    # Nothing was done to the member, so nothing is lifted; the operators hear it was marked.
    assert not fake_telegram.called("restrictChatMember")
    told = fake_telegram.called("sendMessage")[-1]["text"]
    assert told.startswith(f"已撤销 #{shadow.id}：已标记")
