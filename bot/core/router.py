"""Routers: each capability registers its handlers on one `Router`.

A handler is `async (event, ctx) -> list[Action]`; it decides, the outbox acts.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.events import Event, EventKind

if TYPE_CHECKING:
    from bot.core.actions import Action, Halt
    from bot.core.context import Context

Handler = Callable[["Event", "Context"], Awaitable[list["Action | Halt"]]]
Predicate = Callable[[Event], bool]

# After downtime the platform replays its backlog: a command that old gets no answer, because
# an answer to a question asked long ago reads as the bot talking to itself.
COMMAND_MAX_AGE = timedelta(minutes=15)
# `max_age` of a command that acts (on a message, a member, a day's check-in) rather than
# answers: it runs however late the backlog brings it (Telegram keeps updates for a day).
ANY_AGE = None
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
# A Chinese IME types the bar full-width (｜), and an operator cannot tell the two apart.
_BARS = re.compile(r"[|｜]")


def as_word(text: str) -> str:
    """A short message read as a command word: members type "签到！", "打卡✅" or "Checkin."
    for 签到, 打卡 and checkin, so punctuation and emoji around it and case do not matter.

    A text of nothing but punctuation or emoji ("✅", "👍", "...") is read as it is, not as
    nothing: a group's check-in word "✅" otherwise made every "👍" and "..." a check-in."""
    return (_EDGES.sub("", text) or text.strip()).casefold()


def split_bars(text: str) -> list[str]:
    """The parts of a list typed with bars ("A? | B?", "问题｜选项｜选项"), stripped, empty
    ones kept so the caller decides what a missing part means."""
    return [part.strip() for part in _BARS.split(text)]


@dataclass(frozen=True)
class CommandInfo:
    name: str
    description: dict[str, str]
    operator_only: bool
    words: tuple[str, ...] = ()  # plain-text words that mean the command (`签到`)
    # Whether /help lists it in a group: a command only some kinds of group use is not offered
    # where it would only answer that it is not used here.
    listed: Callable[[Context], bool] | None = None


@dataclass(frozen=True)
class Route:
    name: str
    kinds: frozenset[EventKind]
    handler: Handler
    predicate: Predicate | None = None
    operator_only: bool = False
    group_only: bool = False
    command: CommandInfo | None = None
    max_age: timedelta | None = None

    def matches(self, event: Event) -> bool:
        if event.kind not in self.kinds:
            return False
        return self.predicate is None or self.predicate(event)


@dataclass
class Router:
    """The registrations of one capability, in the order they were declared."""

    name: str
    routes: list[Route] = field(default_factory=list)

    def on(
        self,
        *kinds: EventKind,
        when: Predicate | None = None,
        operator_only: bool = False,
        group_only: bool = False,
        max_age: timedelta | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register for event kinds; `max_age` skips events older than that (replayed backlog)."""

        def register(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    name=f"{self.name}.{handler.__name__}",
                    kinds=frozenset(kinds),
                    handler=handler,
                    predicate=when,
                    operator_only=operator_only,
                    group_only=group_only,
                    max_age=max_age,
                )
            )
            return handler

        return register

    def command(
        self,
        name: str,
        *,
        description: dict[str, str],
        aliases: Iterable[str] = (),
        words: Iterable[str] = (),
        operator_only: bool = False,
        group_only: bool = False,
        max_age: timedelta | None = COMMAND_MAX_AGE,
        listed: Callable[[Context], bool] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register `/name` (and `/alias`), plus plain-text `words` that mean the same command;
        `listed` says in which groups /help offers it (all when None)."""
        names = {name, *aliases}
        plain = {as_word(word) for word in words}

        def is_command(event: Event) -> bool:
            if event.command is not None:
                return event.command in names
            return bool(plain) and as_word(event.text or "") in plain

        info = CommandInfo(
            name=name,
            description=description,
            operator_only=operator_only,
            words=tuple(words),
            listed=listed,
        )

        def register(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    name=f"{self.name}.{handler.__name__}",
                    kinds=frozenset({EventKind.MESSAGE}),
                    handler=handler,
                    predicate=is_command,
                    operator_only=operator_only,
                    group_only=group_only,
                    command=info,
                    max_age=max_age,
                )
            )
            return handler

        return register
