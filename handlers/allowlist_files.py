"""Member lists handed to `/allowlist import` as a file (a .txt or .csv export).

Handlers do no I/O: the command checks what the platform says of the file (its name, type and
size) and queues an `AllowlistFile` row; the leader's worker (`bot.media.allowlist_files`)
downloads it, decodes it with `decode` and hands the text back as a FILE_READ event, which
`handlers.allowlist` reads exactly as pasted text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.events import FileRef
from bot.db.base import Base, BigId, LeasedWork, UtcDateTime

MAX_BYTES = 1024 * 1024  # an export of ids is far smaller; more is not a member list
EXTENSIONS = (".txt", ".csv")
# What phones and desktop apps call such files; a name is what operators see, so it decides.
TEXT_TYPES = ("text/plain", "text/csv", "text/comma-separated-values", "application/csv")


class AllowlistFile(LeasedWork, Base):
    """A file an operator asked to import, waiting for the worker (see `bot.leases` for
    `status`). `message_id` is the command's, which the reply answers; `at` when it was sent."""

    __tablename__ = "allowlist_files"
    __table_args__ = (Index("ix_allowlist_files_status", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def refusal(file: FileRef) -> str | None:
    """Why `file` cannot be a member list before it is downloaded ("too_big", "not_text"), or
    None. A size the platform does not state is capped by the download instead."""
    if file.size is not None and file.size > MAX_BYTES:
        return "too_big"
    name = (file.name or "").casefold()
    if name.endswith(EXTENSIONS) or (not name and (file.mime or "") in TEXT_TYPES):
        return None
    return "not_text"


def decode(data: bytes) -> str | None:
    """A list's text: UTF-8 (with or without the BOM Windows tools write), else GB18030 (what
    Chinese Excel and WPS export as "CSV"); None for bytes that are no text."""
    if b"\x00" in data:  # UTF-16 and binary files: GB18030 would read them as nonsense
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
