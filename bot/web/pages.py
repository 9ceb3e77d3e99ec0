"""Pagination of the JSON API's lists: `?limit=&offset=` in, the next page's pointer out.

A list stays a bare JSON array (the dashboard and scripts already read it so); the next page is
named in headers instead, `X-Next-Offset` and an RFC 8288 `Link: <...>; rel="next"`, both absent
on the last page. One row more than asked is read to know whether a next page exists without
counting the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Far beyond any real list, and inside every database's 64-bit OFFSET.
MAX_OFFSET = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """Which slice of a list was asked for."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def of(self, statement: Select) -> Select:
        """`statement` narrowed to this page and one row beyond (whether a next page exists);
        it must be ordered by something unique, or pages may skip or repeat rows."""
        return statement.limit(self.limit + 1).offset(self.offset)


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> Page:
    """The page a request asks for; out of range is FastAPI's 422 naming the parameter."""
    return Page(limit, offset)


Paged = Annotated[Page, Depends(page_params)]


def finish(rows: list[T], page: Page, request: Request, response: Response) -> list[T]:
    """The page's rows (the extra one read dropped), the next page named in headers if any."""
    if len(rows) <= page.limit:
        return rows
    following = page.offset + page.limit
    response.headers["X-Next-Offset"] = str(following)
    link = request.url.include_query_params(limit=page.limit, offset=following)
    response.headers["Link"] = f'<{link}>; rel="next"'
    return rows[: page.limit]
