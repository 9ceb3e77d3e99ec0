"""Loading and updating group and member records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import Chat, Event, EventKind, User
from bot.db.models import Group, Member
from bot.groups.chat_refs import follow_moved_chat
from bot.groups.merge import group_tables, merge_groups

ADMIN_STATUSES = {"creator": "owner", "administrator": "admin"}
GONE = frozenset({"left", "kicked"})  # statuses of someone (or the bot) no longer in the group
# Telegram's user ids have at most 52 significant bits: a longer number is a slip, not a person.
MAX_USER_ID = 2**52


def is_join(event: Event) -> bool:
    """Someone joined a group: its join message, or a member update from outside it. Telegram
    sends no join message in large groups (nor in those hiding their members), and both in the
    others: `Context.arrivals` names whom this notice is the first word of."""
    if not event.chat.is_group:
        return False
    if event.kind is EventKind.MEMBER_JOINED:
        return True
    updated = event.kind is EventKind.MEMBER_UPDATED
    return updated and event.old_status in GONE and event.new_status not in GONE


async def find_group(session: AsyncSession, platform: str, chat_id: str) -> Group | None:
    return await session.scalar(
        select(Group).where(Group.platform == platform, Group.chat_id == chat_id)
    )


async def find_current_group(
    session: AsyncSession, platform: str | None, chat_id: str
) -> Group | None:
    """The group `chat_id` names now: the chat itself, or the supergroup it was upgraded to.
    For what operators and old buttons name; updates find their group by `find_group`, so
    records of the two ids are merged rather than confused while an upgrade is under way.
    `platform` None: any platform (ids do not collide across them in practice)."""
    for column in (Group.chat_id, Group.former_chat_id):
        query = select(Group).where(column == chat_id).order_by(Group.id).limit(1)
        if platform is not None:
            query = query.where(Group.platform == platform)
        group = await session.scalar(query)
        if group is not None:
            return group
    return None


def typed_user_id(text: str) -> str | None:
    """A user id an operator typed, written as the platform writes ids; None for a number no
    account can have, or no number.

    A Chinese keyboard types full-width digits ("２２２"): read as they are, they named a
    member nobody is, whose points or ban then helped no one."""
    # isdecimal, not isdigit: "²" is a digit int() cannot read; int() reads "２２２" as 222.
    if not text.isdecimal():
        return None
    number = int(text)
    return str(number) if 0 < number < MAX_USER_ID else None


async def find_member(session: AsyncSession, group_id: int, who: str) -> Member | None:
    """The member of a group named by an operator: `@username` (any case) or a user id.

    A username moves with its account's owner, and only a row seen since learns of it (see
    `_take_username`): where rows stored before that still share one, the one seen last
    holds it."""
    query = select(Member).where(Member.group_id == group_id)
    if who.startswith("@"):
        query = query.where(func.lower(Member.username) == who[1:].lower()).order_by(
            Member.last_seen_at.is_(None), Member.last_seen_at.desc(), Member.id.desc()
        )
    else:
        query = query.where(Member.user_id == who)
    return await session.scalar(query.limit(1))


def seen_as_member(member: Member | None) -> bool:
    """Whether the bot has seen this person in the group as a member, who has not left since.

    Every event's sender gets a row, a stranger's button press included (anyone may read a
    public group's messages through its link), so a row alone proves nothing: a join seen, a
    message with words, an admin's place in the admin list, or the platform's word when the bot
    asked (a member from before the bot who has said nothing since) does.
    """
    if member is None or member.status in GONE:
        return False
    spoke = (member.message_count or 0) > 0
    confirmed = member.confirmed_at is not None  # the platform said so, asked by the bot
    return member.joined_at is not None or spoke or confirmed or member.role != "member"


async def get_or_create_group(session: AsyncSession, platform: str, chat: Chat) -> Group:
    group = await find_group(session, platform, chat.id)
    if group is None:
        group = Group(platform=platform, chat_id=chat.id, chat_type=chat.type.value, settings={})
        session.add(group)
    if chat.title and group.title != chat.title:
        group.title = chat.title
    if group.chat_type != chat.type.value:
        group.chat_type = chat.type.value
    await session.flush()
    return group


async def stored_user(session: AsyncSession, group_id: int, user_id: str) -> User:
    """A member as their row last recorded them, for an event a worker makes long after the
    platform's update: a warning or an announcement then names them as the update would."""
    member = await session.scalar(
        select(Member).where(Member.group_id == group_id, Member.user_id == user_id)
    )
    return member_user(member) if member is not None else User(id=user_id, name=user_id)


def member_user(member: Member) -> User:
    """The account a member row records, named by its stored name (its id when it has none)."""
    return User(id=member.user_id, name=member.display_name or member.user_id,
                username=member.username, is_bot=member.is_bot)


async def get_or_create_member(
    session: AsyncSession, group: Group, user: User, now: datetime
) -> Member:
    member = await session.scalar(
        select(Member).where(Member.group_id == group.id, Member.user_id == user.id)
    )
    if user.username and (member is None or user.username != member.username):
        await _take_username(session, group.id, user)
    if member is None:
        member = Member(
            group_id=group.id,
            user_id=user.id,
            display_name=user.name,
            username=user.username,
            is_bot=user.is_bot,
            tags=[],
        )
        session.add(member)
    member.display_name = user.name or member.display_name
    member.username = user.username
    # The platform's word: rows stored before the adapter read Telegram's service account as
    # a bot are corrected at its next post.
    member.is_bot = user.is_bot
    member.last_seen_at = now
    await session.flush()
    return member


async def _take_username(session: AsyncSession, group_id: int, user: User) -> None:
    """`user` now has their username, and the platform gives one to one account at a time:
    any other row of the group still naming it is stale (its owner renamed, unseen since), and
    left standing it would answer an operator's `/ban @name` instead of its holder."""
    assert user.username is not None
    await session.execute(
        update(Member)
        .where(
            Member.group_id == group_id,
            Member.user_id != user.id,
            func.lower(Member.username) == user.username.lower(),
        )
        .values(username=None)
    )


def role_for_status(status: str | None) -> str | None:
    """Map a platform membership status to our role; None when it says nothing about rights."""
    if status in ADMIN_STATUSES:
        return ADMIN_STATUSES[status]
    if status in ("member", "restricted", "left", "kicked"):
        return "member"
    return None


async def migrate_group(
    session: AsyncSession, platform: str, old_chat_id: str, new_chat_id: str
) -> Group | None:
    """Move a group's records to its new id after the group becomes a supergroup.

    Called for both notices (`migrate_to_chat_id` in the old chat, `migrate_from_chat_id` in the
    new one), in whichever order they are processed; the second finds nothing left to do. When
    records exist for both ids they are merged (see `bot.groups.merge`): the older record
    survives, so the bulk of the history stays where it is, and takes the new id. Other
    groups' settings naming the chat (as their operators' chat) follow it.
    """
    await follow_moved_chat(session, platform, old_chat_id, new_chat_id)
    old = await find_group(session, platform, old_chat_id)
    new = await find_group(session, platform, new_chat_id)
    if old is None:
        return new
    await _forget_message_ids(session, old.id)
    survivor = await _merged(session, old, new)
    try:
        async with session.begin_nested():
            _renamed(survivor, old_chat_id, new_chat_id)
            await session.flush()
    except IntegrityError:
        # The new chat's first update, handled meanwhile in its own lane (or by another
        # replica), made its record after ours was looked for: it is merged in as if found.
        new = await find_group(session, platform, new_chat_id)
        if new is None:
            raise
        await session.refresh(survivor)  # the rolled-back rename expired it
        survivor = await _merged(session, survivor, new)
        _renamed(survivor, old_chat_id, new_chat_id)
        await session.flush()
    await _repoint_chat_ids(session, survivor.id, old_chat_id, new_chat_id)
    return survivor


async def _merged(session: AsyncSession, old: Group, new: Group | None) -> Group:
    """The one record left of the two ids' (the older survives)."""
    if new is None or new.id == old.id:
        return old
    survivor, absorbed = (old, new) if old.id < new.id else (new, old)
    await merge_groups(session, survivor, absorbed)
    return survivor


def _renamed(group: Group, old_chat_id: str, new_chat_id: str) -> None:
    group.chat_id = new_chat_id
    group.former_chat_id = old_chat_id
    group.chat_type = "supergroup"


async def _forget_message_ids(session: AsyncSession, group_id: int) -> None:
    """Rows naming a message of the old chat by its number stop naming it: a supergroup
    numbers its messages apart from the basic group it came from, so the old numbers come back
    on new messages, which then met the old messages' reports (a member muted on one report),
    rulings (an ad taken as "already marked"), counts, deletions (a pending newcomer's join
    notice) and payments (a ledger's `activity:<message id>`). Where the number is the row's
    point (reports, recent posts, photos waiting for a check) the row goes; otherwise only the
    number does. Nothing in the old chat can be replied to or acted on any more.

    A number is a `message_id` or `<what>_message_id` column, or, inside a text column, a
    prefix the table lists in `info["message_refs"]` (column name -> prefixes)."""
    for table, column in group_tables():
        mine = table.c[column] == group_id
        numbers = [c for c in table.c if c.name == "message_id" or c.name.endswith("_message_id")]
        if any(not c.nullable for c in numbers):
            change = delete(table).where(mine)
        elif numbers:
            change = update(table).where(mine).values({c.name: None for c in numbers})
        else:
            change = None
        if change is not None:
            await session.execute(change.execution_options(synchronize_session=False))
        for name, prefixes in table.info.get("message_refs", {}).items():
            ref = table.c[name]
            named = or_(*(ref.startswith(prefix, autoescape=True) for prefix in prefixes))
            await session.execute(
                update(table).where(mine, named).values({name: None})
                .execution_options(synchronize_session=False)
            )


async def _repoint_chat_ids(session: AsyncSession, group_id: int, old: str, new: str) -> None:
    """Rows that carry the chat id itself (to act on the chat later) follow the move."""
    for table, column in group_tables():
        if "chat_id" in table.c and table.name != Group.__tablename__:
            await session.execute(
                update(table)
                .where(table.c[column] == group_id, table.c.chat_id == old)
                .values(chat_id=new)
                .execution_options(synchronize_session=False)
            )
