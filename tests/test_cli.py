"""The `qunbot` command line, run as a user runs it: a separate process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.db.engine import create_engine
from bot.db.models import Group
from bot.web.dashboard_session_store import DashboardSessionRow
from tests.factories import GROUP_ID, make_chat_member_update, make_message_update
from tests.fakes.telegram_api import BOT_ID, TOKEN, Failure, admin_member
from tests.harness import eventually
from tests.test_container import free_port

QUNBOT = str(Path(sys.executable).parent / "qunbot")


async def run_cli(*args: str, **env: str) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QUNBOT_")}
    process = await asyncio.create_subprocess_exec(
        QUNBOT,
        *args,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode()


def env_for(fake, database_url, **extra) -> dict[str, str]:
    return {
        "QUNBOT_TELEGRAM_TOKEN": TOKEN,
        "QUNBOT_TELEGRAM_API_BASE": fake.base_url,
        "QUNBOT_DATABASE_URL": database_url,
        "QUNBOT_PUBLIC_URL": "https://bot.example.com",
        "QUNBOT_WEBHOOK_SECRET": "s3cret",
        **extra,
    }


async def test_set_webhook_subscribes_to_chat_member_and_sets_commands(fake_telegram, database_url):
    code, out = await run_cli("set-webhook", **env_for(fake_telegram, database_url))
    assert code == 0, out
    (hook,) = fake_telegram.called("setWebhook")
    assert hook["url"] == "https://bot.example.com/webhook/telegram"
    assert hook["secret_token"] == "s3cret"
    assert "chat_member" in hook["allowed_updates"] and "message" in hook["allowed_updates"]
    english, chinese = fake_telegram.called("setMyCommands")
    assert {"command": "help", "description": "Show the commands"} in english["commands"]
    assert chinese["language_code"] == "zh"
    assert {"command": "help", "description": "查看可用命令"} in chinese["commands"]
    assert "Webhook set to https://bot.example.com/webhook/telegram" in out
    assert TOKEN not in out


async def test_set_webhook_without_public_url_says_what_is_missing(fake_telegram, database_url):
    env = env_for(fake_telegram, database_url)
    del env["QUNBOT_PUBLIC_URL"]
    code, out = await run_cli("set-webhook", **env)
    assert code == 1 and "QUNBOT_PUBLIC_URL is not set" in out
    assert fake_telegram.called("setWebhook") == []


async def test_check_config_reports_what_to_fix(fake_telegram, bot):
    await bot.post_update(make_message_update("hi"))
    await eventually(bot.settled)
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
    fake_telegram.privacy_mode = True
    fake_telegram.chat_members[(int(group.chat_id), 123456789)] = admin_member(
        can_restrict_members=False
    )
    env = env_for(fake_telegram, bot.settings.database_url)
    code, out = await run_cli("check-config", **env)
    assert code == 1, out
    assert "OK   token: bot @qunbot_test_bot" in out
    assert "WARN privacy mode: on" in out
    assert "FAIL webhook: none set" in out
    assert "cannot mute, verify and ban members" in out

    await run_cli("set-webhook", **env)
    fake_telegram.privacy_mode = False
    fake_telegram.chat_members.clear()
    code, out = await run_cli("check-config", **env)
    assert code == 0, out
    assert "OK   webhook: https://bot.example.com/webhook/telegram" in out
    assert "admin with every right needed" in out


async def test_check_config_with_a_bad_token(fake_telegram, database_url):
    env = env_for(fake_telegram, database_url, QUNBOT_TELEGRAM_TOKEN="42:wrong-token")
    code, out = await run_cli("check-config", **env)
    assert code == 1 and "FAIL token: Telegram refused it" in out


async def test_migrate_creates_the_schema(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    code, out = await run_cli("migrate", QUNBOT_DATABASE_URL=url)
    assert code == 0, out
    assert "database is up to date" in out
    assert (tmp_path / "new.db").exists()


async def test_invalid_settings_are_reported_not_a_traceback():
    code, out = await run_cli("migrate", QUNBOT_PORT="not-a-number")
    assert code == 2
    assert "Invalid settings" in out and "Traceback" not in out


async def test_empty_variables_read_as_unset(fake_telegram, database_url):
    # `docker run -e QUNBOT_TELEGRAM_TOKEN= -e QUNBOT_PORT=`: not set, not a token "" or a port "".
    env = env_for(fake_telegram, database_url, QUNBOT_TELEGRAM_TOKEN="", QUNBOT_PORT="")
    code, out = await run_cli("check-config", **env)
    assert code == 1 and "FAIL token: QUNBOT_TELEGRAM_TOKEN is not set" in out, out
    assert fake_telegram.calls == []


async def test_an_unsupported_database_url_is_named_without_its_password():
    # postgresql:// picks a driver that is not installed; the value is never echoed back.
    for url in ("postgresql://qunbot:hunter2@db.internal/qunbot", "qunbot:hunter2@db.internal"):
        code, out = await run_cli("migrate", QUNBOT_DATABASE_URL=url)
        assert code == 2, out
        assert "QUNBOT_DATABASE_URL" in out and "postgresql+asyncpg://" in out, out
        assert "Traceback" not in out and "hunter2" not in out, out


async def test_a_misspelt_timezone_is_refused_at_start(tmp_path):
    # Accepted, it failed every update of each group without a timezone of its own.
    url = f"sqlite+aiosqlite:///{tmp_path / 'tz.db'}"
    code, out = await run_cli("migrate", QUNBOT_TIMEZONE="Asia/Shangai", QUNBOT_DATABASE_URL=url)
    assert code == 2, out
    assert "QUNBOT_TIMEZONE: Value error, unknown time zone" in out and "Traceback" not in out


async def test_a_time_zone_folder_is_refused_at_start_not_a_traceback(tmp_path):
    # "Asia" is a folder of the zone database: opening it raised IsADirectoryError.
    url = f"sqlite+aiosqlite:///{tmp_path / 'tz.db'}"
    code, out = await run_cli("migrate", QUNBOT_TIMEZONE="Asia", QUNBOT_DATABASE_URL=url)
    assert code == 2, out
    assert "QUNBOT_TIMEZONE: Value error, unknown time zone" in out and "Traceback" not in out


async def test_the_public_url_may_carry_the_webhook_path_and_must_be_https(
    fake_telegram, database_url
):
    # Given with the path (as getWebhookInfo shows it), the path was added a second time.
    env = env_for(fake_telegram, database_url)
    env["QUNBOT_PUBLIC_URL"] = "https://bot.example.com/webhook/telegram/"
    code, out = await run_cli("set-webhook", **env)
    assert code == 0, out
    (hook,) = fake_telegram.called("setWebhook")
    assert hook["url"] == "https://bot.example.com/webhook/telegram"
    # Telegram refuses http: said at once, not by Telegram at set-webhook.
    env["QUNBOT_PUBLIC_URL"] = "http://bot.example.com"
    code, out = await run_cli("set-webhook", **env)
    assert code == 2, out
    assert "QUNBOT_PUBLIC_URL: Value error, Telegram calls webhooks over https only" in out
    assert len(fake_telegram.called("setWebhook")) == 1


async def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start(
    fake_telegram, database_url
):
    env = env_for(fake_telegram, database_url, QUNBOT_WEBHOOK_SECRET="my secret!")
    code, out = await run_cli("set-webhook", **env)
    assert code == 2, out
    assert "QUNBOT_WEBHOOK_SECRET: Value error, Telegram takes 1 to 256 characters" in out
    assert "my secret!" not in out and fake_telegram.called("setWebhook") == []


async def test_a_retention_past_the_calendar_is_refused_at_start():
    code, out = await run_cli("serve", QUNBOT_RETENTION_DAYS="1000000", QUNBOT_PORT="1")
    assert code == 2, out
    assert "QUNBOT_RETENTION_DAYS: Input should be less than or equal to 36500" in out


async def test_an_unknown_log_level_is_refused_not_a_traceback():
    code, out = await run_cli("serve", QUNBOT_LOG_LEVEL="VERBOSE", QUNBOT_PORT="1")
    assert code == 2, out
    assert "QUNBOT_LOG_LEVEL: Value error, unknown log level" in out and "Traceback" not in out


async def test_migrate_against_an_unreachable_database_says_so_not_a_traceback(tmp_path):
    for url in (
        f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}",
        "postgresql+asyncpg://qunbot:hunter2@127.0.0.1:9/qunbot",  # nothing listens there
    ):
        code, out = await run_cli("migrate", QUNBOT_DATABASE_URL=url)
        assert code == 1, out
        assert "Cannot migrate the database" in out and "QUNBOT_DATABASE_URL" in out, out
        assert "Traceback" not in out and "hunter2" not in out, out


async def test_a_token_without_its_bot_id_is_refused_and_not_repeated(fake_telegram, database_url):
    # Without the "123456789:" part the whole token became the bot id stored with every update.
    for token in ("AAEhBP0av28lpsDqjGmQr7zw5Xk0123456", "bot123456789:AAEhBP0av28lpsDq"):
        env = env_for(fake_telegram, database_url, QUNBOT_TELEGRAM_TOKEN=token)
        code, out = await run_cli("set-webhook", **env)
        assert code == 2, out
        assert "QUNBOT_TELEGRAM_TOKEN: Value error, not a bot token" in out, out
        assert token not in out
    assert fake_telegram.calls == []


async def test_operators_given_by_username_are_refused(tmp_path):
    # "@alice" was accepted and never matched a message's numeric sender id.
    url = f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}"
    env = {"QUNBOT_DATABASE_URL": url}
    code, out = await run_cli("migrate", QUNBOT_OPERATORS="11111111, @alice", **env)
    assert code == 2, out
    assert "QUNBOT_OPERATORS: Value error, operators are numeric user ids" in out
    code, out = await run_cli("migrate", QUNBOT_OPERATORS=" 111, 222 ,", **env)
    assert code == 0, out


async def test_a_port_beyond_65535_is_refused_not_served_elsewhere(tmp_path):
    # 70000 was taken modulo 65536: the service listened on 4464 and logged 70000.
    url = f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"  # never serves unfixed
    code, out = await run_cli("serve", "--migrate", "--port", "70000", QUNBOT_DATABASE_URL=url)
    assert code == 2 and "--port" in out, out
    code, out = await run_cli("serve", "--migrate", QUNBOT_PORT="70000", QUNBOT_DATABASE_URL=url)
    assert code == 2 and "QUNBOT_PORT: Input should be less than or equal to 65535" in out, out


async def test_a_rate_of_zero_is_refused_not_a_crash_at_start(tmp_path):
    # Read as "no limit", 0 divided by zero when the service started (a traceback, no service).
    url = f"sqlite+aiosqlite:///{tmp_path / 'rate.db'}"
    env = {"QUNBOT_DATABASE_URL": url, "QUNBOT_SEND_MAX_ATTEMPTS": "0"}
    code, out = await run_cli("migrate", QUNBOT_RATE_PER_CHAT_PER_SECOND="0", **env)
    assert code == 2, out
    assert "QUNBOT_RATE_PER_CHAT_PER_SECOND: Input should be greater than 0" in out
    assert "QUNBOT_SEND_MAX_ATTEMPTS: Input should be greater than or equal to 1" in out


async def test_check_config_sees_a_webhook_set_without_update_types(fake_telegram, database_url):
    # Set by hand (curl .../setWebhook?url=...) Telegram's default leaves chat_member out, and
    # check-config said OK because no list was shown.
    env = env_for(fake_telegram, database_url)
    await run_cli("set-webhook", **env)
    fake_telegram.webhook["allowed_updates"] = []
    code, out = await run_cli("check-config", **env)
    assert code == 1, out
    assert "FAIL webhook: not subscribed to chat_member" in out


async def test_a_bot_api_out_of_reach_is_not_called_a_bad_token(tmp_path):
    # Where api.telegram.org is blocked, check-config said "Telegram refused it ... Check the
    # token" and set-webhook "Telegram refused", sending the operator after a good token.
    nothing = "http://127.0.0.1:9"  # nothing listens there
    env = {
        "QUNBOT_TELEGRAM_TOKEN": TOKEN,
        "QUNBOT_TELEGRAM_API_BASE": nothing,
        "QUNBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'reach.db'}",
        "QUNBOT_PUBLIC_URL": "https://bot.example.com",
    }
    for command in ("check-config", "set-webhook"):
        code, out = await run_cli(command, **env)
        assert code == 1, out
        assert "cannot reach the Bot API at 127.0.0.1:9" in out, out
        assert "QUNBOT_TELEGRAM_API_BASE" in out and "refused" not in out, out
        assert "token" not in out.lower().replace("qunbot_telegram_token", ""), out


async def test_check_config_names_an_unreachable_database_and_a_missing_secret(fake_telegram):
    # It said "run `qunbot migrate`" for a database that was not there at all, and nothing of
    # a webhook any stranger could post forged updates to.
    env = env_for(fake_telegram, "postgresql+asyncpg://qunbot:hunter2@127.0.0.1:9/qunbot")
    del env["QUNBOT_WEBHOOK_SECRET"]
    await run_cli("set-webhook", **env)
    code, out = await run_cli("check-config", **env)
    assert code == 1, out
    assert "FAIL database: cannot connect" in out and "QUNBOT_DATABASE_URL" in out, out
    assert "migrate" not in out and "hunter2" not in out, out
    assert "WARN webhook secret: QUNBOT_WEBHOOK_SECRET is not set" in out, out


async def test_check_config_goes_on_past_a_webhook_it_cannot_read(fake_telegram, database_url):
    # A 502 on getWebhookInfo (Telegram busy, a proxy in the way) ended check-config in a
    # traceback, and the groups were never checked.
    fake_telegram.fail_next("getWebhookInfo", Failure(502, "Bad Gateway"))
    code, out = await run_cli("check-config", **env_for(fake_telegram, database_url))
    assert code == 1, out
    assert "FAIL webhook: cannot reach the Bot API" in out and "Bad Gateway" in out, out
    assert "Traceback" not in out and "groups:" in out, out


async def test_addresses_without_a_scheme_or_a_host_are_refused_at_start(tmp_path):
    # "api.telegram.org" (no scheme) made every Bot API call fail, retried for ever, and
    # "https://" (no host) was registered as the webhook.
    url = f"sqlite+aiosqlite:///{tmp_path / 'addr.db'}"
    code, out = await run_cli("migrate", QUNBOT_DATABASE_URL=url,
                              QUNBOT_TELEGRAM_API_BASE="api.telegram.org",
                              QUNBOT_PUBLIC_URL="https://")
    assert code == 2, out
    assert "QUNBOT_TELEGRAM_API_BASE: Value error, write the address with http://" in out, out
    assert "QUNBOT_PUBLIC_URL: Value error, Telegram calls webhooks over https only" in out, out


async def test_check_config_passes_over_groups_the_bot_has_left(fake_telegram, bot):
    # A flash group dissolved at its end (the bot leaves), or a group that removed the bot,
    # was asked about on every run and failed check-config for good.
    me = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot"}
    await bot.post_update(make_message_update("hi"))
    await bot.post_update(make_chat_member_update(me, "administrator", "kicked",
                                                  kind="my_chat_member"))
    await eventually(bot.settled)
    fake_telegram.chat_members[(GROUP_ID, BOT_ID)] = {"status": "kicked", "user": me}
    env = env_for(fake_telegram, bot.settings.database_url)
    await run_cli("set-webhook", **env)
    code, out = await run_cli("check-config", **env)
    assert code == 0, out
    assert "INFO group Qunbot Test Group (-1001234567890): the bot is no longer in it" in out


async def test_a_host_that_does_not_resolve_is_named_with_its_value(tmp_path):
    # uvicorn said "[Errno -2] Name or service not known" after the start-up, naming nothing.
    url = f"sqlite+aiosqlite:///{tmp_path / 'host.db'}"
    code, out = await run_cli("serve", QUNBOT_HOST="not a host", QUNBOT_DATABASE_URL=url,
                              QUNBOT_PORT="1")
    assert code == 2, out
    assert "QUNBOT_HOST='not a host'" in out and "Traceback" not in out, out
    code, out = await run_cli("serve", "--host", "not a host", QUNBOT_DATABASE_URL=url,
                              QUNBOT_PORT="1")
    assert code == 2 and "--host='not a host'" in out, out


async def test_check_config_leaves_a_missing_sqlite_database_uncreated(fake_telegram, tmp_path):
    # Connecting to look created an empty qunbot.db, which then read as a database to migrate.
    path = tmp_path / "never-migrated.db"
    env = env_for(fake_telegram, f"sqlite+aiosqlite:///{path}")
    code, out = await run_cli("check-config", **env)
    assert code == 1, out
    assert f"FAIL database: {path} does not exist" in out and "`qunbot migrate`" in out, out
    assert not path.exists()
    path.touch()  # an empty file, as earlier versions left behind
    code, out = await run_cli("check-config", **env)
    assert code == 1 and "FAIL database: its schema is behind this version" in out, out


async def test_check_config_asks_for_the_public_url_only_when_it_is_unset(
    fake_telegram, database_url
):
    # With QUNBOT_PUBLIC_URL set and no webhook yet, it still said "set QUNBOT_PUBLIC_URL".
    env = env_for(fake_telegram, database_url)
    code, out = await run_cli("check-config", **env)
    assert code == 1, out
    assert ("FAIL webhook: none set. Fix: to register https://bot.example.com/webhook/telegram, "
            "run `qunbot set-webhook`.") in out, out
    assert "set QUNBOT_PUBLIC_URL" not in out and "public URL" not in out, out
    del env["QUNBOT_PUBLIC_URL"]
    code, out = await run_cli("check-config", **env)
    assert "FAIL webhook: none set. Fix: set QUNBOT_PUBLIC_URL" in out, out
    # Set, but where Telegram never calls: said what is wrong with it.
    for public_url, problem in (
        ("https://bot.example.com:8080", "Telegram calls webhooks on ports 443, 80, 88, 8443 only"),
        ("https://127.0.0.1", "127.0.0.1 is not reachable from the internet"),
    ):
        env["QUNBOT_PUBLIC_URL"] = public_url
        code, out = await run_cli("check-config", **env)
        assert code == 1, out
        assert f"FAIL public URL: QUNBOT_PUBLIC_URL={public_url}: {problem}" in out, out
        assert "Fix: correct QUNBOT_PUBLIC_URL (above)" in out, out


async def test_serve_believes_forwarded_headers_only_from_the_proxies_named(
    tmp_path, fake_telegram, database_url
):
    # uvicorn trusted a proxy on this host only, and no setting said otherwise: behind a proxy
    # elsewhere every client was the proxy, sharing one dashboard lockout.
    code, out = await run_cli("serve", QUNBOT_FORWARDED_ALLOW_IPS="10.0.0.0/33", QUNBOT_PORT="1")
    assert code == 2, out
    assert "QUNBOT_FORWARDED_ALLOW_IPS: Value error, write the proxies' addresses" in out
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNBOT_")}
    env.update(env_for(fake_telegram, database_url), QUNBOT_PORT=str(port),
               QUNBOT_DASHBOARD_PASSWORD="pw", QUNBOT_FORWARDED_ALLOW_IPS="10.0.0.0/8")
    process = await asyncio.create_subprocess_exec(
        QUNBOT, "serve", env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    await client.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            signed = await client.post(
                "/dashboard/login", data={"password": "pw"},
                headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
            )
            assert signed.status_code == 303
            # This host is no proxy named: its headers are not believed.
            assert "Secure" not in signed.headers["set-cookie"]
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        clients = (await conn.execute(select(DashboardSessionRow.client))).scalars().all()
    await engine.dispose()
    assert clients == ["127.0.0.1"]
