"""The embeds' routes: an item's card (`/items/{slug}/card`) and an actor's
(`/actors/{slug}/card`), which any site may frame; an item's status badge
(`/items/{slug}/badge.svg`); and oEmbed (`/oembed?url=...`), which gives the iframe for a page.

Each is answered through the delivery path: masked, kept per data version, and 304 to a client
whose copy is current, so that an article read by many costs the tracker next to nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from service import urls
from service.delivery.conditional import API, HTML, Document, Policy, answer
from service.embeds import badge, cards
from service.errors import TrackerError
from service.items import vocabulary
from service.web.deps import SessionDep
from service.web.problems import NOT_MODIFIED, PROBLEM, problem_body
from service.web.query import KNOWN_QUERY_ONLY, UNKNOWN_PARAMETER
from service.web.responses import PROBLEM_JSON, json_bytes
from service.web.templates import templates

# The cards are the same for every reader: kept per data version, answered by the fast path.
CARD = Policy(media_type=HTML)
BADGE = Policy(media_type="image/svg+xml; charset=utf-8")
PROVIDER = "Accountability tracker"

# The routes other sites may frame: their paths are given to the security headers
# (`create_app`), and no other route's are.
framed_router = APIRouter(include_in_schema=False, redirect_slashes=False)
router = APIRouter(
    tags=["embeds"],
    redirect_slashes=False,
    dependencies=[KNOWN_QUERY_ONLY],
    responses={**UNKNOWN_PARAMETER, **NOT_MODIFIED},
)


def _card_writer(name: str) -> Callable[[Any], bytes]:
    def write(card: Any) -> bytes:
        return templates().env.get_template(name).render(card=card).encode("utf-8")

    return write


@framed_router.get("/items/{ref}/card")
def item_card(ref: str, request: Request, session: SessionDep) -> Response:
    item = cards.public_item(session, ref=ref)
    if ref != item.slug:
        return RedirectResponse(urls.item_card(item.slug), status_code=301)
    write = _card_writer("embeds/item_card.html")
    return answer(
        request, session, CARD, lambda: Document(cards.item_card(session, item=item), write)
    )


@framed_router.get("/actors/{slug}/card")
def actor_card(slug: str, request: Request, session: SessionDep) -> Response:
    write = _card_writer("embeds/actor_card.html")
    return answer(
        request, session, CARD, lambda: Document(cards.actor_card(session, slug=slug), write)
    )


@router.get(
    "/items/{ref}/badge.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "SVG badge"}, 404: PROBLEM},
    summary="An item's status badge (SVG): its kind, and its status on its outcome's colour",
)
def item_badge(ref: str, request: Request, session: SessionDep) -> Response:
    item = cards.public_item(session, ref=ref)
    if ref != item.slug:
        return RedirectResponse(urls.item_badge(item.slug), status_code=301)
    retracted = item.publication == "retracted"
    said = badge.BadgeText(
        title=item.title,
        kind=vocabulary.KIND_BY_CODE[item.kind].label,
        status="Retracted" if retracted else item.status_label,
        outcome="retracted" if retracted else item.outcome,
    )
    return answer(request, session, BADGE, lambda: Document(said, badge.render))


class OEmbed(BaseModel):
    """An oEmbed answer (oEmbed 1.0, type `rich`): the iframe of the page's card."""

    version: Literal["1.0"] = "1.0"
    type: Literal["rich"] = "rich"
    provider_name: str
    provider_url: str
    title: str
    html: str
    width: int
    height: int


def _oembed(asked: cards.OEmbedAsked) -> bytes:
    """Written from the masked title: the iframe's HTML is made after masking, never masked."""
    src = urls.absolute(cards.card_url(asked.found))
    frame = (
        f'<iframe src={quoteattr(src)} width="{asked.width}" height="{asked.height}" '
        f'title={quoteattr(asked.title)} loading="lazy" style="border:0;max-width:100%">'
        "</iframe>"
    )
    return json_bytes(
        OEmbed(
            provider_name=PROVIDER,
            provider_url=urls.absolute("/"),
            title=asked.title,
            html=frame,
            width=asked.width,
            height=asked.height,
        )
    )


class NotImplementedFormat(TrackerError):
    code = "format-not-implemented"
    title = "Format not implemented"


# Not in the OpenAPI document: oEmbed's own specification is its contract (a format it does not
# give is 501, which the document's "no server error" rule would forbid), and consumers find it
# through the link in the head of the pages it embeds.
@router.get("/oembed", response_model=OEmbed, include_in_schema=False)
def oembed(
    request: Request,
    session: SessionDep,
    url: Annotated[str, Query(min_length=1, max_length=2000, description="A page's URL.")],
    format: Annotated[str, Query(max_length=10, description="Only `json`.")] = "json",
    maxwidth: Annotated[int | None, Query(ge=1, le=10000)] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=10000)] = None,
) -> Response:
    if format != "json":
        # oEmbed: a format the provider does not give is 501 Not Implemented.
        error = NotImplementedFormat(f"Only format=json is given, not {format!r}.")
        body = {**problem_body(error, instance=request.url.path), "status": 501}
        return Response(json_bytes(body), 501, media_type=PROBLEM_JSON)
    asked = cards.oembed_asked(session, url=url, maxwidth=maxwidth, maxheight=maxheight)
    return answer(request, session, API, lambda: Document(asked, _oembed))


# The frameable paths, matched whole (FastAPI's own patterns of those routes).
FRAMEABLE_PATHS = tuple(
    route.path_regex for route in framed_router.routes if isinstance(route, APIRoute)
)
