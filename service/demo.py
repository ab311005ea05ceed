"""Synthetic demo data: actors, sources, items and their histories, written in bulk.

For trying the dashboard on a realistic data set and for the benchmark (tests/bench). Every row
it makes is marked: actors, sources and items have slugs that start with `demo-`, and the user
who signs the events is `demo-editor`, who cannot sign in. It refuses to write into a database
that holds other items unless forced.

The sources are made up but shaped like the real ones (live-update pages of a few KB, with
non-ASCII punctuation); every item quotes one of their sentences verbatim at its offsets. Each
item gets a history (a `created` event, then status changes, progress and edits) whose last event
leaves the item as it is stored: versions run 1..n without gaps.

Rows are written in bulk, executemany on SQLite and COPY on PostgreSQL, a chunk at a time; each
chunk holds whole items with all their events and commits on its own, so an interrupted run
leaves consistent data. Ids are chosen here, so run it on a database no server is writing to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from service.db import WRITE_LOCK
from service.items import tally, vocabulary
from service.shapes import slugify

PREFIX = "demo-"
DEMO_USER = "demo-editor"
CHUNK_ITEMS = 20_000
_CONTENT_SEED = 20141  # the sources are the same in every run, whatever --seed is
_YEAR_US = 365 * 24 * 3600 * 1_000_000
_EPOCH = dt.datetime(1970, 1, 1)

ACTORS = (
    ("demo-northdale-police", "Northdale Police", "police_force"),
    ("demo-eastbrook-constabulary", "Eastbrook Constabulary", "police_force"),
    ("demo-eastbrook-council", "Eastbrook Borough Council", "council"),
    ("demo-kingsmere-council", "Kingsmere City Council", "council"),
    ("demo-northern-pcc", "Jane Alder, Police and Crime Commissioner for the North", "person"),
    ("demo-home-department", "Home Department", "government"),
    ("demo-families-department", "Department for Education and Families", "government"),
    ("demo-police-conduct-office", "Office for Police Conduct", "regulator"),
    ("demo-care-inspectorate", "Schools and Care Inspectorate", "regulator"),
    ("demo-childrens-commissioner", "Amira Okafor, Children\u2019s Commissioner", "person"),
    ("demo-councils-forum", "Forum of Local Councils", "other"),
    ("demo-northdale-health-trust", "Northdale Health Trust", "other"),
)
# Who makes each kind of claim, and who investigates allegations.
_MAKERS = {
    "commitment": (0, 1, 2, 3, 4, 5, 6, 11),
    "allegation": (0, 1, 2, 3, 11),
    "proposal": (4, 5, 6, 9, 10, 8),
}
_INVESTIGATORS = (7, 8)
AREAS = ("Northdale", "Eastbrook", "Kingsmere", "Hollowford", "Ashcombe", "Greywater")
_WORDS = {
    "role": ("social workers", "detectives", "youth workers", "family support officers"),
    "unit": ("the child protection unit", "the exploitation taskforce", "the safeguarding hub"),
    "programme": ("victim support services", "specialist counselling", "school outreach work"),
    "facility": ("family centres", "youth hubs", "safe houses", "drop-in clinics"),
    "document": ("a full action plan", "the serious case review", "an audit of past referrals"),
    "skill": ("spotting signs of exploitation", "trauma-informed interviewing", "online safety"),
    "issue": ("taxi licensing", "missing children", "care homes", "online grooming"),
    "wrong": ("wilfully neglect children", "cover up abuse", "ignore repeated warnings"),
    "topic": ("complaints handling", "the missing persons policy", "children\u2019s services"),
    "duty": ("report suspected abuse", "share records with the police", "publish inspections"),
    "month": ("January", "March", "April", "June", "September", "December"),
}
# (kind, sentence, title, quantity unit or None); {n} is the quantity where there is one.
_CLAIMS = (
    ("commitment", "{actor} has committed {n} additional {role} to {unit} by {month} {year}.",
     "{n} additional {role} for {unit}", "staff"),
    ("commitment", "{actor} pledged £{m}m for {programme} over the next {k} years.",
     "£{m}m for {programme}", "GBP"),
    ("commitment", "{actor} promised to open {n} new {facility} across {area} by {year}.",
     "{n} new {facility} in {area}", "centres"),
    ("commitment", "{actor} said it would publish {document} within {k} months.",
     "Publish {document} within {k} months", None),
    ("commitment", "{actor} committed to training {n} frontline officers in {skill}.",
     "Train {n} officers in {skill}", "officers"),
    ("allegation", "{actor} is accused of failing to act on {n} referrals about {issue}.",
     "Failure to act on {n} referrals about {issue}", "referrals"),
    ("allegation", "Campaigners allege that {actor} ignored warnings about {issue} for {k} years.",
     "Warnings about {issue} ignored for {k} years", None),
    ("allegation", "{investigator} is investigating {n} officers of {actor} over {issue}.",
     "{n} officers investigated over {issue}", "officers"),
    ("allegation", "A former employee claims that {actor} destroyed records about {issue}.",
     "Records about {issue} destroyed", None),
    ("proposal", "{actor} proposed up to {n} years in prison for officials who {wrong}.",
     "Up to {n} years in prison for officials who {wrong}", "years"),
    ("proposal", "{actor} called for an independent review of {topic} in {area}.",
     "Independent review of {topic} in {area}", None),
    ("proposal", "{actor} wants a new legal duty on councils to {duty}.",
     "Legal duty on councils to {duty}", None),
    ("proposal", "{actor} suggested a limit of {n} cases for each social worker in {area}.",
     "Limit of {n} cases per social worker in {area}", "cases"),
)  # fmt: skip
# Curly quotes, dashes and accents as in real pages, so that offsets count characters, not bytes.
_FILLERS = (
    "The meeting at {area}\u2019s civic centre was attended by about {n} residents.",
    "One parent said: \u201cWe have heard promises like this before.\u201d",
    "Councillors from all parties spoke during the debate, which ran past {hh}:{mm}.",
    "A café owner near the station said the area felt safer than a year ago.",
    "Questions were taken from the floor; several were about funding for {programme}.",
    "The full report runs to {n} pages and is expected to be published online.",
    "Reporters were told that further statements would follow later in the week.",
    "Updated {hh}:{mm} \u2014 the session resumed after a short break.",
)
_NOTES = (
    "Confirmed in the minutes of the {area} scrutiny committee.",
    "A spokesperson for {actor} confirmed this in a statement on {month} {day}.",
    "Reported by the local paper after a freedom of information request.",
    "Correction: the earlier status was recorded from a draft document.",
    "Announced at the public meeting; the written decision is still to come.",
    "The annual report for {year} gives the figures.",
    "Inspectors\u2019 follow-up visit in {month} found the work under way in {area}.",
)
_DESCRIPTIONS = (
    "Made during the live coverage of the meeting in {area}; no start date was given.",
    "The text does not say how the work will be paid for.",
    "Repeated later in the day in a statement from {actor}.",
    None,
    None,
)


@dataclass(frozen=True)
class Claim:
    kind: str
    actor: int
    responsible: int | None
    title: str
    slug: str
    quantity: tuple[float, str] | None
    source: int
    start: int
    end: int
    quote: str


@dataclass
class DemoReport:
    items: int = 0
    events: int = 0
    actors: int = 0
    sources: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"demo data: {self.items} items, {self.events} events, {self.actors} actors and "
            f"{self.sources} sources added in {self.seconds:.1f} s"
        )


class DemoRefused(Exception):
    """The database holds items that demo-data did not make."""


def _values(rng: random.Random) -> dict[str, str]:
    values = {key: rng.choice(words) for key, words in _WORDS.items()}
    values.update(
        n=str(rng.choice((3, 5, 8, 10, 12, 25, 40, 62, 120, 300))),
        m=str(rng.choice((0.5, 1.2, 2, 3.5, 10))),
        k=str(rng.randint(2, 10)),
        year=str(rng.randint(2025, 2028)),
        area=rng.choice(AREAS),
        hh=f"{rng.randint(9, 18):02d}",
        mm=f"{rng.randint(0, 59):02d}",
        day=str(rng.randint(1, 28)),
    )
    return values


def build_sources(count: int = 8) -> list[tuple[dict[str, Any], list[Claim]]]:
    """The demo sources (the same in every run) and the claims each one's text makes."""
    made = []
    for index in range(count):
        rng = random.Random(_CONTENT_SEED + index)
        area = AREAS[index % len(AREAS)]
        headline = f"{area}: council and police questioned over child protection"
        parts = [f"Live updates: {headline}\n\n"]
        length = len(parts[0])
        claims = []
        for _paragraph in range(36):
            stamp = f"{rng.randint(9, 18):02d}:{rng.randint(0, 59):02d}\n"
            parts.append(stamp)
            length += len(stamp)
            for _sentence in range(rng.randint(1, 3)):
                if rng.random() < 0.6:
                    kind, sentence, title, unit = rng.choice(_CLAIMS)
                    actor = rng.choice(_MAKERS[kind])
                    investigator = rng.choice(_INVESTIGATORS)
                    values = _values(rng)
                    values.update(actor=ACTORS[actor][1], investigator=ACTORS[investigator][1])
                    text = sentence.format(**values)
                    title_text = title.format(**values)
                    title_text = title_text[0].upper() + title_text[1:]
                    quantity = None
                    if unit == "GBP":
                        quantity = (float(values["m"]) * 1_000_000, unit)
                    elif unit is not None:
                        quantity = (float(values["n"]), unit)
                    claims.append(
                        Claim(
                            kind=kind,
                            actor=actor,
                            responsible=investigator if "{investigator}" in sentence else None,
                            title=title_text,
                            slug=slugify(title_text)[:80],
                            quantity=quantity,
                            source=index,
                            start=length,
                            end=length + len(text),
                            quote=text,
                        )
                    )
                else:
                    text = rng.choice(_FILLERS).format(**_values(rng))
                parts.append(text + " ")
                length += len(text) + 1
            parts.append("\n\n")
            length += 2
        text = "".join(parts)
        raw = text.encode("utf-8")
        source = {
            "slug": f"{PREFIX}{slugify(headline)}-{index + 1}",
            "title": f"Live updates: {headline}",
            "publisher": "Northern Demo Gazette" if index % 2 == 0 else None,
            "url": f"https://example.org/demo/live/{index + 1}" if index % 3 else None,
            "published_on": dt.date(2024, 1 + index % 12, 1 + index) if index % 2 else None,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "text": raw.decode("utf-8"),
        }
        made.append((source, claims))
    return made


