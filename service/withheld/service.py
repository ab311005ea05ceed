"""Withholding names: marking a private person's name, showing it again, and the masker of the
data a session reads (what the delivery layer masks every public value with).

A name is withheld everywhere once marked: a name hidden on one item and printed on another (or
on the source page, in an actor's alias, in a URL or a slug) would not be hidden. Stored texts
keep their words and their bytes; only what the public is shown changes, so quote offsets stay
verifiable by editors. What follows from a name at once, in the same transaction: the search
index is written again where it held the name, and every slug that holds it is changed (its old
URLs then lead nowhere).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from service import masking, shapes
from service.actors.models import Actor
from service.audit import service as audit
from service.db import compare_and_set, connection_of, free_slug, table_of, utcnow
from service.errors import Conflict, FieldError, NotFound, invalid
from service.events import service as events
from service.items import edits, search
from service.items import service as items
from service.items.models import Item
from service.slugs import service as slugs
from service.slugs.models import SlugKind
from service.sources import sandbox
from service.sources.models import Source, SourceOriginal
from service.withheld.models import WithheldCreate, WithheldName, WithheldPublic

T = TypeVar("T")


class _Kept(Generic[T]):
    """What a set of names finds in a text or a file that never changes (by its hash), kept
    across data versions: archived texts and uploads are immutable. Small values (offsets, a
    yes or no), so that many can be kept; shared by the threads of a worker."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._found: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        value = make()
        with self._lock:
            self._found[key] = value
            while len(self._found) > self.capacity:
                self._found.popitem(last=False)
        return value


_spans = _Kept[tuple[tuple[int, int], ...]]()
_originals = _Kept[bool]()


def masker(session: Session) -> masking.Masker:
    """What the public must not read in the data this session sees: the withheld names, the
    archived texts that hold one, and the uploads that hold one."""
    names = slugs.withheld_names(session)
    if not names:
        return masking.Masker()
    connection = connection_of(session)
    texts: dict[str, masking.TextMask] = {}
    for source_id, slug, digest in connection.execute(
        sa.select(col(Source.id), col(Source.slug), col(Source.sha256))
    ):
        assert source_id is not None  # a primary key
        spans = _spans.get((names.names, digest), partial(_spans_in, connection, names, source_id))
        if spans:
            texts[slug] = masking.TextMask(_text_of(connection, source_id), spans)
    hidden = set()
    for slug, digest, media_type, source_id in connection.execute(
        sa.select(
            col(Source.slug), col(SourceOriginal.sha256), col(SourceOriginal.media_type),
            col(SourceOriginal.source_id),
        ).join(Source, col(Source.id) == col(SourceOriginal.source_id))
    ):  # fmt: skip
        holds = _originals.get(
            (names.names, digest, media_type),
            partial(_original_holds, connection, names, source_id, media_type),
        )
        if holds:
            hidden.add(slug)
    return masking.Masker(names, texts, frozenset(hidden))


def _text_of(connection: sa.Connection, source_id: int) -> str:
    text: str = connection.execute(
        sa.select(col(Source.text)).where(col(Source.id) == source_id)
    ).scalar_one()
    return text


def _spans_in(
    connection: sa.Connection, names: masking.Names, source_id: int
) -> tuple[tuple[int, int], ...]:
    return tuple(names.spans(_text_of(connection, source_id)))


def _original_holds(
    connection: sa.Connection, names: masking.Names, source_id: int, media_type: str
) -> bool:
    data = connection.execute(
        sa.select(col(SourceOriginal.data)).where(col(SourceOriginal.source_id) == source_id)
    ).scalar_one()
    readings = sandbox.readings(bytes(data), media_type)
    # A file that cannot be read may hold anything: only editors get it.
    return readings is None or any(names.found_in(text) for text in readings)


def _record_texts(session: Session, row: Any) -> list[str]:
    """Everything of an item's record where a name may be written: its own fields and slug, its
    history, its source (text, title, publisher, URL, slug) and its actors (names, aliases)."""
    texts = [row.title, row.description or "", row.quote, row.slug]
    for event in events.history(session, item_id=row.id):
        texts += [event.note or "", event.evidence_quote or "", event.evidence_url or ""]
        if event.actor is not None:
            texts.append(event.actor.slug)
    source = session.get(Source, row.source_id)
    assert source is not None
    texts += [source.text, source.title, source.publisher or "", source.url or "", source.slug]
    actor_ids = {row.actor_id, row.responsible_id} - {None}
    for actor in session.exec(select(Actor).where(col(Actor.id).in_(actor_ids))):
        texts += [actor.name, actor.slug, *(actor.aliases or [])]
    return texts


