"""Helpers of the reliability tests: whole-database exports to compare, activity in every table,
and the app's routes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy.engine import Engine

from tests.support.accounts import PASSWORD
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE


def export_bytes(engine: Engine) -> bytes:
    """What `tracker export` writes, as bytes."""
    from service.system.backup import export_chunks

    return "".join(export_chunks(engine)).encode("utf-8")


def export_of(database_url: str) -> bytes:
    """The whole database as export bytes."""
    from service.db import create_db_engine

    engine = create_db_engine(database_url)
    try:
        return export_bytes(engine)
    finally:
        engine.dispose()


def seed(database_url: str) -> None:
    """Load seeds/ into a migrated database, as `tracker seed` does."""
    from service import seeds
    from service.config import PROJECT_ROOT
    from service.db import create_db_engine, write_session

    engine = create_db_engine(database_url)
    try:
        with write_session(engine) as session:
            seeds.load(session, seeds_dir=PROJECT_ROOT / "seeds")
    finally:
        engine.dispose()


def record_activity(database_url: str) -> dict[str, str]:
    """Put rows in every table through the service functions, the way the API would: users and
    tokens (one revoked), a status change with evidence and progress, an edit (with its
    old/new wording), a new item, a failed sign-in, a reply, a link and a withheld name (in the
    new item's title, and in an actor's slug, which it changes). Returns the secrets it used."""
    from service.accounts import service as accounts
    from service.db import create_db_engine, write_session
    from service.events.models import ReplyCreate
    from service.imports import reading
    from service.imports import service as imports
    from service.items import edits, replies
    from service.items import service as items
    from service.items.models import ItemCreate, ItemUpdate, Quantity, StatusChange
    from service.links import service as links
    from service.links.models import LinkCreate
    from service.sources import service as sources
    from service.sources import suggestions
    from service.sources.models import SourceMetadata
    from service.withheld import service as withheld
    from service.withheld.models import WithheldCreate

    engine = create_db_engine(database_url)
    try:
        with write_session(engine) as s:
            editor = accounts.create_user(s, username="ed", password=PASSWORD, role="editor")
            accounts.create_user(s, username="vi", password=PASSWORD + "!", role="viewer")
            token = accounts.create_token(s, username="ed")
            revoked = accounts.create_token(s, username="ed", name="old")
            accounts.revoke_token(s, token_or_prefix=revoked)
        with write_session(engine) as s:
            items.record_status_change(
                s,
                ref=ITEM,
                change=StatusChange(
                    status="in_progress",
                    note="Recruitment under way: 40 in post.",
                    evidence_url="https://example.org/report?a=1&b=2",
                    evidence_quote="Forty officers are now in post.",
                    progress_value=40.5,
                ),
                user_id=editor.id,
            )
        with write_session(engine) as s:
            edits.update(
                s,
                ref=ITEM,
                data=ItemUpdate(title="62 more staff for the CSE unit", due_on="2027-01-31"),
                if_match_version=2,
                user_id=editor.id,
            )
        with write_session(engine) as s:
            items.create(
                s,
                data=ItemCreate(
                    kind="commitment",
                    title="Victims and survivors panel of Alan Billings, café « accents » ✓",
                    actor=ACTOR,
                    source=SOURCE,
                    quote=QUOTE,
                    quantity=Quantity(value=1200000.25, unit="GBP"),
                    made_on="2015-02-04",
                ),
                user_id=editor.id,
            )
        with write_session(engine) as s:
            assert accounts.verify_password(s, username="ed", password="wrong password") is None
            accounts.record_failed_login(s, keys=["ip:192.0.2.1", "user:ed"])
        with write_session(engine) as s:
            # An upload kept byte for byte (bytes that are not UTF-8 too), and a suggestion
            # dismissed in it.
            uploaded = sources.archive(
                s,
                meta=SourceMetadata(title="Council statement", published_precision="month",
                                    published_on="2015-03-01", date_note="“last March”"),
                text="The council will publish its review by June.\n",
                original=sources.Upload("statement.html", "text/html", b"<p>\xff\x00 review</p>"),
            )  # fmt: skip
            found = suggestions.compute(uploaded.text, actors=[], written_on=None)
            suggestions.store(s, source=uploaded, found=found)
            candidate = suggestions.for_source(s, slug=uploaded.slug)[0]
            suggestions.dismiss(s, slug=uploaded.slug, candidate_id=candidate.id, user_id=None)
        with write_session(engine) as s:
            # A spreadsheet imported: one status changed, its note naming the import.
            sheet = f"slug,status,note\r\n{ITEM},stalled,“Recruitment paused”\r\n".encode()
            table = reading.read_table("newsroom.csv", sheet)
            made = imports.preview(s, table=table, filename="newsroom.csv", data=sheet,
                                   user_id=editor.id)  # fmt: skip
        with write_session(engine) as s:
            imports.confirm(s, import_id=made.id, user_id=editor.id)
        with write_session(engine) as s:
            # A reply quoting its source, a link between items and a withheld name.
            replies.record(
                s,
                ref=ITEM,
                data=ReplyCreate(
                    by="south-yorkshire-police", text="The force welcomes the posts.",
                    source=SOURCE, quote=QUOTE, occurred_on="2015-03-03",
                ),
                user_id=editor.id,
            )  # fmt: skip
            links.create(
                s, ref=ITEM, data=LinkCreate(relation="related", target="gov-cse-national-threat"),
                user_id=editor.id,
            )  # fmt: skip
            withheld.create(
                s, ref=ITEM, data=WithheldCreate(name="Alan Billings"), user_id=editor.id
            )
    finally:
        engine.dispose()
    return {"token": token, "revoked": revoked, "password": PASSWORD}


def table_counts(export: bytes) -> dict[str, int]:
    return {name: len(t["rows"]) for name, t in json.loads(export)["tables"].items()}


def walk_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route of an app, through its included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from walk_routes(inner.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            yield prefix + route.path, set(route.methods)
