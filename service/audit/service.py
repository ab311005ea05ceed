"""Recording an editor's action, and reading the audit, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.accounts.models import User
from service.audit.models import ACTIONS, AuditEntry, AuditList, AuditPublic, Subject
from service.db import connection_of, table_of, utcnow


def record(
    session: Session | sa.Connection,
    *,
    action: str,
    subject: Subject,
    slug: str,
    user_id: int | None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record what an editor did, in the transaction that does it."""
    if action not in ACTIONS:
        raise ValueError(f"no audit action {action!r}")
    connection_of(session).execute(
        sa.insert(table_of(AuditEntry)).values(
            at=at or utcnow(), user_id=user_id, action=action, subject=subject,
            subject_slug=slug, detail=detail,
        )
    )  # fmt: skip


def recent(session: Session, *, before: int | None = None, limit: int = 100) -> AuditList:
    """The newest entries first, `limit` of them, before the entry `before`."""
    query = (
        sa.select(
            col(AuditEntry.id), col(AuditEntry.at), col(User.username), col(AuditEntry.action),
            col(AuditEntry.subject), col(AuditEntry.subject_slug), col(AuditEntry.detail),
        )
        .outerjoin(User, col(User.id) == col(AuditEntry.user_id))
        .order_by(col(AuditEntry.id).desc())
        .limit(limit + 1)
    )  # fmt: skip
    if before is not None:
        query = query.where(col(AuditEntry.id) < before)
    rows = session.execute(query).all()
    entries = [
        AuditPublic(
            id=row.id, at=row.at, by=row.username, action=row.action,
            says=ACTIONS.get(row.action, row.action), subject=row.subject,
            subject_slug=row.subject_slug, detail=row.detail,
        )
        for row in rows[:limit]
    ]  # fmt: skip
    return AuditList(entries=entries, next_before=entries[-1].id if len(rows) > limit else None)
