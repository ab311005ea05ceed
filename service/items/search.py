"""Full-text search of items: the words of `q` matched against an item's title, description,
quote and the names (and aliases) of its actor and responsible actor, ranked.

The index holds what the public reads: each text with every withheld name masked
(`service.masking`), so that no search, rank, count or cursor can tell whether a withheld name
occurs anywhere. It is written here, by the tracker, whenever what it holds may change: an item
created or edited (`index`), an actor renamed or given aliases, a name withheld or shown again
(`reindex_matching`), and whole after an import, the demo data or a migration (`rebuild`).

- SQLite: an FTS5 table `item_search` (rowid = item id; columns title, description, quote,
  actors), tokenizer `unicode61 remove_diacritics 0`, prefix indexes of 2 and 3 characters;
  ranked by bm25 with weights per column.
- PostgreSQL: a table `item_search` (item_id, document tsvector) with a GIN index; the
  document is built (`item_search_document`, migration 0009) with the `simple` configuration
  from the same four texts (weights A title, B actors, C quote, D description) after every run of
  characters that are not letters or digits is made one space, so that words split where
  unicode61 splits them; ranked by ts_rank.

The semantics are the same on both: `q` is words (runs of letters and digits; anything else only
separates them, so punctuation is never a syntax error); every word must match (AND); each word
matches as a prefix of a word of the item (`ofs` finds "Ofsted", `ofst` does not); case does not
matter, accents do ("café" is not "cafe"). A `q` without a word filters nothing.

A title that holds a withheld name is kept masked beside the index (`item_masked_title`), so
that the list sorted by title orders it as the public reads it.

Neither index structure is in the SQLModel metadata (FTS5 tables and tsvector columns are not
what the models describe): `IGNORED_TABLES` names them for the comparison of models and
migrations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from service import masking
from service.actors.models import Actor
from service.db import table_of
from service.items.models import PUBLISHED, Item, ItemMaskedTitle
from service.sources.models import Source
from service.withheld.models import WithheldName

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


# ---------------------------------------------------------------------------------------------
# Writing the index


@dataclass(frozen=True)
class _Indexed:
    """An item's texts as the public reads them, as the index holds them."""

    item_id: int
    title: str
    description: str
    quote: str
    actors: str
    masked_title: bool


_BATCH = 1000
_ITEM_TEXTS = sa.select(
    col(Item.id), col(Item.title), col(Item.description), col(Item.quote),
    col(Item.actor_id), col(Item.responsible_id), col(Item.source_id), col(Item.quote_start),
    col(Item.quote_end),
)  # fmt: skip


def _names(connection: sa.Connection) -> masking.Names:
    found = connection.execute(sa.select(col(WithheldName.name))).scalars()
    return masking.names(tuple(sorted(found)))


