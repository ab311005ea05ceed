"""Full-text search of items: the words of `q` matched against an item's title, description,
quote and the names (and aliases) of its actor and responsible actor, ranked.

One index per database, kept by triggers in the database itself (migration 0009), so that every
write path keeps it in step without knowing about it: the API and the forms, `tracker import`,
the seed loader, the demo data's bulk insert, an actor's rename.

- SQLite: an FTS5 table `item_search` (rowid = item id; columns title, description, quote,
  actors), tokenizer `unicode61 remove_diacritics 0`, prefix indexes of 2 and 3 characters;
  ranked by bm25 with weights per column.
- PostgreSQL: a table `item_search` (item_id, document tsvector) with a GIN index; the
  document is built with the `simple` configuration from the same four texts (weights A title,
  B actors, C quote, D description) after every run of characters that are not letters or digits
  is made one space, so that words split where unicode61 splits them; ranked by ts_rank.

The semantics are the same on both: `q` is words (runs of letters and digits; anything else only
separates them, so punctuation is never a syntax error); every word must match (AND); each word
matches as a prefix of a word of the item (`ofs` finds "Ofsted", `ofst` does not); case does not
matter, accents do ("café" is not "cafe"). A `q` without a word filters nothing.

Neither structure is in the SQLModel metadata (FTS5 tables and tsvector triggers are not what
the models describe): `IGNORED_TABLES` names them for the comparison of models and migrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

TABLE = "item_search"
# The FTS5 table and the shadow tables SQLite makes for it; on PostgreSQL only the first exists.
IGNORED_TABLES = frozenset(
    {TABLE, *(f"{TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config"))}
)
# At most this many words are searched for (a q is at most 200 characters anyway).
MAX_WORDS = 32

# bm25 weights of title, description, quote, actors (SQLite); PostgreSQL's weights A-D follow
# the same order of importance.
BM25_WEIGHTS = (8.0, 1.0, 2.0, 4.0)

_WORD = re.compile(r"[^\W_]+")


def words(q: str | None) -> list[str]:
    """The words of a search, lower-cased, in order, each once."""
    if not q:
        return []
    found: list[str] = []
    for word in _WORD.findall(q.lower()):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: each word a quoted string marked as a prefix, all required."""
    return " AND ".join('"' + term.replace('"', '""') + '" *' for term in terms)


def tsquery(terms: list[str]) -> str:
    """A to_tsquery('simple', ...) text: each word a quoted lexeme marked as a prefix, all
    required (&)."""
    return " & ".join("'" + term.replace("'", "''").replace("\\", "\\\\") + "':*" for term in terms)


@dataclass(frozen=True, eq=False)
class Matches:
    """The items that match, as a subquery of (item_id, rank) (lower rank is better), and the
    values of its parameters, to pass when the statement that holds it is executed."""

    subquery: sa.Subquery
    params: dict[str, Any]

    @property
    def item_id(self) -> ColumnElement[int]:
        return self.subquery.c.item_id

    @property
    def rank(self) -> ColumnElement[float]:
        return self.subquery.c.rank


# The statements are built once per shape (a Select costs more to build than to run at 10k
# items); a search's words, cursor and limit are parameters of the execution.
_QUERY = "search_query"
_AFTER_RANK, _AFTER_ID, _LIMIT = "search_after_rank", "search_after_id", "search_limit"


def _condition(dialect: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """The match condition on the index table and the rank of a match (lower is better)."""
    text = sa.bindparam(_QUERY, type_=sa.String())
    if dialect == "postgresql":
        document: sa.ColumnClause[Any] = sa.column("document")
        query = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), text)
        # ts_rank gives a real (higher is better); negated as a double, it orders like bm25.
        rank: ColumnElement[Any] = sa.cast(-sa.func.ts_rank(document, query), sa.Float(53))
        return document.bool_op("@@")(query), rank
    fts: sa.ColumnClause[Any] = sa.literal_column(TABLE)
    weights: list[ColumnElement[Any]] = [sa.literal_column(repr(w)) for w in BM25_WEIGHTS]
    return fts.op("MATCH")(text), sa.func.bm25(fts, *weights)


def _item_id(dialect: str) -> ColumnElement[int]:
    return sa.literal_column("item_id" if dialect == "postgresql" else f"{TABLE}.rowid")


@lru_cache(maxsize=16)
def _matches(dialect: str, after: bool, limit: bool) -> sa.Subquery:
    condition, rank = _condition(dialect)
    item_id = _item_id(dialect)
    select = (
        sa.select(item_id.label("item_id"), rank.label("rank"))
        .select_from(sa.table(TABLE))
        .where(condition)
    )
    if after:
        select = select.where(
            sa.tuple_(rank, item_id)
            > sa.tuple_(
                sa.bindparam(_AFTER_RANK, type_=sa.Float(53)),
                sa.bindparam(_AFTER_ID, type_=sa.Integer()),
            )
        )
    if limit:
        select = select.order_by(rank.asc(), item_id.asc()).limit(
            sa.bindparam(_LIMIT, type_=sa.Integer(), literal_execute=True)
        )
    return select.subquery("search")


def _query_text(dialect: str, terms: list[str]) -> str:
    if not terms:
        raise ValueError("a search needs at least one word")
    return tsquery(terms) if dialect == "postgresql" else fts5_query(terms)


def matches(
    dialect: str,
    terms: list[str],
    *,
    after: tuple[float, int] | None = None,
    limit: int | None = None,
) -> Matches:
    """The items matching every word (`terms` from `words()`, not empty), with their rank.

    With `limit`: only the best `limit` after `after` (rank, item id), chosen in the index
    alone, for a list that nothing but the words filter: the items table is then read for
    those rows only, not for every match."""
    params: dict[str, Any] = {_QUERY: _query_text(dialect, terms)}
    if after is not None:
        params[_AFTER_RANK], params[_AFTER_ID] = after
    if limit is not None:
        params[_LIMIT] = limit
    return Matches(_matches(dialect, after is not None, limit is not None), params)


@lru_cache(maxsize=4)
def _count(dialect: str) -> sa.Select[Any]:
    condition, _rank = _condition(dialect)
    return sa.select(sa.func.count()).select_from(sa.table(TABLE)).where(condition)


def count(dialect: str, terms: list[str]) -> tuple[sa.Select[Any], dict[str, Any]]:
    """How many items match, read from the index alone (every indexed row is an item): the
    statement and its parameters."""
    return _count(dialect), {_QUERY: _query_text(dialect, terms)}
