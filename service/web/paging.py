"""The next page of a list answer: its URL (this request's, with the page's cursor moved on) and
the `Link: <url>; rel="next"` header (RFC 8288) that names it, for the change feed and the lists
alike. The header is given to the delivery path with the document (`Document(headers=...)`), so
a body kept and sent again carries it too."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.requests import Request


def next_page(request: Request, **moved: str | int) -> str:
    """This request's path and query with `moved` set in place of what it had (as an absolute
    path); cache-busting `_` parameters are left out."""
    query = [
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in moved and not name.startswith("_")
    ]
    query += [(name, str(value)) for name, value in moved.items()]
    return quote(request.url.path) + "?" + urlencode(query)


def link_next(url: str | None) -> dict[str, str]:
    """The Link header naming the next page, when there is one."""
    return {"Link": f'<{url}>; rel="next"'} if url else {}
