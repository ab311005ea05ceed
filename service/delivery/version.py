"""The data version: one short string that changes with every change to what any answer shows,
read from the database itself (never from one process's memory), so that ETags and kept values
agree across workers, hosts and restarts, and a kept value can never outlive its data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from service.db import WRITE_CLOCK

# Every change shows here: items change only with an event; sources and actors are added (id)
# or corrected (updated_at); suggestions are dismissed; an editor's every other action (a draft
# deleted, a dismissal taken back) is in the audit (its newest id); links and withheld names
# are added (their newest id) or removed (their count: with ids that only grow, the newest id
# and the count together never come back to an earlier pair once a row has gone). Small lookups
# in one round trip, in plain SQL, so that the fast path can run it on a bare driver connection.
# That holds where commits come in id order (SQLite: one writer at a time). PostgreSQL's writers
# commit in any order, so a commit can leave every newest id as it was: there the sum of the write
# clock (db.WRITE_CLOCK), which every writing transaction ticks, is read as well.
VERSION_SQL = (
    "SELECT (SELECT max(id) FROM event), (SELECT max(id) FROM source), (SELECT max(id) FROM actor),"
    " (SELECT max(updated_at) FROM source), (SELECT max(updated_at) FROM actor),"
    " (SELECT max(id) FROM candidate_dismissal),"
    " (SELECT max(id) FROM item_link), (SELECT count(*) FROM item_link),"
    " (SELECT max(id) FROM withheld_name), (SELECT count(*) FROM withheld_name),"
    " (SELECT max(id) FROM audit_entry)"
)
VERSION_SQL_POSTGRESQL = VERSION_SQL + f", (SELECT sum(ticks) FROM {WRITE_CLOCK})"
_QUERIES = {"sqlite": sa.text(VERSION_SQL), "postgresql": sa.text(VERSION_SQL_POSTGRESQL)}


def sql_for(dialect: str) -> str:
    return VERSION_SQL_POSTGRESQL if dialect == "postgresql" else VERSION_SQL


def format_version(row: Sequence[object]) -> str:
    return ".".join("0" if value is None else str(value) for value in row)


def data_version(session: Session) -> str:
    """The version of the data this session reads (its snapshot, on PostgreSQL)."""
    query = _QUERIES[session.get_bind().dialect.name]
    return format_version(tuple(session.execute(query).one()))