def _ensure_reference_rows(connection: Connection) -> tuple[list[int], list[int], int, DemoReport]:
    """Demo actors, sources and the demo user, inserted when missing; their ids."""
    from service.accounts.models import User
    from service.actors.models import Actor, name_key
    from service.sources.models import Source

    report = DemoReport()
    now = dt.datetime.now(dt.UTC)
    actor_ids = []
    for slug, name, kind in ACTORS:
        found = connection.execute(sa.select(Actor.id).where(Actor.slug == slug)).scalar()
        if found is None:
            connection.execute(
                sa.insert(Actor).values(slug=slug, name=name, kind=kind, name_key=name_key(name))
            )
            found = connection.execute(sa.select(Actor.id).where(Actor.slug == slug)).scalar_one()
            report.actors += 1
        actor_ids.append(found)
    source_ids = []
    for source, _claims in build_sources():
        row = connection.execute(
            sa.select(Source.id, Source.sha256).where(Source.slug == source["slug"])
        ).first()
        if row is not None and row.sha256 != source["sha256"]:
            raise DemoRefused(
                f"source {source['slug']} differs from the demo source of this version; "
                "load demo data into an empty database"
            )
        if row is None:
            connection.execute(sa.insert(Source).values(**source, archived_at=now))
            report.sources += 1
        source_ids.append(
            connection.execute(
                sa.select(Source.id).where(Source.slug == source["slug"])
            ).scalar_one()
        )
    user_id = connection.execute(sa.select(User.id).where(User.username == DEMO_USER)).scalar()
    if user_id is None:
        # Not an argon2 hash, and inactive: nobody can sign in as the demo editor.
        connection.execute(
            sa.insert(User).values(
                username=DEMO_USER,
                password_hash="!demo",
                role="editor",
                is_active=False,
                created_at=now,
            )
        )
        user_id = connection.execute(
            sa.select(User.id).where(User.username == DEMO_USER)
        ).scalar_one()
    return actor_ids, source_ids, user_id, report