def _actor_texts(connection: sa.Connection, ids: Iterable[int | None]) -> dict[int, str]:
    """Each actor's name and aliases, one text, as the index holds them."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _BATCH):
        rows = connection.execute(
            sa.select(col(Actor.id), col(Actor.name), col(Actor.aliases)).where(
                col(Actor.id).in_(wanted[start : start + _BATCH])
            )
        )
        for actor_id, name, aliases in rows:
            if actor_id is not None:
                found[actor_id] = " ".join([name, *(aliases or [])])
    return found


def _source_masks(
    connection: sa.Connection, names: masking.Names, source_ids: Iterable[int] | None
) -> dict[int, masking.TextMask]:
    """The archived texts (of these sources; of all when None) that hold a withheld name, with
    their masks: a quote is indexed as it falls in the masked text, so that a quote that begins
    or ends inside a name is indexed without the part of it that it holds."""
    if not names:
        return {}
    query = sa.select(col(Source.id), col(Source.text))
    if source_ids is not None:
        query = query.where(col(Source.id).in_(sorted(set(source_ids))))
    masks = {}
    for source_id, text in connection.execute(query):
        mask = names.mask(text)
        if mask.spans and source_id is not None:
            masks[source_id] = mask
    return masks


def _public(
    rows: Sequence[Any],
    actors: dict[int, str],
    names: masking.Names,
    sources: dict[int, masking.TextMask],
) -> list[_Indexed]:
    indexed = []
    for item_id, title, description, quote, actor, responsible, source, start, end in rows:
        both = " ".join(actors[a] for a in (actor, responsible) if a in actors)
        shown_title = names.text(title)
        mask = sources.get(source)
        shown_quote = mask.public[slice(*mask.span(start, end))] if mask else names.text(quote)
        indexed.append(
            _Indexed(
                item_id,
                shown_title,
                names.text(description or ""),
                shown_quote,
                names.text(both),
                shown_title != title,
            )
        )
    return indexed


def _write(connection: sa.Connection, indexed: list[_Indexed]) -> None:
    if not indexed:
        return
    ids = [i.item_id for i in indexed]
    values = [
        {"id": i.item_id, "title": i.title, "description": i.description, "quote": i.quote,
         "actors": i.actors}
        for i in indexed
    ]  # fmt: skip
    if connection.dialect.name == "postgresql":
        connection.execute(_PG_UPSERT, values)
    else:
        connection.execute(_SQLITE_DELETE, {"ids": ids})
        connection.execute(_SQLITE_INSERT, values)
    masked = table_of(ItemMaskedTitle)
    connection.execute(sa.delete(masked).where(masked.c.item_id.in_(ids)))
    titles = [{"item_id": i.item_id, "title": i.title} for i in indexed if i.masked_title]
    if titles:
        connection.execute(sa.insert(masked), titles)


_SQLITE_DELETE = sa.text(f"DELETE FROM {TABLE} WHERE rowid IN :ids").bindparams(
    sa.bindparam("ids", expanding=True)
)
_SQLITE_INSERT = sa.text(
    f"INSERT INTO {TABLE} (rowid, title, description, quote, actors)"
    " VALUES (:id, :title, :description, :quote, :actors)"
)
_PG_DELETE = sa.text(f"DELETE FROM {TABLE} WHERE item_id IN :ids").bindparams(
    sa.bindparam("ids", expanding=True)
)
_PG_UPSERT = sa.text(
    f"INSERT INTO {TABLE} (item_id, document)"
    " VALUES (:id, item_search_document(:title, :description, :quote, :actors))"
    " ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document"
)


def forget(connection: sa.Connection, item_ids: Iterable[int]) -> None:
    """Take these items out of the index (a draft, a retracted item: not for the public)."""
    ids = sorted(set(item_ids))
    if not ids:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(_PG_DELETE, {"ids": ids})
    else:
        connection.execute(_SQLITE_DELETE, {"ids": ids})
    masked = table_of(ItemMaskedTitle)
    connection.execute(sa.delete(masked).where(masked.c.item_id.in_(ids)))


def index(connection: sa.Connection, item_ids: Iterable[int | None]) -> None:
    """Write the index rows of these items from their texts as the public reads them (after
    they were created, or their texts or actors changed, in the same transaction); an item that
    is not published is taken out (the index is what the public searches)."""
    wanted = sorted({i for i in item_ids if i is not None})
    if not wanted:
        return
    names = _names(connection)
    unpublished = connection.execute(
        sa.select(col(Item.id)).where(col(Item.id).in_(wanted), col(Item.publication) != PUBLISHED)
    ).scalars()
    hidden = {i for i in unpublished if i is not None}
    forget(connection, hidden)
    wanted = [i for i in wanted if i not in hidden]
    for start in range(0, len(wanted), _BATCH):
        rows = connection.execute(
            _ITEM_TEXTS.where(col(Item.id).in_(wanted[start : start + _BATCH]))
        ).all()
        actors = _actor_texts(connection, [a for r in rows for a in (r[4], r[5])])
        sources = _source_masks(connection, names, [r[6] for r in rows])
        _write(connection, _public(rows, actors, names, sources))


def _all_rows(connection: sa.Connection) -> Iterator[Sequence[Any]]:
    """The published items' texts, in batches."""
    last = 0
    while True:
        rows = connection.execute(
            _ITEM_TEXTS.where(col(Item.id) > last, col(Item.publication) == PUBLISHED)
            .order_by(col(Item.id))
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0] or last


def rebuild(connection: sa.Connection) -> None:
    """The whole index written again (after an import, the demo data, a migration)."""
    names = _names(connection)
    connection.execute(sa.text(f"DELETE FROM {TABLE}"))
    connection.execute(sa.delete(table_of(ItemMaskedTitle)))
    actors = _actor_texts(connection, connection.execute(sa.select(col(Actor.id))).scalars())
    sources = _source_masks(connection, names, None)
    for rows in _all_rows(connection):
        _write(connection, _public(rows, actors, names, sources))


def reindex_matching(connection: sa.Connection, changed: masking.Names) -> None:
    """After a name was withheld or shown again (`changed`): write again the index rows of every
    item whose texts, whose actors' names and aliases, or whose source's text hold it."""
    actors = _actor_texts(connection, connection.execute(sa.select(col(Actor.id))).scalars())
    holding = {a for a, text in actors.items() if changed.found_in(text)}
    quoting = set(_source_masks(connection, changed, None))
    found: list[int | None] = []
    for rows in _all_rows(connection):
        for item_id, title, description, quote, actor, responsible, source, _, _ in rows:
            if (
                actor in holding
                or responsible in holding
                or source in quoting
                or any(changed.found_in(text) for text in (title, description or "", quote))
            ):
                found.append(item_id)
    index(connection, found)


def of_actors(connection: sa.Connection, actor_ids: Iterable[int | None]) -> None:
    """After an actor's name or aliases changed: write again the rows of its items."""
    wanted = sorted({i for i in actor_ids if i is not None})
    items = connection.execute(
        sa.select(col(Item.id)).where(
            sa.or_(col(Item.actor_id).in_(wanted), col(Item.responsible_id).in_(wanted))
        )
    ).scalars()
    index(connection, list(items))


def masked_titles(connection: sa.Connection) -> dict[int, str]:
    """The items whose title holds a withheld name, with the title as the public reads it."""
    table = table_of(ItemMaskedTitle)
    return dict(connection.execute(sa.select(table.c.item_id, table.c.title)).all())
