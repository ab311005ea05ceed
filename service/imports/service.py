"""Items from a spreadsheet: a preview first, then, once an editor confirms it, the same changes
applied all together.

A row that names an item (`id` or `slug`) updates it: title, description, actor, responsible,
status (with the row's `note`, `evidence_url` and `occurred_on`), quantity, progress, made_on and
due_on. A row that names none creates an item, with its source and verbatim quote. The export's
own columns are read as they are, so that export → edit → import is a round trip; the columns it
derives (labels, outcome, links) are ignored, and so are columns the tracker does not know, each
named in the preview.

The preview runs every change through the same service functions as the API, inside a
savepoint that is rolled back: what it refuses is exactly what the API would refuse, row by row
and column by column. Confirming runs them again, in one transaction, each with the version the
preview saw: an item changed in between refuses the whole import, never is overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col

from service.db import utcnow
from service.errors import Conflict, NotFound, TrackerError, not_found
from service.imports.models import (
    FieldChange,
    IgnoredColumns,
    ImportApplied,
    ImportPreview,
    ItemImport,
    ItemRef,
    PlannedChange,
    PlannedCreate,
    Refusal,
)
from service.imports.reading import Row, Table
from service.items import csv_export, edits, search, vocabulary
from service.items import service as items
from service.items.models import Item, ItemCreate, ItemUpdate, StatusChange
from service.masking import PLACEHOLDER
from service.shapes import json_number
from service.slugs import service as slugs

# Other names a newsroom's own sheet may give the export's columns.
ALIASES = {"actor": "actor_slug", "responsible": "responsible_slug", "source": "source_slug"}
KEYS = ("id", "slug", "version")
# What an update may change, as the export names it.
CHANGEABLE = (
    "title", "description", "actor_slug", "responsible_slug", "status", "quantity_value",
    "quantity_unit", "progress_value", "made_on", "due_on",
)  # fmt: skip
# Read when an item is created; an update must leave them as they are (a correction does that).
CREATED_ONLY = ("kind", "source_slug", "quote", "quote_start", "publication")
# What goes with a status change.
STATUS_EXTRAS = ("note", "evidence_url", "occurred_on")
ACCEPTED = frozenset((*KEYS, *CHANGEABLE, *CREATED_ONLY, *STATUS_EXTRAS))
DERIVED = frozenset(c for c in csv_export.csv_columns() if c not in ACCEPTED)

# A FieldError's field, as the services name it, and the column that holds it.
_COLUMN_OF = {
    "actor": "actor_slug", "responsible": "responsible_slug", "source": "source_slug",
    "quantity": "quantity_value", "expected_version": "version", "body": None, "form": None,
}  # fmt: skip


class _Guard:
    """Around the reading of a row's cells: a cell that cannot be read is refused, and the
    cells after it are still read (every problem of a row is named at once)."""

    def __init__(self, refuse: Callable[[str, str], None]) -> None:
        self.refuse = refuse

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> bool:
        if isinstance(error, _CellError):
            self.refuse(error.column, error.reason)
            return True
        return False


class _CellError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class _Planned:
    """What one row asks for, as the operations confirming will run."""

    row: int
    item_id: int | None = None
    version: int | None = None
    update: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] | None = None
    create: dict[str, Any] | None = None
    note: str | None = None
    # For the preview only: the item as it was (and its row), and what the row changes in it.
    before: ItemRef | None = None
    current: Any = None
    changes: list[FieldChange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row, "item_id": self.item_id, "version": self.version,
            "update": self.update, "status": self.status, "create": self.create,
            "note": self.note,
        }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Cells


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(json_number(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _optional_text(value: object) -> str | None:
    text = _text(value)
    return text if text.strip() else None


def _integer(column: str, value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellError(column, "write a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,18}\s*", value):
        return int(value)
    raise _CellError(column, f"write a whole number, not {_text(value)!r}")


_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def _number(column: str, value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellError(column, "write a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise _CellError(column, f"write a number such as 1200000, not {text!r}") from None
    if not math.isfinite(number):
        raise _CellError(column, "write a finite number")
    return number


def _date(column: str, value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise _CellError(column, "write a date without a time, such as 2027-03-31")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise _CellError(column, f"write the date as 2027-03-31, not {text!r}")


def _status(column: str, value: object, kind: str) -> str:
    """A status's code, from its code or its label ("Delivered")."""
    text = _text(value).strip()
    if not text:
        raise _CellError(column, "a status cannot be empty")
    known = vocabulary.KIND_BY_CODE.get(kind)
    if known is None or known.status(text) is not None:
        return text
    for status in known.statuses:
        if status.label.casefold() == text.casefold():
            return status.code
    raise _CellError(column, f"{text!r} is not a status of a {kind}")


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return json_number(value)
    return value


