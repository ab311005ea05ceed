"""Links between items: reading an item's parent, children, related items and the items it
follows from; adding and removing links.

`part_of` makes a tree: an item has at most one parent, and a link that would make an item part
of itself (however many steps round) is refused with the loop named. `follows_from` may not loop
either. `related` is symmetric and stored once. A link made or removed is in the audit and in
the item's public history (an event of type `link`); the data version also counts the links
themselves (delivery.version.VERSION_SQL).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.audit import service as audit
from service.db import compare_and_set, utcnow
from service.errors import Conflict, FieldError, NotFound, invalid, precondition_failed
from service.events import service as events
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


# A draft is for editors only: the public reads no link to it.
_SHOWN = col(Item.publication) != "draft"


def _linked(session: Session, *, item_id: int, outgoing: bool, drafts: bool) -> list[Any]:
    """The links that leave the item (outgoing) or arrive at it, with the item at the other end
    (a draft only with `drafts`)."""
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
    if not drafts:
        query = query.where(_SHOWN)
    return list(session.execute(query).all())


def links_of(session: Session, *, item_id: int, drafts: bool = False) -> ItemLinks:
    """The item's links to others (to drafts too, for editors: `drafts`)."""
    outgoing = _linked(session, item_id=item_id, outgoing=True, drafts=drafts)
    incoming = _linked(session, item_id=item_id, outgoing=False, drafts=drafts)
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
        .where(col(ItemLink.relation) == "part_of", col(ItemLink.target_id).in_(item_ids), _SHOWN)
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
    session: Session,
    *,
    ref: str | int,
    data: LinkCreate,
    user_id: int | None,
    trace: bool = True,
) -> LinkPublic:
    """Link an item to another. `trace`: in the audit and the item's history (an editor's
    action; the seed data's links are the data as it starts, not anyone's action)."""
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
    if trace:
        _trace(session, item, target, {"added": {"relation": relation, "target": target.slug}},
               action="link_added", user_id=user_id)  # fmt: skip
    return LinkPublic.model_construct(
        relation=relation,
        item=ItemBrief.of(item.slug, item.kind, item.title, item.status),
        target=ItemBrief.of(target.slug, target.kind, target.title, target.status),
    )


def delete(
    session: Session,
    *,
    ref: str | int,
    relation: str,
    target: str | int,
    user_id: int | None = None,
) -> None:
    item = items.get_row(session, ref=ref)
    other = items.get_row(session, ref=target)
    link_id = _find(session, relation, item.id, other.id)
    if link_id is None:
        raise NotFound(f"{item.slug} has no {relation} link to {other.slug}.")
    session.execute(sa.delete(ItemLink).where(col(ItemLink.id) == link_id))
    _trace(session, item, other, {"removed": {"relation": relation, "target": other.slug}},
           action="link_removed", user_id=user_id)  # fmt: skip


def _trace(
    session: Session, item: Any, other: Any, change: dict[str, Any], *, action: str,
    user_id: int | None,
) -> None:  # fmt: skip
    """A link made or removed: in the audit, and in the item's public history (an event of
    type `link`), unless the other item is a draft (for editors only)."""
    audit.record(session, action=action, subject="item", slug=item.slug, user_id=user_id,
                 detail=change)  # fmt: skip
    if other.publication == "draft":
        return
    now = utcnow()
    if not compare_and_set(session, Item, row_id=item.id, version=item.version,
                           values={"updated_at": now}):  # fmt: skip
        raise precondition_failed(
            "Someone else changed the item at the same moment.", current_version=item.version + 1
        )
    events.append(session, item_id=item.id, version=item.version + 1, type="link",
                  user_id=user_id, at=now, changes=change)  # fmt: skip
