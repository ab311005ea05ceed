"""HTML routes of sources: the archived text with every quoted span highlighted and linked, and
the two ways the pages cut a source's text (a quote's paragraph, the quoted segments)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import http, web
from service.db import SessionDep
from service.deps import CurrentPrincipal
from service.sources import service as sources

router = APIRouter(include_in_schema=False)

SOURCE_PAGE = "sources/source.html"
# A paragraph longer than this on either side of a quote is shortened to its nearest words.
CONTEXT_CHARS = 700
# At most this many item titles are named in one highlighted passage's tooltip.
TITLES_PER_PASSAGE = 5


def paragraph_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The text before the quote within its paragraph, the quote, and the text after it.
    Paragraphs are separated by blank lines."""
    opening = text.rfind("\n\n", 0, start)
    opening = 0 if opening < 0 else opening + 2
    closing = text.find("\n\n", end)
    closing = len(text) if closing < 0 else closing
    before, after = text[opening:start], text[end:closing]
    if len(before) > CONTEXT_CHARS:
        cut = before[-CONTEXT_CHARS:]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    if len(after) > CONTEXT_CHARS:
        cut = after[:CONTEXT_CHARS]
        after = (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"
    return before.lstrip("\n"), text[start:end], after.rstrip("\n")


def _titles(spans: list[dict[str, Any]]) -> str:
    shown = "; ".join(s["item"]["title"] for s in spans[-TITLES_PER_PASSAGE:])
    more = len(spans) - TITLES_PER_PASSAGE
    return shown + (f"; and {more} more" if more > 0 else "")


def quoted_segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at every quote's start and end. Each segment lists the items quoting it
    (innermost last) and the anchors (`q-<item slug>`) of the quotes that start there."""
    bounds = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    starting: dict[int, list[dict[str, Any]]] = {}
    for span in spans:
        starting.setdefault(span["start"], []).append(span)
    active: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    for left, right in pairwise(bounds):
        active = [s for s in active if s["end"] > left]
        opened = starting.get(left, [])
        active.extend(opened)
        covering = sorted(active, key=lambda s: (s["start"], -s["end"]))
        segments.append(
            {
                "text": text[left:right],
                "quoted_by": [s["item"] for s in covering],
                "titles": _titles(covering),
                "anchors": [f"q-{s['item']['slug']}" for s in opened],
            }
        )
    return segments


@router.get("/sources/{slug}")
def source_page(
    slug: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    context = web.page_context(request, principal)
    etag = web.page_etag(request, http.data_version(session), context, "page")
    if http.etag_matches(request, etag):
        return web.not_modified(etag)
    source = sources.get(session, slug=slug)
    spans = sources.quote_spans(session, source_id=source.id)  # type: ignore[arg-type]
    context.update(source=source, spans=spans, segments=quoted_segments(source.text, spans))
    return web.render(request, SOURCE_PAGE, context, headers={"ETag": etag})