# ---------------------------------------------------------------------------------------------
# Columns


def _columns(table: Table) -> tuple[dict[str, str], list[Refusal], IgnoredColumns]:
    """The file's columns by the name the tracker gives them; refusals for columns named twice."""
    named: dict[str, str] = {}
    refusals: list[Refusal] = []
    unknown: list[str] = []
    derived: list[str] = []
    for header in table.columns:
        name = ALIASES.get(header.strip().lower(), header.strip().lower())
        if name in DERIVED:
            derived.append(header)
        elif name not in ACCEPTED:
            unknown.append(header)
        elif name in named:
            reason = f"names the same column as {named[name]!r}: keep one of them"
            refusals.append(Refusal(row=1, column=header, reason=reason))
        else:
            named[name] = header
    return named, refusals, IgnoredColumns(unknown=unknown, derived=derived)


class _Cells:
    """One row's cells, by the tracker's column names."""

    def __init__(self, row: Row, columns: dict[str, str]) -> None:
        self.row = row
        self.columns = columns

    def has(self, name: str) -> bool:
        return name in self.columns

    def get(self, name: str) -> object:
        return self.row.values.get(self.columns[name]) if name in self.columns else None

    def header(self, name: str) -> str:
        return self.columns.get(name, name)


# ---------------------------------------------------------------------------------------------
# Planning a row


