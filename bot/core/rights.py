"""Who may operate a group: the one rule, used for the sender of a command and for anyone else.

A person is an operator of a group when they are a platform-wide operator (`QUNBOT_OPERATORS`),
an operator named in the group's settings, or the group's owner/admin as the platform reports it
(or marked `operator` by us).
"""

from __future__ import annotations

from collections.abc import Iterable

OPERATOR_ROLES = frozenset({"owner", "admin", "operator"})


def is_operator(
    user_id: str,
    role: str | None,
    platform_operators: Iterable[str] = (),
    group_operators: Iterable[str] = (),
) -> bool:
    """True when `user_id` (with member `role`, None if unknown) operates the group."""
    return user_id in platform_operators or user_id in group_operators or role in OPERATOR_ROLES
