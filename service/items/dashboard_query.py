"""The dashboard's query: the filter bar's values as typed, the filters and order they make and
what is wrong with them, and the links a view offers (its pages, its sort orders, the ways out
of an empty result). Plain functions of the request's query; no data is read here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.requests import Request

from service.items import listing, vocabulary
from service.items.filters import DEFAULT_SORT, MAX_SEARCH, SORTS, ItemFilters
from service.web.forms import sentence
from service.web.problems import field_errors


@dataclass
class DashboardView:
    """The filter bar's values as typed, the filters and order they make, what is wrong with
    them, and what was left out (a status of another kind) with the reason."""

    shown: dict[str, Any]
    filters: ItemFilters
    sort: str = DEFAULT_SORT
    errors: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        """Whether the reader asked for some of the items (a filter or a search, even a wrong
        one): the page then leads with the results, not with the front page's panels."""
        return any(self.shown[name] for name in FILTER_FIELDS)


# The filter bar's fields and the filters its links add (an order or a page is not a filter).
FILTER_FIELDS = ("kind", "status", "actor", "q", "overdue", "outcome", "responsible")


def read_view(request: Request) -> DashboardView:
    query = request.query_params
    shown: dict[str, Any] = {
        name: query.get(name, "").strip() for name in ("kind", "status", "actor", "q")
    }
    shown["overdue"] = query.get("overdue") == "true"
    shown["outcome"] = [o for o in query.getlist("outcome") if o.strip()]
    shown["responsible"] = query.get("responsible", "").strip()
    errors: dict[str, str] = {}
    notices: list[str] = []
    statuses = [s.strip() for s in query.getlist("status") if s.strip()]
    unknown = [s for s in statuses if s not in vocabulary.STATUS_CODES]
    if unknown:
        errors["status"] = (
            f"“{unknown[0]}” is not a status the tracker knows: choose one from the list."
        )
    kind = vocabulary.KIND_BY_CODE.get(shown["kind"])
    if kind is not None:
        # A status of another kind cannot match: leave it out, and say so.
        for code in [s for s in statuses if s in vocabulary.STATUS_CODES]:
            if kind.status(code) is None:
                statuses.remove(code)
                owners = [k.plural.lower() for k in vocabulary.KINDS if k.status(code)]
                label = vocabulary.label_anywhere(code)
                notices.append(
                    f"“{label}” is a status of {' and '.join(owners)}, not of "
                    f"{kind.plural.lower()}, so it was left out."
                )
        shown["status"] = statuses[0] if statuses else ""
    asked = query.get("sort", "").strip() or None
    if asked is not None and asked not in SORTS:
        errors["sort"] = "That order is not one the list offers: showing the default order."
        asked = None
    given: dict[str, Any] = {
        name: shown[name] or None for name in ("kind", "actor", "q", "responsible")
    }
    given["status"] = [] if "status" in errors else statuses
    given["outcome"] = shown["outcome"]
    given["overdue"] = True if shown["overdue"] else None
    try:
        filters = ItemFilters.model_validate(given)
    except ValidationError as exc:
        for e in field_errors(list(exc.errors())):
            errors.setdefault(e.field, _FILTER_MESSAGES.get(e.field, sentence(e.message)))
        filters = ItemFilters()
    # Without an order asked for: the best matches first when searching, else the latest.
    return DashboardView(shown, filters, listing.effective_sort(filters, asked), errors, notices)


_FILTER_MESSAGES = {
    "kind": "Choose commitments, allegations or proposals.",
    "outcome": "That outcome is not one the tracker knows.",
    "q": f"Search for at most {MAX_SEARCH} characters.",
}


def view_url(
    request: Request, *, drop: tuple[str, ...] = (), add: tuple[tuple[str, str], ...] = ()
) -> str:
    """This view with some parameters left out or added; empty fields are left out."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in drop and v != ""]
    return "/" + ("?" + urlencode([*params, *add]) if params or add else "")


def page_url(request: Request, cursor: str | None) -> str:
    return view_url(request, drop=("cursor",), add=(("cursor", cursor),) if cursor else ())


def sort_url(request: Request, filters: ItemFilters) -> Any:
    default = listing.effective_sort(filters, None)

    def url(key: str) -> str:
        add = (("sort", key),) if key != default else ()
        return view_url(request, drop=("cursor", "sort"), add=add)

    return url


def ways_out(request: Request, view: DashboardView, actors_by_slug: dict[str, str]) -> list[Any]:
    """For an empty result: each filter in words, with a link to the view without it."""
    shown, ways = view.shown, []
    kind = vocabulary.KIND_BY_CODE.get(shown["kind"])
    if kind:
        ways.append((f"kind: {kind.plural.lower()}", view_url(request, drop=("kind", "cursor"))))
    if shown["status"] and view.filters.status:
        label = vocabulary.label_anywhere(shown["status"])
        ways.append((f"status: {label}", view_url(request, drop=("status", "cursor"))))
    if shown["outcome"]:
        labels = ", ".join(vocabulary.OUTCOME_LABELS.get(o, o).lower() for o in shown["outcome"])
        ways.append((f"outcome: {labels}", view_url(request, drop=("outcome", "cursor"))))
    for name, word in (("actor", "actor"), ("responsible", "responsible")):
        if shown[name]:
            who = actors_by_slug.get(shown[name], shown[name])
            ways.append((f"{word}: {who}", view_url(request, drop=(name, "cursor"))))
    if shown["q"]:
        ways.append((f"text: “{shown['q']}”", view_url(request, drop=("q", "cursor"))))
    if shown["overdue"]:
        ways.append(("only overdue", view_url(request, drop=("overdue", "cursor"))))
    return ways