def _plan_update(
    session: Session,
    cells: _Cells,
    names: Any,
    refuse: Callable[[str, str], None],
    loaded: dict[int, Any],
) -> _Planned | None:
    """The changes a row asks of the item it names; None when it is refused or changes nothing.
    `loaded`: the rows of the items named by id, read beforehand."""
    ref_id = _integer(cells.header("id"), cells.get("id")) if cells.has("id") else None
    ref_slug = _optional_text(cells.get("slug"))
    try:
        row = loaded.get(ref_id) if ref_id is not None else None
        if row is None:
            row = items.get_row(session, ref=ref_id if ref_id is not None else ref_slug or "")
    except NotFound:
        column = "id" if ref_id is not None else "slug"
        refuse(cells.header(column), f"no item has the {column} {ref_id or ref_slug!r}")
        return None
    except TrackerError as moved:  # a slug it had before
        refuse(cells.header("slug"), f"{moved.detail} Export the items again.")
        return None
    if ref_id is not None and ref_slug is not None and ref_slug != row.slug:
        refuse(cells.header("slug"), f"item {row.id}'s slug is {row.slug!r}, not {ref_slug!r}")
        return None
    version = _integer(cells.header("version"), cells.get("version"))
    if version is not None and version != row.version:
        refuse(
            cells.header("version"),
            f"the item changed since this file was made: it is at version {row.version}, the "
            f"row has {version}. Export the items again and make this change there.",
        )
        return None
    guard = _Guard(refuse)
    plan = _Planned(
        row=cells.row.number,
        item_id=row.id,
        version=row.version,
        before=ItemRef(id=row.id, slug=row.slug, title=row.title, version=row.version),
        current=row,
    )
    changes = plan.changes

    def differs(name: str, old: Any, new: Any, *, masked_old: Any = None) -> bool:
        if old == new or (masked_old is not None and new == masked_old):
            return False
        if isinstance(new, str) and PLACEHOLDER in new and PLACEHOLDER not in (old or ""):
            refuse(
                cells.header(name),
                f"it holds {PLACEHOLDER!r}: this file was exported without the names withheld "
                "from the public. Export the items signed in, and edit that file.",
            )
            return False
        changes.append(FieldChange(field=name, old=_shown(old), new=_shown(new)))
        return True

    for name in ("kind", "publication"):
        if cells.has(name) and _text(cells.get(name)).strip() not in ("", getattr(row, name)):
            where = "a correction" if name == "kind" else "publishing or retracting"
            refuse(cells.header(name), f"{name} is changed on the item's page, by {where}")
    if cells.has("source_slug") and _text(cells.get("source_slug")).strip() not in (
        "",
        row.source_slug,
    ):
        refuse(
            cells.header("source_slug"), "a source is changed on the item's page, by a correction"
        )
    if cells.has("quote") and _text(cells.get("quote")) not in (
        "",
        row.quote,
        names.text(row.quote),
    ):
        refuse(cells.header("quote"), "a quote is changed on the item's page, by a correction")
    if cells.has("title"):
        title = _text(cells.get("title"))
        if not title.strip():
            refuse(cells.header("title"), "a title cannot be empty")
        elif differs("title", row.title, title, masked_old=names.text(row.title)):
            plan.update["title"] = title
    if cells.has("description"):
        description = _optional_text(cells.get("description"))
        masked = names.text(row.description) if row.description else None
        if differs("description", row.description, description, masked_old=masked):
            plan.update["description"] = description
    if cells.has("actor_slug"):
        actor = _text(cells.get("actor_slug")).strip()
        if not actor:
            refuse(cells.header("actor_slug"), "an item needs an actor")
        elif differs("actor", row.actor_slug, actor):
            plan.update["actor"] = actor
    if cells.has("responsible_slug"):
        responsible = _optional_text(cells.get("responsible_slug"))
        responsible = responsible.strip() if responsible else None
        if differs("responsible", row.responsible_slug, responsible):
            plan.update["responsible"] = responsible
    with guard:
        if cells.has("quantity_value") or cells.has("quantity_unit"):
            _plan_quantity(cells, row, plan)
    if cells.has("progress_value"):
        with guard:
            progress = _number(cells.header("progress_value"), cells.get("progress_value"))
            if differs("progress_value", row.progress_value, progress):
                plan.update["progress_value"] = progress
    for name in ("made_on", "due_on"):
        if cells.has(name):
            with guard:
                day = _date(cells.header(name), cells.get(name))
                if differs(name, getattr(row, name), day):
                    plan.update[name] = day.isoformat() if day else None
    if cells.has("status"):
        with guard:
            status = _status(cells.header("status"), cells.get("status"), row.kind)
            if differs("status", row.status, status):
                occurred = _date(cells.header("occurred_on"), cells.get("occurred_on"))
                plan.status = {
                    "status": status,
                    "evidence_url": _optional_text(cells.get("evidence_url")),
                    "occurred_on": _iso(occurred),
                }
    plan.note = _optional_text(cells.get("note"))
    return plan if changes else None


def _plan_quantity(cells: _Cells, row: Any, plan: _Planned) -> None:
    value, unit = _read_quantity(cells, row.quantity_value, row.quantity_unit)
    old = (
        None if row.quantity_value is None else f"{_shown(row.quantity_value)} {row.quantity_unit}"
    )
    new = None if value is None else f"{_shown(value)} {unit}"
    if old != new:
        plan.changes.append(FieldChange(field="quantity", old=old, new=new))
        plan.update["quantity"] = None if value is None else {"value": value, "unit": unit}