def _transitions() -> dict[tuple[str, str], list[str]]:
    """For each (kind, status), the next statuses to draw from, repeated by weight: most changes
    move an item on (open to active to resolved); some go back, as corrections do."""
    weights = {"open": (1, 6, 3), "active": (1, 3, 6), "resolved": (1, 5, 4)}
    table = {}
    for kind in vocabulary.KINDS:
        for current in kind.statuses:
            drawn: list[str] = []
            for phase, weight in zip(vocabulary.PHASES, weights[current.phase], strict=True):
                choices = [s.code for s in kind.statuses if s.phase == phase and s != current]
                for code in choices:
                    drawn += [code] * max(1, round(12 * weight / len(choices)))
            table[kind.code, current.code] = drawn
    return table


def _pool(rng: random.Random, templates: tuple[str | None, ...], size: int) -> list[str | None]:
    made = []
    for index in range(size):
        template = templates[index % len(templates)]
        values = {**_values(rng), "actor": rng.choice(ACTORS)[1]}
        made.append(template.format(**values) if template else None)
    return made


ItemRow = tuple[Any, ...]
EventRow = tuple[Any, ...]


@dataclass
class _Plan:
    """What every chunk draws from."""

    rng: random.Random
    total: int
    events_per_item: int
    claims: dict[str, list[Claim]]
    actor_ids: list[int]
    source_ids: list[int]
    user_id: int
    now_us: int
    stamp: Callable[[int], Any]
    transitions: dict[tuple[str, str], list[str]]
    notes: list[str | None]
    descriptions: list[str | None]


