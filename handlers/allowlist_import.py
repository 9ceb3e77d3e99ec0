"""Reading an allow-list out of a pasted member list: user ids and @usernames.

Lists operators paste are exports and chat messages: dated headings ("名单 2024-06-01"), times,
phone numbers and order numbers sit beside the ids. A Telegram user id is a run of 5 to 20 digits
on its own; a number joined to other digits by a date, time or phone separator ("2024-06-01",
"12:30", "138-1234-5678", "+8613812345678") is part of something else and is skipped, and the
reply says so. An @username is kept as typed but casefolded (Telegram's usernames ignore case)
and matched against the requester's username when they ask to join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A run of digits with the separators dates, times and phone numbers join them with.
_NUMBER_RUN = re.compile(r"\+?\d[\d\-:/.]*")
_SEPARATORS = "-:/."
USER_ID = re.compile(r"\d{5,20}")
# Telegram usernames: 5-32 letters, digits and underscores, starting with a letter. Not part
# of an e-mail address ("a@b.com" has a word character before the @).
USERNAME = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{4,31})(?![\w@])")


@dataclass(frozen=True)
class Listing:
    ids: tuple[str, ...]
    usernames: tuple[str, ...]  # "@name", casefolded
    skipped: tuple[str, ...]  # numbers that are not user ids, as written


def read_listing(text: str) -> Listing:
    """The user ids, @usernames and skipped numbers of `text`, each once, in order."""
    ids, skipped = [], []
    for match in _NUMBER_RUN.finditer(text):
        run = match.group().rstrip(_SEPARATORS)
        (ids if USER_ID.fullmatch(run) else skipped).append(run)
    usernames = ["@" + name.casefold() for name in USERNAME.findall(text)]
    return Listing(
        tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(usernames)), tuple(dict.fromkeys(skipped))
    )


def listed(allowlist: list[str], user_id: str, username: str | None) -> bool:
    """Whether a requester is on the allow-list by id, or by their current @username."""
    return user_id in allowlist or (
        username is not None and "@" + username.casefold() in allowlist
    )