def _read_quantity(
    cells: _Cells, value: float | None = None, unit: str | None = None
) -> tuple[float | None, str | None]:
    """The row's quantity (value and unit), each from its column when the file has it, else
    the one given; both or neither."""
    if cells.has("quantity_value"):
        value = _number(cells.header("quantity_value"), cells.get("quantity_value"))
    if cells.has("quantity_unit"):
        unit = _optional_text(cells.get("quantity_unit"))
    if (value is None) != (unit is None):
        column = "quantity_unit" if unit is None else "quantity_value"
        raise _CellError(cells.header(column), "a quantity needs both a value and a unit")
    return value, unit


def _initial_status(kind: str) -> str:
    return vocabulary.KIND_BY_CODE[kind].initial_status


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _plan_create(cells: _Cells, refuse: Callable[[str, str], None]) -> _Planned | None:
    guard = _Guard(refuse)
    body: dict[str, Any] = {}
    for name, key in (("kind", "kind"), ("title", "title"), ("actor_slug", "actor"),
                      ("source_slug", "source")):  # fmt: skip
        text = _text(cells.get(name)).strip() if name != "title" else _text(cells.get(name))
        if not text.strip():
            refuse(cells.header(name), f"a new item needs its {key}")
        else:
            body[key] = text
    quote = _text(cells.get("quote"))
    if not quote.strip():
        refuse(cells.header("quote"), "a new item needs its verbatim quote from the source")
    else:
        body["quote"] = quote
    for name, key in (("description", "description"), ("responsible_slug", "responsible")):
        if (optional := _optional_text(cells.get(name))) is not None:
            body[key] = optional.strip() if key == "responsible" else optional
    if cells.has("status") and _text(cells.get("status")).strip():
        with guard:
            kind = body.get("kind", "")
            body["status"] = _status(cells.header("status"), cells.get("status"), kind)
    with guard:
        if (start := _integer(cells.header("quote_start"), cells.get("quote_start"))) is not None:
            body["quote_start"] = start
    with guard:
        value, unit = _read_quantity(cells)
        if value is not None:
            body["quantity"] = {"value": value, "unit": unit}
    with guard:
        progress = _number(cells.header("progress_value"), cells.get("progress_value"))
        if progress is not None:
            body["progress_value"] = progress
    for name in ("made_on", "due_on"):
        with guard:
            if (day := _date(cells.header(name), cells.get(name))) is not None:
                body[name] = day.isoformat()
    if (publication := _optional_text(cells.get("publication"))) is not None:
        body["publication"] = publication.strip()
    return _Planned(row=cells.row.number, create=body, note=_optional_text(cells.get("note")))


# ---------------------------------------------------------------------------------------------
# Running the plan


def _note(import_id: int, filename: str, planned: _Planned) -> str:
    where = f"Import {import_id} ({filename}), row {planned.row}"
    return f"{planned.note.strip()} ({where})" if planned.note else where


def _apply(
    session: Session, planned: _Planned, *, note: str, user_id: int | None, dry_run: bool = False
) -> ItemRef | None:
    """One row's operations, through the services the API uses. New items are not indexed for
    search here: the caller indexes them all at once. `dry_run`: a status change alone is only
    checked, as the change itself checks it (nothing is written), and None is returned."""
    if planned.create is not None:
        data = ItemCreate.model_validate(planned.create)
        made = items.create(session, data=data, user_id=user_id, note=note, index=False)
        return ItemRef(id=made.id, slug=made.slug, title=made.title, version=made.version)
    assert planned.item_id is not None and planned.version is not None
    version = planned.version
    if dry_run and planned.status is not None and not planned.update:
        change = StatusChange.model_validate(
            {**planned.status, "note": note, "expected_version": version}
        )
        items.check_status_change(planned.current, change)
        return None
    item = None
    if planned.update:
        update = ItemUpdate.model_validate(planned.update)
        item = edits.update(session, ref=planned.item_id, data=update, if_match_version=version,
                            user_id=user_id, note=note)  # fmt: skip
        version = item.version
    if planned.status is not None:
        change = StatusChange.model_validate(
            {**planned.status, "note": note, "expected_version": version}
        )
        item = items.record_status_change(session, ref=planned.item_id, change=change,
                                          user_id=user_id)  # fmt: skip
    assert item is not None
    return ItemRef(id=item.id, slug=item.slug, title=item.title, version=item.version)


