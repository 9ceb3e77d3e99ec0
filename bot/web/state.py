"""The running service's parts, built by `create_app` and reachable from requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dispatch import Dispatcher
from bot.inbox.processor import InboxProcessor
from bot.inbox.writer import GroupCommitWriter
from bot.leader import LeaderElection
from bot.metrics import Metrics
from bot.outbox.sender import OutboxSender
from bot.platforms.base import Platform
from bot.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    metrics: Metrics
    dispatcher: Dispatcher
    inbox_writer: GroupCommitWriter
    processor: InboxProcessor
    sender: OutboxSender
    leader: LeaderElection
    # Leader-only loop firing newcomer verification deadlines (handlers.verification_timeouts).
    verification_timeouts: Any = None
    # Leader-only loop checking queued photos for QR codes (bot.media.photo_checks).
    photo_checks: Any = None
    # Leader-only loop reading member lists sent to /allowlist import as files
    # (bot.media.allowlist_files).
    allowlist_files: Any = None
    # Leader-only loop asking the platform about presses by unseen members
    # (bot.groups.membership_checks).
    membership_checks: Any = None
    # Leader-only scheduler service (schedules.service.SchedulerService).
    scheduler: Any = None
    # Leader-only loop reading groups' administrators (bot.groups.sync.GroupSync).
    group_sync: Any = None
    platforms: dict[str, Platform] = field(default_factory=dict)
    # Asks Telegram for the bot's @username until it answers (bot.app._learn_username).
    learn_username: asyncio.Task[None] | None = None
