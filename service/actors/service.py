"""Actors: creating and correcting them, finding them, and their scorecards."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.actors.models import (
    Actor,
    ActorCreate,
    ActorUpdate,
    PhaseCounts,
    Scorecard,
    name_key,
)
from service.audit import service as audit
from service.db import compare_and_set, free_slug, table_of, utcnow
from service.errors import (
    Conflict,
    FieldError,
    invalid,
    not_found,
    precondition_failed,
    require_version,
)
from service.items import search, vocabulary
from service.items.models import Item
from service.shapes import slugify
from service.slugs import service as slugs

# What kind of actor a name says it is, when it says so plainly; the first that matches.
_KIND_WORDS = (
    ("regulator", re.compile(r"\b(?:commission|ofsted|ombudsman|inspectorate|regulator)\b", re.I)),
    ("police_force", re.compile(r"\b(?:police|constabulary)\b", re.I)),
    ("council", re.compile(r"\b(?:council|borough|county|parish|town hall)\b", re.I)),
    (
        "government",
        re.compile(r"\b(?:government|ministry|department|home office|treasury|minister)\b", re.I),
    ),
    (
        "person",
        re.compile(
            r"^(?:mr|mrs|ms|miss|dr|sir|dame|lord|lady|professor|prof|councillor|cllr)\.?\s", re.I
        ),
    ),
)


def kind_from_name(name: str) -> str | None:
    """The kind a new actor's name says plainly ("Marbury Borough Council": council), for the
    editor to confirm; None when it does not."""
    return next((kind for kind, words in _KIND_WORDS if words.search(name.strip())), None)


def get(session: Session, *, slug: str) -> Actor:
    actor = session.exec(select(Actor).where(Actor.slug == slug)).first()
    if actor is None:
        # A slug it had before leads to it (the caller's URL is out of date).
        target = slugs.follow(session, kind="actor", slug=slug)
        moved = session.get(Actor, target) if target is not None else None
        if moved is None:
            raise not_found("actor", slug)
        raise slugs.moved("actor", slug, moved.slug)
    return actor


def get_by_slug_or_none(session: Session, *, slug: str) -> Actor | None:
    return session.exec(select(Actor).where(Actor.slug == slug)).first()


def get_all(session: Session) -> list[Actor]:
    return list(session.exec(select(Actor).order_by(Actor.name)))


def scorecard(session: Session, *, actor_id: int) -> Scorecard:
    """The actor's published items (as actor, not as responsible) counted by kind and phase."""
    rows = session.execute(
        sa.select(col(Item.kind), col(Item.status), sa.func.count())
        .where(col(Item.actor_id) == actor_id, col(Item.publication) == "published")
        .group_by(col(Item.kind), col(Item.status))
    ).all()
    card = {kind.code: PhaseCounts() for kind in vocabulary.KINDS}
    for kind, status, count in rows:
        counts = card[kind]
        phase = vocabulary.status_of(kind, status).phase
        setattr(counts, phase, getattr(counts, phase) + count)
        counts.by_status[status] = counts.by_status.get(status, 0) + count
        counts.total += count
    return Scorecard(**card)


def _check_unique(session: Session, *, name: str, slug: str | None, exclude: int | None) -> None:
    clauses = [col(Actor.name_key) == name_key(name)]
    if slug is not None:
        clauses.append(col(Actor.slug) == slug)
    query = select(Actor).where(sa.or_(*clauses))
    if exclude is not None:
        query = query.where(Actor.id != exclude)
    existing = session.exec(query).first()
    if existing is not None:
        same = "slug" if slug is not None and existing.slug == slug else "name"
        raise Conflict(
            f"An actor with this {same} exists already: {existing.slug}.",
            extra={"existing": existing.slug},
        )


def _clean_aliases(aliases: list[str]) -> list[str]:
    """Aliases without blanks or repeats (by case and spacing), in the order given."""
    seen: set[str] = set()
    kept: list[str] = []
    for alias in aliases:
        key = name_key(alias)
        if key and key not in seen:
            seen.add(key)
            kept.append(" ".join(alias.split()))
    return kept


def create(session: Session, *, data: ActorCreate) -> Actor:
    name = " ".join(data.name.split())
    if not name:
        raise invalid(FieldError("name", "must not be blank"))
    _check_unique(session, name=name, slug=data.slug, exclude=None)
    if data.slug is not None:
        slugs.check_new(session, slug=data.slug, taken=col(Actor.slug) == data.slug)
    # Made from the name as the public reads it: a slug never holds a withheld name.
    shown = slugs.withheld_names(session).text(name)
    slug = data.slug or free_slug(session, table_of(Actor).c.slug, slugify(shown, fallback="actor"))
    actor = Actor(
        slug=slug,
        name=name,
        kind=data.kind,
        aliases=_clean_aliases(data.aliases),
        name_key=name_key(name),
    )
    session.add(actor)
    session.flush()
    return actor


def update(
    session: Session,
    *,
    slug: str,
    data: ActorUpdate,
    if_match_version: int,
    user_id: int | None = None,
) -> Actor:
    """Correct an actor (name, kind, aliases, slug). In the audit, with what changed."""
    actor = get(session, slug=slug)
    before = {"slug": actor.slug, "name": actor.name, "kind": actor.kind,
              "aliases": list(actor.aliases or [])}  # fmt: skip
    require_version("actor", current=actor.version, asked=if_match_version)
    given = data.model_dump(exclude_unset=True)
    changed = False
    old_slug, old_words = actor.slug, (actor.name, list(actor.aliases or []))
    if given.get("slug") is not None and given["slug"] != actor.slug:
        slugs.check_new(session, slug=given["slug"], taken=col(Actor.slug) == given["slug"])
        actor.slug, changed = given["slug"], True
    if given.get("name") is not None:
        name = " ".join(given["name"].split())
        if name != actor.name:
            _check_unique(session, name=name, slug=None, exclude=actor.id)
            actor.name, actor.name_key, changed = name, name_key(name), True
    if given.get("kind") is not None and given["kind"] != actor.kind:
        actor.kind, changed = given["kind"], True
    if given.get("aliases") is not None:
        aliases = _clean_aliases(given["aliases"])
        if aliases != list(actor.aliases or []):
            actor.aliases, changed = aliases, True
    if changed:
        assert actor.id is not None  # read from its table
        values = {
            "slug": actor.slug,
            "name": actor.name,
            "name_key": actor.name_key,
            "kind": actor.kind,
            "aliases": actor.aliases,
            "updated_at": utcnow(),
        }
        if not compare_and_set(
            session, Actor, row_id=actor.id, version=if_match_version, values=values
        ):
            raise precondition_failed(
                "Someone else changed the actor at the same moment.",
                current_version=if_match_version + 1,
            )
        if actor.slug != old_slug:
            slugs.record(session, kind="actor", old=old_slug, new=actor.slug, target_id=actor.id)
        if (actor.name, list(actor.aliases or [])) != old_words:
            search.of_actors(session.connection(), [actor.id])
        after = {"slug": actor.slug, "name": actor.name, "kind": actor.kind,
                 "aliases": list(actor.aliases or [])}  # fmt: skip
        audit.record(
            session, action="actor_corrected", subject="actor", slug=actor.slug, user_id=user_id,
            detail={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )  # fmt: skip
        session.expire(actor)
        session.refresh(actor)
    return actor