def _load(session: Session, table: Table, columns: dict[str, str]) -> dict[int, Any]:
    """The rows of the items the file names by id, read in a few queries."""
    header = columns.get("id")
    if header is None:
        return {}
    wanted: set[int] = set()
    for row in table.rows:
        with suppress(_CellError):
            if (number := _integer(header, row.values.get(header))) is not None:
                wanted.add(number)
    ordered = sorted(wanted)
    loaded: dict[int, Any] = {}
    for start in range(0, len(ordered), 500):
        query = items.select_items().where(col(Item.id).in_(ordered[start : start + 500]))
        loaded.update({row.id: row for row in session.connection().execute(query)})
    return loaded


def _refusals_of(error: Exception, planned: _Planned, columns: dict[str, str]) -> list[Refusal]:
    def column(name: str | None) -> str | None:
        if name is None:
            return None
        head = str(name).split(".")[0]
        canonical = _COLUMN_OF.get(head, head)
        return None if canonical is None else columns.get(canonical, canonical)

    if isinstance(error, ValidationError):
        return [
            Refusal(
                row=planned.row,
                column=column(str(e["loc"][0]) if e["loc"] else None),
                reason=e["msg"],
            )
            for e in error.errors()
        ]
    assert isinstance(error, TrackerError)
    if error.errors:
        return [Refusal(row=planned.row, column=column(e.field), reason=e.message)
                for e in error.errors]  # fmt: skip
    return [Refusal(row=planned.row, column=None, reason=error.detail)]