_KINDS = ("commitment",) * 9 + ("allegation",) * 6 + ("proposal",) * 5
_DUE_SHARE = {"commitment": 0.6, "allegation": 0.05, "proposal": 0.25}


def _chunk(
    plan: _Plan, *, first_id: int, count: int, first_event_id: int, position: int
) -> tuple[list[ItemRow], list[EventRow]]:
    """Items first_id.. and their events, as rows in ITEM_COLUMNS and EVENT_COLUMNS order."""
    rng, stamp, user_id = plan.rng, plan.stamp, plan.user_id
    random_ = rng.random
    items: list[ItemRow] = []
    events: list[EventRow] = []
    event_id = first_event_id
    span = 3 * _YEAR_US
    start_us = plan.now_us - span
    extra = 2 * (plan.events_per_item - 1)
    for offset in range(count):
        item_id = first_id + offset
        kind_code = rng.choice(_KINDS)
        kind = vocabulary.KIND_BY_CODE[kind_code]
        claim = rng.choice(plan.claims[kind_code])
        # Items arrive over three years, roughly in id order; their events follow until now.
        created = start_us + int(
            ((position + offset) / plan.total * 0.95 + random_() * 0.05) * span
        )
        n_events = 1 + (rng.randint(0, extra) if extra else 0)
        times = sorted(
            created + int(random_() * (plan.now_us - created)) for _ in range(n_events - 1)
        )
        made_on = (_EPOCH + dt.timedelta(microseconds=created)).date()
        made_on -= dt.timedelta(days=rng.randint(0, 30))
        due_on = None
        if random_() < _DUE_SHARE[kind_code]:
            due_on = made_on + dt.timedelta(days=rng.randint(60, 1100))
        target = None
        if claim.quantity and kind_code == "commitment" and claim.quantity[0] > 0:
            target = claim.quantity[0]
        status = kind.initial_status if random_() < 0.6 else rng.choice(kind.statuses).code
        progress = None
        events.append(
            (event_id, item_id, 1, "created", stamp(created), user_id, None, status, None, None,
             None, None, None)
        )  # fmt: skip
        event_id += 1
        for version, when in enumerate(times, 2):
            roll = random_()
            if target is not None and roll < 0.25:
                old = progress
                progress = min(target, (progress or 0) + max(1.0, round(target * roll)))
                changes = orjson.dumps({"progress_value": [old, progress]}).decode()
                events.append(
                    (event_id, item_id, version, "progress", stamp(when), user_id, None, None,
                     None, None, None, progress, changes)
                )  # fmt: skip
            elif due_on is not None and roll > 0.9:
                old_due = due_on
                due_on = due_on + dt.timedelta(days=rng.randint(30, 365))
                changes = orjson.dumps({"due_on": [old_due, due_on]}).decode()
                events.append(
                    (event_id, item_id, version, "edit", stamp(when), user_id, None, None,
                     "New date agreed after the review.", None, None, None, changes)
                )  # fmt: skip
            else:
                new = rng.choice(plan.transitions[kind_code, status])
                url = f"https://example.org/demo/evidence/{item_id}-{version}"
                events.append(
                    (event_id, item_id, version, "status", stamp(when), user_id, status, new,
                     rng.choice(plan.notes), url if roll < 0.4 else None, None, None, None)
                )  # fmt: skip
                status = new
            event_id += 1
        quantity = claim.quantity
        items.append(
            (
                item_id,
                f"{PREFIX}{item_id}-{claim.slug}"[:120].rstrip("-"),
                kind_code,
                claim.title,
                rng.choice(plan.descriptions),
                status,
                plan.actor_ids[claim.actor],
                plan.actor_ids[claim.responsible] if claim.responsible is not None else None,
                plan.source_ids[claim.source],
                claim.quote,
                claim.start,
                claim.end,
                quantity[0] if quantity else None,
                quantity[1] if quantity else None,
                progress,
                target,
                made_on,
                due_on,
                stamp(created),
                stamp(times[-1]) if times else stamp(created),
                n_events,
            )
        )
    return items, events


