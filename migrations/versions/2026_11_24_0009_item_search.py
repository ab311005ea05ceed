"""Full-text search of items: an index of title, description, quote and the names and aliases
of the item's actor and responsible actor, kept by triggers (SQLite FTS5, PostgreSQL tsvector with
a GIN index), built here for the items that exist.

The triggers fire on every write path (the API, the forms, imports, the seed loader, bulk
inserts) and on an actor's rename. A later SQLite migration that rebuilds `item` or `actor` in
batch mode drops their triggers with the old table: it must create them again (UPGRADE_SQLITE).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite ---------------------------------------------------------------------------------------

# The actors' names and aliases of an item, one text ({a} and {r} are its actor_id and
# responsible_id).
_SQLITE_ACTORS = """(
    SELECT coalesce(group_concat(
        a.name || ' ' || coalesce((SELECT group_concat(j.value, ' ') FROM json_each(a.aliases) j), ''),
        ' '), '')
    FROM actor a WHERE a.id = {a} OR a.id = {r}
)"""

UPGRADE_SQLITE = (
    """CREATE VIRTUAL TABLE item_search USING fts5(
        title, description, quote, actors,
        tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'
    )""",
    f"""CREATE TRIGGER item_search_insert AFTER INSERT ON item BEGIN
        INSERT INTO item_search (rowid, title, description, quote, actors)
        VALUES (NEW.id, NEW.title, NEW.description, NEW.quote,
                {_SQLITE_ACTORS.format(a="NEW.actor_id", r="NEW.responsible_id")});
    END""",
    f"""CREATE TRIGGER item_search_update
    AFTER UPDATE OF id, title, description, quote, actor_id, responsible_id ON item BEGIN
        DELETE FROM item_search WHERE rowid = OLD.id;
        INSERT INTO item_search (rowid, title, description, quote, actors)
        VALUES (NEW.id, NEW.title, NEW.description, NEW.quote,
                {_SQLITE_ACTORS.format(a="NEW.actor_id", r="NEW.responsible_id")});
    END""",
    """CREATE TRIGGER item_search_delete AFTER DELETE ON item BEGIN
        DELETE FROM item_search WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER item_search_actor AFTER UPDATE OF name, aliases ON actor
    WHEN NEW.name IS NOT OLD.name OR NEW.aliases IS NOT OLD.aliases BEGIN
        UPDATE item_search
        SET actors = (
            SELECT {_SQLITE_ACTORS.format(a="i.actor_id", r="i.responsible_id")}
            FROM item i WHERE i.id = item_search.rowid
        )
        WHERE rowid IN (
            SELECT id FROM item WHERE actor_id = NEW.id
            UNION SELECT id FROM item WHERE responsible_id = NEW.id
        );
    END""",
    f"""INSERT INTO item_search (rowid, title, description, quote, actors)
    SELECT i.id, i.title, i.description, i.quote,
           {_SQLITE_ACTORS.format(a="i.actor_id", r="i.responsible_id")}
    FROM item i""",
)

DOWNGRADE_SQLITE = (
    "DROP TRIGGER IF EXISTS item_search_actor",
    "DROP TRIGGER IF EXISTS item_search_delete",
    "DROP TRIGGER IF EXISTS item_search_update",
    "DROP TRIGGER IF EXISTS item_search_insert",
    "DROP TABLE IF EXISTS item_search",
)


# PostgreSQL -----------------------------------------------------------------------------------

UPGRADE_POSTGRESQL = (
    """CREATE TABLE item_search (
        item_id integer NOT NULL,
        document tsvector NOT NULL,
        CONSTRAINT pk_item_search PRIMARY KEY (item_id),
        CONSTRAINT fk_item_search_item_id_item
            FOREIGN KEY (item_id) REFERENCES item (id) ON DELETE CASCADE
    )""",
    "CREATE INDEX ix_item_search_document ON item_search USING gin (document)",
    # Words split where SQLite's unicode61 splits them: every run of other characters is a space.
    """CREATE FUNCTION item_search_words(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT regexp_replace(coalesce(body, ''), '[^[:alnum:]]+', ' ', 'g') $$""",
    """CREATE FUNCTION item_search_actors(p_actor integer, p_responsible integer) RETURNS text
    LANGUAGE sql STABLE
    AS $$
        SELECT coalesce(string_agg(
            a.name || ' ' || CASE WHEN json_typeof(a.aliases) = 'array' THEN coalesce(
                (SELECT string_agg(j.value, ' ') FROM json_array_elements_text(a.aliases) j), '')
                ELSE '' END,
            ' '), '')
        FROM actor a WHERE a.id = p_actor OR a.id = p_responsible
    $$""",
    """CREATE FUNCTION item_search_document(
        title text, description text, quote text, actors text
    ) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT setweight(to_tsvector('simple'::regconfig, item_search_words(title)), 'A')
            || setweight(to_tsvector('simple'::regconfig, item_search_words(actors)), 'B')
            || setweight(to_tsvector('simple'::regconfig, item_search_words(quote)), 'C')
            || setweight(to_tsvector('simple'::regconfig, item_search_words(description)), 'D')
    $$""",
    """CREATE FUNCTION item_search_on_item() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO item_search (item_id, document)
        VALUES (NEW.id, item_search_document(NEW.title, NEW.description, NEW.quote,
                                             item_search_actors(NEW.actor_id, NEW.responsible_id)))
        ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER item_search_insert AFTER INSERT ON item
    FOR EACH ROW EXECUTE FUNCTION item_search_on_item()""",
    """CREATE TRIGGER item_search_update
    AFTER UPDATE OF title, description, quote, actor_id, responsible_id ON item
    FOR EACH ROW EXECUTE FUNCTION item_search_on_item()""",
    """CREATE FUNCTION item_search_on_actor() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF NEW.name IS DISTINCT FROM OLD.name
           OR NEW.aliases::text IS DISTINCT FROM OLD.aliases::text THEN
            UPDATE item_search s
            SET document = item_search_document(
                i.title, i.description, i.quote, item_search_actors(i.actor_id, i.responsible_id))
            FROM item i
            WHERE i.id = s.item_id AND (i.actor_id = NEW.id OR i.responsible_id = NEW.id);
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER item_search_actor AFTER UPDATE OF name, aliases ON actor
    FOR EACH ROW EXECUTE FUNCTION item_search_on_actor()""",
    """INSERT INTO item_search (item_id, document)
    SELECT i.id, item_search_document(i.title, i.description, i.quote,
                                      item_search_actors(i.actor_id, i.responsible_id))
    FROM item i""",
)

DOWNGRADE_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS item_search_actor ON actor",
    "DROP TRIGGER IF EXISTS item_search_update ON item",
    "DROP TRIGGER IF EXISTS item_search_insert ON item",
    "DROP FUNCTION IF EXISTS item_search_on_actor()",
    "DROP FUNCTION IF EXISTS item_search_on_item()",
    "DROP TABLE IF EXISTS item_search",
    "DROP FUNCTION IF EXISTS item_search_document(text, text, text, text)",
    "DROP FUNCTION IF EXISTS item_search_actors(integer, integer)",
    "DROP FUNCTION IF EXISTS item_search_words(text)",
)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        # As written: no bind parameters (`[:alnum:]` is a character class, not a parameter).
        op.get_bind().exec_driver_sql(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(UPGRADE_POSTGRESQL)
    else:
        _run(UPGRADE_SQLITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(DOWNGRADE_POSTGRESQL)
    else:
        _run(DOWNGRADE_SQLITE)
