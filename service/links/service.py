"""Links between items: reading an item's parent, children, related items and the items it
follows from; adding and removing links.

`part_of` makes a tree: an item has at most one parent, and a link that would make an item part
of itself (however many steps round) is refused with the loop named. `follows_from` may not loop
either. `related` is symmetric and stored once. Links are not events (they change no item's
fields), so the data version counts them itself (delivery.version.VERSION_SQL).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.db import utcnow
from service.errors import Conflict, FieldError, NotFound, invalid
from service.items import service as items
from service.items.models import Item
from service.links.models import (
    DIRECTED,
    ItemBrief,
    ItemLink,
    ItemLinks,
    LinkCreate,
    LinkPublic,
    Rollup,
)

# However the links were made, a loop search stops here (a tree this deep is not a story).
MAX_STEPS = 10_000


def _brief(row: Any) -> ItemBrief:
    return ItemBrief.of(row.slug, row.kind, row.title, row.status)


def _linked(session: Session, *, item_id: int, outgoing: bool) -> list[Any]:
    """The links that leave the item (outgoing) or arrive at it, with the item at the other end."""
    near, far = (col(ItemLink.item_id), col(ItemLink.target_id)) if outgoing else (
        col(ItemLink.target_id), col(ItemLink.item_id))  # fmt: skip
    query = (
        sa.select(
            col(ItemLink.relation),
            col(Item.id),
            col(Item.slug),
            col(Item.kind),
            col(Item.title),
            col(Item.status),
        )
        .join(Item, col(Item.id) == far)
        .where(near == item_id)
        .order_by(col(Item.title), col(Item.id))
    )
    return list(session.execute(query).all())


def links_of(session: Session, *, item_id: int) -> ItemLinks:
    outgoing = _linked(session, item_id=item_id, outgoing=True)
    incoming = _linked(session, item_id=item_id, outgoing=False)
    parent = next((_brief(r) for r in outgoing if r.relation == "part_of"), None)
    children = [_brief(r) for r in incoming if r.relation == "part_of"]
    related = sorted(
        (_brief(r) for r in outgoing + incoming if r.relation == "related"),
        key=lambda brief: (brief.title, brief.slug),
    )
    return ItemLinks(
        parent=parent,
        children=children,
        rollup=Rollup.of(children),
        related=related,
        follows_from=[_brief(r) for r in outgoing if r.relation == "follows_from"],
        followed_by=[_brief(r) for r in incoming if r.relation == "follows_from"],
    )


def parts_of(session: Session, item_ids: list[int]) -> dict[int, list[ItemBrief]]:
    """The parts (children) of each of these items, in one query: a table of items shows them
    under their parent."""
    if not item_ids:
        return {}
    query = (
        sa.select(
            col(ItemLink.target_id),
            col(Item.slug),
            col(Item.kind),
            col(Item.title),
            col(Item.status),
        )
        .join(Item, col(Item.id) == col(ItemLink.item_id))
        .where(col(ItemLink.relation) == "part_of", col(ItemLink.target_id).in_(item_ids))
        .order_by(col(ItemLink.target_id), col(Item.title), col(Item.id))
    )
    found: dict[int, list[ItemBrief]] = {}
    for row in session.execute(query):
        found.setdefault(row.target_id, []).append(_brief(row))
    return found


def parents(session: Session) -> frozenset[int]:
    """The items that have parts: a table whose rows are none of them needs no `parts_of`."""
    return frozenset(
        session.execute(
            sa.select(col(ItemLink.target_id)).where(col(ItemLink.relation) == "part_of").distinct()
        ).scalars()
    )


def _ends(relation: str, item_id: int, target_id: int) -> tuple[int, int]:
    """The row's (item_id, target_id): a related link from the lower id to the higher."""
    if relation == "related":
        return min(item_id, target_id), max(item_id, target_id)
    return item_id, target_id


def _find(session: Session, relation: str, item_id: int, target_id: int) -> int | None:
    a, b = _ends(relation, item_id, target_id)
    found: int | None = session.execute(
        sa.select(col(ItemLink.id)).where(
            col(ItemLink.item_id) == a,
            col(ItemLink.target_id) == b,
            col(ItemLink.relation) == relation,
        )
    ).scalar_one_or_none()
    return found


def _path(session: Session, relation: str, *, start: int, goal: int) -> list[int] | None:
    """Ids from `start` to `goal` following `relation` links forwards, or None."""
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    steps = 0
    while queue and steps < MAX_STEPS:
        steps += 1
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return path[::-1]
        nexts = session.execute(
            sa.select(col(ItemLink.target_id)).where(
                col(ItemLink.item_id) == node, col(ItemLink.relation) == relation
            )
        ).scalars()
        for following in nexts:
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return None


def _slugs(session: Session, ids: list[int]) -> list[str]:
    found: dict[int, str] = dict(
        session.execute(sa.select(col(Item.id), col(Item.slug)).where(col(Item.id).in_(ids))).all()
    )
    return [found[i] for i in ids]


def exists(session: Session, *, ref: str | int, relation: str, target: str | int) -> bool:
    item = items.get_row(session, ref=ref)
    other = items.get_row(session, ref=target)
    return _find(session, relation, item.id, other.id) is not None


_VERBS = {"part_of": "is part of", "related": "is related to", "follows_from": "follows from"}


def create(
    session: Session, *, ref: str | int, data: LinkCreate, user_id: int | None
) -> LinkPublic:
    item = items.get_row(session, ref=ref)
    try:
        target = items.get_row(session, ref=data.target)
    except NotFound:
        raise invalid(FieldError("target", f"no item {data.target!r}")) from None
    if target.id == item.id:
        raise invalid(FieldError("target", "an item cannot be linked to itself"))
    relation = data.relation
    if _find(session, relation, item.id, target.id) is not None:
        raise Conflict(f"{item.slug} already {_VERBS[relation]} {target.slug}.")
    if relation == "part_of":
        parent = links_of(session, item_id=item.id).parent
        if parent is not None:
            raise Conflict(
                f"{item.slug} is already part of {parent.slug}; an item has one parent. "
                "Remove that link first.",
                extra={"parent": parent.slug},
            )
    if relation in DIRECTED:
        path = _path(session, relation, start=target.id, goal=item.id)
        if path is not None:
            loop = _slugs(session, [item.id, *path])
            raise Conflict(
                f"That link would make a loop: {' → '.join(loop)}.", extra={"loop": loop}
            )
    a, b = _ends(relation, item.id, target.id)
    session.add(
        ItemLink(item_id=a, relation=relation, target_id=b, user_id=user_id, created_at=utcnow())
    )
    session.flush()
    return LinkPublic.model_construct(
        relation=relation,
        item=ItemBrief.of(item.slug, item.kind, item.title, item.status),
        target=ItemBrief.of(target.slug, target.kind, target.title, target.status),
    )


def delete(session: Session, *, ref: str | int, relation: str, target: str | int) -> None:
    item = items.get_row(session, ref=ref)
    other = items.get_row(session, ref=target)
    link_id = _find(session, relation, item.id, other.id)
    if link_id is None:
        raise NotFound(f"{item.slug} has no {relation} link to {other.slug}.")
    session.execute(sa.delete(ItemLink).where(col(ItemLink.id) == link_id))