@contextmanager
def _savepoint(session: Session, name: str, *, keep: bool) -> Iterator[None]:
    """Plain-SQL savepoint (as the group commit uses); rolled back unless `keep` and no error."""
    connection = session.connection()
    connection.exec_driver_sql(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
        session.expunge_all()
        raise
    if keep:
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
    else:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
        session.expunge_all()


# ---------------------------------------------------------------------------------------------
# Preview and confirm


def preview(
    session: Session, *, table: Table, filename: str, data: bytes, user_id: int | None
) -> ImportPreview:
    """Read the file's rows, try each as the API would, roll it all back, and keep the plan."""
    record = ItemImport(
        filename=filename[:200], sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        user_id=user_id, preview={}, plan=[],
    )  # fmt: skip
    session.add(record)
    session.flush()
    assert record.id is not None
    import_id = record.id
    columns, refusals, ignored = _columns(table)
    names = slugs.withheld_names(session)
    creates: list[PlannedCreate] = []
    changes: list[PlannedChange] = []
    plans: list[_Planned] = []
    unchanged = 0
    seen: dict[int, int] = {}
    loaded = _load(session, table, columns)
    with _savepoint(session, "import_preview", keep=False):
        for row in table.rows:
            cells = _Cells(row, columns)
            row_refusals: list[Refusal] = [
                Refusal(row=row.number, column=column, reason=reason)
                for column, reason in row.errors
            ]

            def refuse(
                column: str,
                reason: str,
                number: int = row.number,
                into: list[Refusal] = row_refusals,
            ) -> None:
                into.append(Refusal(row=number, column=column, reason=reason))

            try:
                names_item = bool(
                    _text(cells.get("id")).strip() or _text(cells.get("slug")).strip()
                )
                planned = (_plan_update(session, cells, names, refuse, loaded) if names_item
                           else _plan_create(cells, refuse))  # fmt: skip
            except _CellError as bad:
                refuse(bad.column, bad.reason)
                planned = None
            if planned is not None and planned.item_id is not None:
                if planned.item_id in seen:
                    refuse(cells.header("id") if cells.has("id") else cells.header("slug"),
                           f"row {seen[planned.item_id]} changes the same item")  # fmt: skip
                seen.setdefault(planned.item_id, row.number)
            if row_refusals:
                refusals += row_refusals
                continue
            if planned is None:
                unchanged += 1
                continue
            note = _note(import_id, filename, planned)
            writes = planned.create is not None or bool(planned.update)
            try:
                # A row that writes does so in a savepoint of its own, so that a refused row
                # leaves nothing behind for the rows after it.
                with _savepoint(session, "import_row", keep=True) if writes else nullcontext():
                    _apply(session, planned, note=note, user_id=user_id, dry_run=True)
            except (TrackerError, ValidationError) as error:
                refusals += _refusals_of(error, planned, columns)
                continue
            plans.append(planned)
            if planned.create is not None:
                body = planned.create
                creates.append(PlannedCreate(
                    row=row.number, kind=body["kind"], title=body["title"],
                    status=body.get("status") or _initial_status(body["kind"]),
                    actor=body["actor"],
                    source=body["source"], quote=body["quote"],
                    publication=body.get("publication", "published"),
                ))  # fmt: skip
            else:
                assert planned.before is not None
                changes.append(PlannedChange(row=row.number, item=planned.before,
                                             fields=planned.changes))  # fmt: skip
    result = ImportPreview(
        id=import_id, filename=record.filename, state="previewed", created_at=record.created_at,
        rows=len(table.rows), create=creates, change=changes, refuse=refusals,
        unchanged=unchanged, ignored=ignored,
    )  # fmt: skip
    record.preview = result.model_dump(mode="json", exclude={"id"})
    record.plan = [planned.as_json() for planned in plans]
    session.add(record)
    return result


def get_preview(session: Session, *, import_id: int) -> ImportPreview:
    record = session.get(ItemImport, import_id)
    if record is None:
        raise not_found("import", import_id)
    shown = {**record.preview, "id": record.id, "state": record.state}
    return ImportPreview.model_validate({**shown, "applied_at": record.applied_at})


def confirm(session: Session, *, import_id: int, user_id: int | None) -> ImportApplied:
    """Apply a previewed import, all of it or nothing."""
    record = session.get(ItemImport, import_id, with_for_update=True)
    if record is None:
        raise not_found("import", import_id)
    if record.state == "applied":
        raise Conflict(f"Import {import_id} was applied already.", extra={"state": record.state})
    if record.preview.get("refuse"):
        raise Conflict(
            f"Import {import_id} has {len(record.preview['refuse'])} refused rows: correct the "
            "file and upload it again.",
            extra={"refuse": record.preview["refuse"]},
        )
    created: list[ItemRef] = []
    changed: list[ItemRef] = []
    for entry in record.plan:
        planned = _Planned(**entry)
        try:
            made = _apply(session, planned, note=_note(import_id, record.filename, planned),
                          user_id=user_id)  # fmt: skip
        except (TrackerError, ValidationError) as error:
            reasons = "; ".join(r.reason for r in _refusals_of(error, planned, {}))
            raise Conflict(
                f"Row {planned.row} no longer applies ({reasons}): the data changed since the "
                "preview. Nothing was imported; upload the file again for a new preview.",
                extra={"row": planned.row},
            ) from None
        assert made is not None
        (created if planned.create is not None else changed).append(made)
    search.index(session.connection(), [ref.id for ref in created])
    record.state = "applied"
    record.applied_at = utcnow()
    record.applied_by = user_id
    session.add(record)
    session.flush()
    return ImportApplied(id=import_id, state="applied", applied_at=record.applied_at,
                         created=created, changed=changed)  # fmt: skip
