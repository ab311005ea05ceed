"""Every URL of the tracker, built in one place: the JSON API's and the pages'.

Public models put these in their `links`, templates link with them, and redirects and
`Location` headers come from them, so that a route's path is written once here and in its
router.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from service.config import get_settings

API = "/api/v1"
# What `quote` never changes: a slug of letters, digits and hyphens is its own path segment.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def _part(value: str | int) -> str:
    text = str(value)
    return text if _UNQUOTED.fullmatch(text) else quote(text, safe="")


def path_segment(value: str | int) -> str:
    """A value as one segment of a path, as every URL here writes it."""
    return _part(value)


def safe_next(url: str | None) -> str:
    """Only a path on this site may follow a sign-in (never //host or a scheme)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def dashboard(**query: str) -> str:
    params = {k: v for k, v in query.items() if v}
    return "/" + ("?" + urlencode(params) if params else "")


def items_api(**query: str) -> str:
    params = {k: v for k, v in query.items() if v}
    return f"{API}/items" + ("?" + urlencode(params) if params else "")


def item(slug: str) -> str:
    return f"/items/{_part(slug)}"


def item_api(slug: str) -> str:
    return f"{API}/items/{_part(slug)}"


def item_status(slug: str) -> str:
    return f"{item(slug)}/status"


def item_link_api(slug: str, relation: str, target: str) -> str:
    return f"{item_api(slug)}/links/{_part(relation)}/{_part(target)}"


def item_links(slug: str) -> str:
    """The item page's form for linking it to another item."""
    return f"{item(slug)}/links"


def item_link_remove(slug: str, relation: str, target: str) -> str:
    return f"{item_links(slug)}/{_part(relation)}/{_part(target)}/remove"


def item_replies(slug: str) -> str:
    """The item page's form for recording a reply."""
    return f"{item(slug)}/replies"


def item_reply_from(slug: str, *, source: str, quote: str) -> str:
    """The item's reply form, filled with a passage of a source (a suggested reply)."""
    return f"{item_replies(slug)}?{urlencode({'source': source, 'quote': quote})}"


def item_withheld(slug: str) -> str:
    """The item page's form for withholding a name."""
    return f"{item(slug)}/withheld"


def item_withheld_remove(slug: str, withheld_id: int) -> str:
    return f"{item_withheld(slug)}/{withheld_id}/remove"


def item_row(slug: str) -> str:
    return f"{item(slug)}/row"


def item_row_edit(slug: str, version: int) -> str:
    return f"{item(slug)}/row/edit?version={version}"


def source(slug: str) -> str:
    return f"/sources/{_part(slug)}"


def source_for_reply(slug: str, item_slug: str) -> str:
    """A source's page where selecting words quotes them in a reply to the item."""
    return f"{source(slug)}?{urlencode({'reply_to': item_slug})}"


def source_slug(slug: str) -> str:
    """The source page's form for giving the source a new slug."""
    return f"{source(slug)}/slug"


def source_api(slug: str) -> str:
    return f"{API}/sources/{_part(slug)}"


def actor(slug: str, **query: str) -> str:
    params = {k: v for k, v in query.items() if v}
    return f"/actors/{_part(slug)}" + ("?" + urlencode(params) if params else "")


def actor_slug(slug: str) -> str:
    """The actor page's form for giving the actor a new slug."""
    return f"/actors/{_part(slug)}/slug"


def actor_api(slug: str) -> str:
    return f"{API}/actors/{_part(slug)}"


def changes(after: int) -> str:
    return f"{API}/changes?after={after}"


def report(fmt: str = "", **query: str) -> str:
    """The report page (`fmt` "" for HTML, "json" or "md" for its twins), for a window."""
    params = {k: v for k, v in query.items() if v}
    path = "/report" + (f".{fmt}" if fmt else "")
    return path + ("?" + urlencode(params) if params else "")


def corrections() -> str:
    return "/corrections"


def corrections_feed() -> str:
    return "/corrections.atom"


def audit() -> str:
    return "/audit"


def item_choices(slug: str) -> str:
    """Other items whose titles hold the words typed, as the link form offers them."""
    return f"{item(slug)}/choices"


def item_publish(slug: str) -> str:
    """The draft banner's form for publishing it."""
    return f"{item(slug)}/publish"


def item_delete(slug: str) -> str:
    """The draft banner's form for deleting it."""
    return f"{item(slug)}/delete"


def item_retract(slug: str) -> str:
    return f"{item(slug)}/retract"


def item_correct(slug: str) -> str:
    return f"{item(slug)}/correct"


def candidate_restore(slug: str, candidate_id: str) -> str:
    return f"{source(slug)}/candidates/{_part(candidate_id)}/restore"


def login(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def sources() -> str:
    return "/sources"


def source_new() -> str:
    return "/sources/new"


def source_original(slug: str) -> str:
    return f"{source_api(slug)}/original"


def candidate_dismiss(slug: str, candidate_id: str) -> str:
    return f"{source(slug)}/candidates/{_part(candidate_id)}/dismiss"


def actors() -> str:
    return "/actors"


def actor_new() -> str:
    return "/actors/new"


def item_new(**query: str | int | None) -> str:
    params = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return "/items/new" + ("?" + urlencode(params) if params else "")


def item_edit(slug: str) -> str:
    return f"{item(slug)}/edit"


def feed(**query: str) -> str:
    """The Atom feed of the latest changes, narrowed by `kind`, `actor` and `status`."""
    params = {k: v for k, v in sorted(query.items()) if v}
    return "/feed.atom" + ("?" + urlencode(params) if params else "")


def item_feed(slug: str) -> str:
    return f"{item(slug)}/feed.atom"


def actor_feed(slug: str) -> str:
    return f"/actors/{_part(slug)}/feed.atom"


def item_card(slug: str) -> str:
    """The item as a card that other sites may frame."""
    return f"{item(slug)}/card"


def actor_card(slug: str) -> str:
    """The actor's scorecard as a card that other sites may frame."""
    return f"/actors/{_part(slug)}/card"


def item_badge(slug: str) -> str:
    return f"{item(slug)}/badge.svg"


def oembed(url: str, **query: str) -> str:
    """The oEmbed answer for a page of this tracker (`url` absolute)."""
    params = {"url": url, "format": "json", **{k: v for k, v in query.items() if v}}
    return "/oembed?" + urlencode(params)


def absolute(path: str) -> str:
    """A path of this tracker as an absolute URL, from the configured base URL (for what is read
    away from the tracker: feeds, exports, embeds, reports)."""
    return get_settings().base_url.rstrip("/") + path


def imports() -> str:
    return "/import"


def import_page(import_id: int) -> str:
    return f"/import/{import_id}"


def import_confirm(import_id: int) -> str:
    return f"/import/{import_id}/confirm"


def import_api(import_id: int) -> str:
    return f"{API}/imports/{import_id}"