ITEM_COLUMNS = (
    "id", "slug", "kind", "title", "description", "status", "actor_id", "responsible_id",
    "source_id", "quote", "quote_start", "quote_end", "quantity_value", "quantity_unit",
    "progress_value", "progress_target", "made_on", "due_on", "created_at", "updated_at",
    "version",
)  # fmt: skip
_KIND, _STATUS = ITEM_COLUMNS.index("kind"), ITEM_COLUMNS.index("status")
EVENT_COLUMNS = (
    "id", "item_id", "version", "type", "at", "user_id", "from_status", "to_status", "note",
    "evidence_url", "evidence_quote", "progress_value", "changes",
)  # fmt: skip


def _sqlite_stamp(us: int) -> str:
    # SQLAlchemy's own storage format for SQLite datetimes (UTC, always with microseconds), so
    # that these rows sort and compare exactly like the rows the service writes.
    if us % 1_000_000 == 0:
        us += 1  # isoformat() would leave the microseconds out
    return (_EPOCH + dt.timedelta(microseconds=us)).isoformat(" ")


def _postgresql_stamp(us: int) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=us)).replace(tzinfo=dt.UTC)


def _write_sqlite(connection: Connection, items: list[ItemRow], events: list[EventRow]) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    for table, columns, rows in (("item", ITEM_COLUMNS, items), ("event", EVENT_COLUMNS, events)):
        marks = ", ".join("?" * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    cursor.close()


def _write_postgresql(connection: Connection, items: list[ItemRow], events: list[EventRow]) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    for table, columns, rows in (("item", ITEM_COLUMNS, items), ("event", EVENT_COLUMNS, events)):
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    cursor.close()


def holds_other_items(connection: Connection) -> bool:
    from service.items.models import Item

    query = sa.select(Item.id).where(sa.not_(Item.slug.startswith(PREFIX, autoescape=True)))
    return connection.execute(query.limit(1)).first() is not None


def generate(
    engine: Engine,
    *,
    items: int,
    events_per_item: int = 3,
    force: bool = False,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Add `items` demo items with `events_per_item` events each on average (at least one)."""
    if items < 0 or events_per_item < 1:
        raise ValueError("items must be >= 0 and events_per_item >= 1")
    began = time.perf_counter()
    postgresql = engine.dialect.name == "postgresql"
    write = _write_postgresql if postgresql else _write_sqlite
    claims: dict[str, list[Claim]] = {"commitment": [], "allegation": [], "proposal": []}
    for _source, made in build_sources():
        for claim in made:
            claims[claim.kind].append(claim)
    bind = engine.execution_options(tracker_write=True)
    with bind.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        if not postgresql:
            # A large page cache keeps the index pages in memory while the rows go in.
            raw.execute("PRAGMA cache_size=-262144")
        with connection.begin():
            if not force and holds_other_items(connection):
                raise DemoRefused(
                    "the database holds items that demo-data did not make; "
                    "give --force to add demo items beside them"
                )
            actor_ids, source_ids, user_id, report = _ensure_reference_rows(connection)
        rng = random.Random(seed)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        plan = _Plan(
            rng=rng,
            total=max(items, 1),
            events_per_item=events_per_item,
            claims=claims,
            actor_ids=actor_ids,
            source_ids=source_ids,
            user_id=user_id,
            now_us=(now - _EPOCH) // dt.timedelta(microseconds=1),
            stamp=_postgresql_stamp if postgresql else _sqlite_stamp,
            transitions=_transitions(),
            notes=_pool(rng, _NOTES, 400),
            descriptions=_pool(rng, _DESCRIPTIONS, 200),
        )
        done = 0
        for size in _chunks(items, CHUNK_ITEMS):
            with connection.begin():
                if postgresql:
                    # The lock every event writer takes: event ids stay in commit order.
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
                item_rows, event_rows = _chunk(
                    plan,
                    first_id=_max_id(connection, "item") + 1,
                    count=size,
                    first_event_id=_max_id(connection, "event") + 1,
                    position=done,
                )
                write(connection, item_rows, event_rows)
                tally.add(connection, ((row[_KIND], row[_STATUS], 1) for row in item_rows))
                report.items += len(item_rows)
                report.events += len(event_rows)
            done += size
            if progress:
                progress(done)
        if postgresql:
            with connection.begin():
                for table in ("item", "event"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                # Planner statistics now rather than whenever autovacuum gets to it.
                connection.exec_driver_sql("ANALYZE item")
                connection.exec_driver_sql("ANALYZE event")
        else:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report.seconds = time.perf_counter() - began
    return report


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def _max_id(connection: Connection, table: str) -> int:
    return connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