def create(
    session: Session, *, ref: str | int, data: WithheldCreate, user_id: int | None
) -> WithheldPublic:
    row = items.get_row(session, ref=ref)
    name = " ".join(data.name.split())
    problem = masking.name_problem(name)
    if problem is not None:
        raise invalid(FieldError("name", problem))
    this = masking.Names((name, *_slug_forms(name)))
    if not any(this.found_in(text) for text in _record_texts(session, row)):
        raise invalid(
            FieldError("name", "not found in this item, its history, its source or its actors")
        )
    key = " ".join(masking.words(name))
    exists = session.execute(
        sa.select(col(WithheldName.id)).where(col(WithheldName.name_key) == key)
    ).first()
    if exists:
        raise Conflict("That name is already withheld.")
    withheld = WithheldName(
        name=name, name_key=key, item_id=row.id, user_id=user_id, created_at=utcnow()
    )
    session.add(withheld)
    session.flush()
    connection = session.connection()
    _change_slugs_holding(session, this, user_id=user_id)
    search.reindex_matching(connection, this)
    audit.record(session, action="name_withheld", subject="item", slug=row.slug,
                 user_id=user_id, detail={"name": name})  # fmt: skip
    assert withheld.id is not None
    return WithheldPublic(
        id=withheld.id, name=name, item_slug=items.get_row(session, ref=row.id).slug,
        created_at=withheld.created_at,
    )  # fmt: skip


def _slug_forms(name: str) -> tuple[str, ...]:
    """The name as a slug writes it (accents dropped): "José García" is `jose-garcia` there."""
    slug = shapes.slugify(name, fallback="")
    return (slug,) if slug and slug != name.lower() else ()


def _change_slugs_holding(session: Session, name: masking.Names, *, user_id: int | None) -> None:
    """Every slug that holds the name becomes one that does not (the name's words replaced by
    `withheld`); the old one is kept so that its URLs lead nowhere (slugs.follow)."""
    tables: tuple[tuple[SlugKind, type[SQLModel]], ...] = (
        ("item", Item),
        ("source", Source),
        ("actor", Actor),
    )
    for kind, model in tables:
        table = table_of(model)
        column = table.c.slug
        rows = session.execute(sa.select(table.c.id, column)).all()
        for row_id, slug in rows:
            if not name.found_in(slug):
                continue
            shown = name.text(slug).replace(masking.PLACEHOLDER, "withheld")
            new = free_slug(session, column, shapes.slugify(shown, fallback=kind))
            _change_slug(session, kind, model, row_id, slug, new, user_id)


def _change_slug(
    session: Session, kind: SlugKind, model: type[SQLModel], row_id: int, old: str, new: str,
    user_id: int | None,
) -> None:  # fmt: skip
    if kind == "item":
        edits.change_slug(session, ref=row_id, slug=new, user_id=user_id, checked=True)
        return
    table = table_of(model)
    current = session.execute(sa.select(table.c.version).where(table.c.id == row_id)).scalar_one()
    compare_and_set(
        session, model, row_id=row_id, version=current,
        values={"slug": new, "updated_at": utcnow()},
    )  # fmt: skip
    slugs.record(session, kind=kind, old=old, new=new, target_id=row_id)


def of_item(session: Session, *, item_id: int) -> list[WithheldPublic]:
    """The names marked on this item (for its editors' page)."""
    rows = session.execute(
        sa.select(WithheldName)
        .where(col(WithheldName.item_id) == item_id)
        .order_by(col(WithheldName.id))
    ).scalars()
    slug = items.get_row(session, ref=item_id).slug
    return [
        WithheldPublic(id=w.id or 0, name=w.name, item_slug=slug, created_at=w.created_at)
        for w in rows
    ]


def delete(
    session: Session, *, ref: str | int, withheld_id: int, user_id: int | None = None
) -> None:
    row = items.get_row(session, ref=ref)
    name = session.execute(
        sa.select(col(WithheldName.name)).where(
            col(WithheldName.id) == withheld_id, col(WithheldName.item_id) == row.id
        )
    ).scalar_one_or_none()
    if name is None:
        raise NotFound(f"No withheld name {withheld_id} on {row.slug}.")
    session.execute(sa.delete(WithheldName).where(col(WithheldName.id) == withheld_id))
    search.reindex_matching(session.connection(), masking.Names((name,)))
    audit.record(session, action="name_shown", subject="item", slug=row.slug, user_id=user_id,
                 detail={"name": name})  # fmt: skip
