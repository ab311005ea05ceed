"""An item's page (`/items/{slug}`): the item, its quote in its paragraph of the source, its
timeline, its replies and links, and for editors the forms that change it; and an item's row of
the dashboard's table, as htmx swaps it back in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.delivery.conditional import Document
from service.errors import not_found
from service.events import service as events
from service.items import replies
from service.items import service as items
from service.items.charts import progress_chart
from service.items.claim_dates import source_dates
from service.items.models import ItemPublic
from service.links import service as links
from service.sources import service as sources
from service.web.deps import CurrentPrincipal, SessionDep
from service.web.forms import see_other
from service.web.templates import conditional_page, page, render, wants_fragment
from service.withheld import service as withheld

router = APIRouter(include_in_schema=False, redirect_slashes=False)

ITEM_PAGE = "items/item.html"
DASHBOARD = "items/dashboard.html"
FLASH_KEY = "flash"
STATUS_FIELDS = ("status", "note", "occurred_on", "evidence_url", "progress_value")


@dataclass
class StatusForm:
    """What the status form shows: the values (as typed), the version the editor started from,
    and what went wrong."""

    values: dict[str, str]
    expected_version: int
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str | None = None
    focus_status: bool = False

    @property
    def first_error(self) -> str | None:
        return next((name for name in STATUS_FIELDS if name in self.errors), None)

    @classmethod
    def blank(cls, item: ItemPublic, *, version: int | None = None) -> StatusForm:
        values = dict.fromkeys(STATUS_FIELDS, "")
        values["status"] = item.status
        return cls(values=values, expected_version=version or item.version)


@dataclass
class PageForm:
    """A form of the item page other than the status form (a reply, a link, a name to
    withhold): the values as typed and what went wrong, by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def item_document(
    request: Request,
    session: Session,
    principal: Principal,
    item: ItemPublic,
    *,
    state: StatusForm | None = None,
    announce: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    reply_form: PageForm | None = None,
    link_form: PageForm | None = None,
    withheld_form: PageForm | None = None,
    retract_form: PageForm | None = None,
) -> Document:
    """The item's page (its block `item` for htmx): what it shows, read in `session`."""
    history = events.history(session, item_id=item.id)
    data: dict[str, Any] = {
        "item": item,
        "source": sources.get_public(session, slug=item.source.slug),
        "history": history,
        "chart": progress_chart(item, history),
        "replies": replies.of_history(history),
        "linked": links.links_of(session, item_id=item.id, drafts=principal.can_edit),
        "state": None,
        "reply_form": None,
        "link_form": None,
        "withheld_form": None,
        "retract_form": None,
        # Corrections made in public, newest first, and why it was retracted.
        "corrections": [e for e in reversed(history) if e.type == "correction"],
        "retraction": next((e for e in reversed(history) if e.type == "retracted"), None),
    }
    if principal.can_edit:
        data.update(
            state=state or StatusForm.blank(item),
            withheld_form=withheld_form or PageForm(),
            withheld_names=withheld.of_item(session, item_id=item.id),
            reply_form=reply_form or PageForm(values={"by": item.actor.slug}),
            link_form=link_form or PageForm(),
            retract_form=retract_form or PageForm(),
            actor_options=[(a.slug, a.name) for a in actors.get_all(session)],
            source_options=[(s.slug, s.title) for s in sources.get_all_public(session)],
        )
    return page(
        request, principal, ITEM_PAGE, data, block="item", status_code=status_code,
        headers=headers, announce=announce,
    )  # fmt: skip


@router.get("/items/{ref}")
def item_page(
    ref: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    item = items.get(session, ref=ref)
    if item.publication == "draft" and not principal.can_edit:
        raise not_found("item", ref)  # for editors only, as if it were not there
    if ref != item.slug:
        return RedirectResponse(urls.item(item.slug), status_code=301)
    announce = request.session.pop(FLASH_KEY, None) if principal.user_id is not None else None
    if announce is not None:  # shown once: never a 304, never reused
        document = item_document(request, session, principal, item, announce=announce)
        return render(request, session, principal, document)
    return conditional_page(
        request, session, principal, lambda: item_document(request, session, principal, item)
    )


def row_document(
    request: Request,
    session: Session,
    principal: Principal,
    item: ItemPublic,
    *,
    edit: StatusForm | None = None,
    announce: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Document:
    """The item's row of the dashboard's table (its status form open with `edit`)."""
    data = {
        "item": item,
        "parts": links.parts_of(session, [item.id]),
        "source_dates": source_dates(session),
    }
    echo = {"edit": edit, "focus_edit": True}
    return page(
        request, principal, DASHBOARD, data, echo=echo, block="row", status_code=status_code,
        headers=headers, announce=announce,
    )  # fmt: skip


@router.get("/items/{ref}/row")
def item_row(
    ref: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """A table row, as htmx swaps it back after an inline edit is cancelled."""
    item = items.get(session, ref=ref)
    if item.publication == "draft" and not principal.can_edit:
        raise not_found("item", ref)
    if not wants_fragment(request):
        return see_other(urls.item(item.slug))
    return render(request, session, principal, row_document(request, session, principal, item))


def page_with_form(
    request: Request,
    session: Session,
    principal: Principal,
    ref: str,
    status_code: int,
    *,
    reply_form: PageForm | None = None,
    link_form: PageForm | None = None,
    withheld_form: PageForm | None = None,
    retract_form: PageForm | None = None,
) -> Response:
    """The item's page again, with one of its forms as the editor typed it and its messages."""
    session.rollback()  # a new snapshot: the request may have written since it first read
    item = items.get(session, ref=ref)
    document = item_document(
        request, session, principal, item, status_code=status_code, reply_form=reply_form,
        link_form=link_form, withheld_form=withheld_form, retract_form=retract_form,
    )  # fmt: skip
    return render(request, session, principal, document)


def done(request: Request, slug: str, announce: str, anchor: str) -> Response:
    """After a form of the item's page: back to it, with a message shown once."""
    request.session[FLASH_KEY] = announce
    return see_other(urls.item(slug) + anchor)
