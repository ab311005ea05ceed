"""What an embed shows: an item's card (its title, kind, status, progress, quote and source, as of
today) and an actor's scorecard card, as values the delivery layer masks before they are
written; and which page of this tracker an oEmbed URL names."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlmodel import Session

from service import urls
from service.actors import service as actors
from service.actors.models import ActorPublic, Scorecard
from service.config import get_settings
from service.errors import Moved, NotFound, not_found
from service.items import service as items
from service.items.models import ItemPublic
from service.sources import service as sources

# The size an embed asks for by default (CSS pixels), before a consumer's maxwidth/maxheight.
ITEM_SIZE = (400, 360)
ACTOR_SIZE = (400, 400)


@dataclass(frozen=True)
class SourceDate:
    """When the item's source was published, as precisely as its text says."""

    published_on: dt.date | None
    published_precision: str | None


@dataclass(frozen=True)
class ItemCard:
    item: ItemPublic
    source: SourceDate
    as_of: dt.date


@dataclass(frozen=True)
class ActorCard:
    actor: ActorPublic
    scorecard: Scorecard
    as_of: dt.date


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def public_item(session: Session, *, ref: str) -> ItemPublic:
    """The item an embed shows: a draft is not there for anyone (an embed is public)."""
    item = items.get(session, ref=ref)
    if item.publication == "draft":
        raise not_found("item", ref)
    return item


def item_card(session: Session, *, item: ItemPublic) -> ItemCard:
    source = sources.get_by_slug_or_none(session, slug=item.source.slug)
    published = SourceDate(
        source.published_on if source else None, source.published_precision if source else None
    )
    return ItemCard(item=item, source=published, as_of=today())


def actor_card(session: Session, *, slug: str) -> ActorCard:
    actor = actors.get(session, slug=slug)
    assert actor.id is not None  # read from its table
    scorecard = actors.scorecard(session, actor_id=actor.id)
    return ActorCard(actor=ActorPublic.of(actor), scorecard=scorecard, as_of=today())


@dataclass(frozen=True)
class Embedded:
    """The page an oEmbed URL names: an item's or an actor's (by its current slug)."""

    what: str  # "item" or "actor"
    slug: str


_PAGE = re.compile(r"/(?P<what>items|actors)/(?P<slug>[^/]+)(?:/card)?/?")


def embedded(session: Session, *, url: str) -> Embedded:
    """Which item or actor `url` shows, if it is a page of this tracker (its base URL's origin,
    or a path alone). Anything else is not found: nothing of another site is embedded."""
    asked = urlsplit(url)
    base = urlsplit(get_settings().base_url)
    ours = (asked.scheme, asked.netloc) in ((base.scheme, base.netloc), ("", ""))
    matched = _PAGE.fullmatch(asked.path) if ours else None
    if matched is None:
        raise NotFound(f"{url} is not the page of an item or an actor of this tracker.")
    slug = unquote(matched["slug"])
    if matched["what"] == "items":
        if slug == "new":  # the form for a new item
            raise NotFound(f"{url} is not the page of an item or an actor of this tracker.")
        return Embedded("item", _current(lambda ref: public_item(session, ref=ref).slug, slug))
    return Embedded("actor", _current(lambda ref: actors.get(session, slug=ref).slug, slug))


def _current(slug_of: Callable[[str], str], slug: str) -> str:
    """The current slug of what `slug` names (a slug it had before leads to it)."""
    try:
        return slug_of(slug)
    except Moved as moved:
        return slug_of(moved.slug)


def card_url(found: Embedded) -> str:
    return urls.item_card(found.slug) if found.what == "item" else urls.actor_card(found.slug)


def page_url(found: Embedded) -> str:
    return urls.item(found.slug) if found.what == "item" else urls.actor(found.slug)


@dataclass(frozen=True)
class OEmbedAsked:
    """An oEmbed answer before it is written: what it shows, its title, and its size."""

    found: Embedded
    title: str
    width: int
    height: int


def oembed_asked(
    session: Session, *, url: str, maxwidth: int | None, maxheight: int | None
) -> OEmbedAsked:
    """The embed of the page `url`, no larger than `maxwidth` by `maxheight`."""
    found = embedded(session, url=url)
    if found.what == "item":
        title = items.get(session, ref=found.slug).title
        width, height = ITEM_SIZE
    else:
        title = actors.get(session, slug=found.slug).name
        width, height = ACTOR_SIZE
    return OEmbedAsked(
        found,
        title,
        min(width, maxwidth) if maxwidth else width,
        min(height, maxheight) if maxheight else height,
    )
