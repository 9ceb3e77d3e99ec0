"""Members' ad reports on the dashboard: who reported whose message, whether it counted and
why not, and what came of it, as the reports arrived through the webhook."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.web import dashboard_pages
from handlers.moderation_store import ModerationDecision
from tests.dashboard_support import GROUP
from tests.factories import (
    MEMBER_ID,
    make_channel_message_update,
    make_message_update,
    make_update,
    message,
    user,
)
from tests.handlers.report_support import regulars
from tests.harness import eventually

ALICE = user(MEMBER_ID, "Alice", username="alice")
BOB, CAROL = user(333, "Bob"), user(444, "Carol")
ERIN, FRANK, GRACE = user(666, "<b>Erin</b>"), user(777, "Frank"), user(888, "Grace")




async def posted(harness, text: str) -> dict:
    target = message(text, sender=ALICE)
    await harness.post_update(make_update("message", target))
    await eventually(harness.settled)
    return target


async def report(harness, target: dict, *reporters: dict) -> None:
    for reporter in reporters:
        await harness.post_update(
            make_message_update("/report", sender=reporter, reply_to_message=target)
        )
    await eventually(harness.settled)


def report_cells(html: str) -> list[list[str]]:
    """Each report row's cells, newest first, tags stripped."""
    rows = re.findall(r'<tr id="report-\d+">(.*?)</tr>', html, re.DOTALL)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
         for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in rows
    ]


async def test_reports_show_who_reported_what_whether_it_counted_and_what_came_of_it(
        dash, fake_telegram):
    await regulars(dash, ALICE, ERIN, FRANK, GRACE)
    await regulars(dash, BOB, joined=datetime.now(UTC) - timedelta(hours=2))
    await regulars(dash, CAROL, messages=0)
    acted = await posted(dash, "the meeting is at 5 <script>x</script> ok")
    await report(dash, acted, BOB, CAROL)
    await dash.post_update(make_channel_message_update("/report", reply_to_message=acted))
    await report(dash, acted, ERIN, FRANK, GRACE)
    await fake_telegram.wait_for("deleteMessage")
    waiting = await posted(dash, "see you all tomorrow")
    await report(dash, waiting, ERIN)
    # The filter off (from the page): reports are passed to the operators instead.
    page = await dash.client.get(GROUP)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    await dash.client.post(f"{GROUP}/filter", data={"csrf": csrf, "mode": "off"})
    referred = await posted(dash, "join my other group")
    await report(dash, referred, ERIN, FRANK, GRACE)
    assert len(fake_telegram.called("deleteMessage")) == 1

    listed = await dash.client.get(f"{GROUP}/reports")
    assert listed.status_code == 200
    rows = report_cells(listed.text)
    assert len(rows) == 10
    who = [(r[1], r[3], r[4]) for r in rows]
    async with dash.sessions() as session:
        (decision,) = await session.scalars(select(ModerationDecision.id))
    acted_on = f"已处理：删除并禁言（#{decision}，成员举报）"
    assert who[:-7:-1] == [
        ("Bob 333", "不计入：入群不到 1 天", acted_on),
        ("Carol 444", "不计入：发言太少，仍按新成员看待", acted_on),
        ("Promo Deals -1009876543210", "不计入：以频道身份举报（一人可有多个频道）", acted_on),
        ("&lt;b&gt;Erin&lt;/b&gt; 666", "计入", acted_on),
        ("Frank 777", "计入", acted_on),
        ("Grace 888", "计入", acted_on),
    ]
    assert who[3] == ("&lt;b&gt;Erin&lt;/b&gt; 666", "计入", "等待更多举报（1/3）")
    assert {r[4] for r in rows[:3]} == {"已转告管理员：广告过滤关闭时举报不删除"}
    assert rows[-1][2] == (
        "@alice 222 the meeting is at 5 &lt;script&gt;x&lt;/script&gt; ok"
    )
    assert "<script>x" not in listed.text and "<b>Erin" not in listed.text
    # The group page shows the latest ones, and links to all of them.
    group = await dash.client.get(GROUP)
    assert len(report_cells(group.text)) == 10 and f'href="{GROUP}/reports"' in group.text
    english = await dash.client.get(f"{GROUP}/reports?lang=en")
    cells = report_cells(english.text)
    assert cells[0][4] == "referred to the operators: with the filter off reports remove nothing"
    assert cells[-1][3] == "not counted: joined less than a day before"
    assert cells[3][4] == "waiting for more reports (1/3)"


async def test_reports_are_paged(dash, monkeypatch):
    monkeypatch.setattr(dashboard_pages, "PER_PAGE", 2)
    await regulars(dash, ALICE, ERIN)
    for n in range(3):
        await report(dash, await posted(dash, f"message {n}"), ERIN)
    first = await dash.client.get(f"{GROUP}/reports")
    assert [r[2] for r in report_cells(first.text)] == ["@alice 222 message 2",
                                                        "@alice 222 message 1"]
    assert 'href="?offset=2"' in first.text
    older = await dash.client.get(f"{GROUP}/reports?offset=2")
    assert [r[2] for r in report_cells(older.text)] == ["@alice 222 message 0"]
    assert "offset=4" not in older.text
    assert (await dash.client.get("/dashboard/groups/-100999/reports")).status_code == 404
