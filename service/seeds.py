"""Loading the seed data: the archived sources and the actors and items written from them.

Loading is idempotent. A source already present must have the same SHA-256; an item already
present is left as editors have made it (its quote is still checked against its source), so
running the seed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session

from service.actors import service as actors
from service.actors.models import ACTOR_KINDS, ActorCreate
from service.errors import FieldError, Invalid, NotFound, SourceChanged, TrackerError, invalid
from service.items import service as items
from service.items.models import ItemCreate
from service.links import service as links
from service.links.models import LinkCreate
from service.sources import service as sources
from service.sources import suggestions

SEED_NOTE = "Recorded from the archived source when the seed data was loaded."


@dataclass
class SeedReport:
    sources_added: int = 0
    actors_added: int = 0
    items_added: int = 0
    items_checked: int = 0
    links_added: int = 0

    def __str__(self) -> str:
        return (
            f"sources added: {self.sources_added}, actors added: {self.actors_added}, "
            f"items added: {self.items_added}, items verified: {self.items_checked}, "
            f"links added: {self.links_added}"
        )


def read_seed_file(seeds_dir: Path) -> dict[str, Any]:
    with (seeds_dir / "items.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise Invalid("seeds/items.yaml is not a mapping.")
    return data


def load(session: Session, *, seeds_dir: Path) -> SeedReport:
    data = read_seed_file(seeds_dir)
    report = SeedReport()
    for entry in data.get("sources", []):
        raw = (seeds_dir / "sources" / entry["file"]).read_bytes()
        existing = sources.get_by_slug_or_none(session, slug=entry["slug"])
        if existing is not None:
            if existing.sha256 != sources.sha256_of(raw) or existing.sha256 != entry["sha256"]:
                raise SourceChanged(
                    f"Source {entry['slug']} in the database differs from seeds/sources."
                )
            continue
        sources.create(
            session,
            slug=entry["slug"],
            title=entry["title"],
            raw=raw,
            publisher=entry.get("publisher"),
            url=entry.get("url"),
            published_on=entry.get("published_on"),
            published_precision=entry.get("published_precision"),
            date_note=entry.get("date_note"),
            expected_sha256=entry["sha256"],
        )
        report.sources_added += 1
    for entry in data.get("actors", []):
        if entry["kind"] not in ACTOR_KINDS:
            raise invalid(FieldError("kind", f"actor {entry['slug']}: unknown kind"))
        if actors.get_by_slug_or_none(session, slug=entry["slug"]) is None:
            actors.create(
                session,
                data=ActorCreate(
                    slug=entry["slug"],
                    name=entry["name"],
                    kind=entry["kind"],
                    aliases=entry.get("aliases") or [],
                ),
            )
            report.actors_added += 1
    for entry in data.get("items", []):
        _load_item(session, entry, report)
    for entry in data.get("links", []):
        _load_link(session, entry, report)
    # The seed sources' suggestions, now that their actors are known.
    suggestions.refresh(session)
    return report


def _load_link(session: Session, entry: dict[str, Any], report: SeedReport) -> None:
    """A link the texts support (docs/SEED_DATA.md says which words); one already there, or one
    an editor removed and made again, is left as it is."""
    try:
        data = LinkCreate(relation=entry["relation"], target=entry["target"])
        if links.exists(session, ref=entry["item"], relation=data.relation, target=data.target):
            return
        links.create(session, ref=entry["item"], data=data, user_id=None, trace=False)
    except (TrackerError, ValidationError, KeyError) as exc:
        raise Invalid(f"Seed link {entry}: {exc}") from None
    report.links_added += 1


def _load_item(session: Session, entry: dict[str, Any], report: SeedReport) -> None:
    slug = entry.get("slug")
    try:
        data = ItemCreate.model_validate({k: v for k, v in entry.items() if v is not None})
    except ValidationError as exc:
        raise Invalid(f"Seed item {slug}: {exc}") from None
    try:
        existing = items.get_row(session, ref=data.slug or "")
    except NotFound:
        existing = None
    if existing is not None:
        source = sources.get(session, slug=existing.source_slug)
        if source.text[existing.quote_start : existing.quote_end] != existing.quote:
            raise SourceChanged(
                f"Item {slug}: its quote is no longer at its offsets in {source.slug}."
            )
        report.items_checked += 1
        return
    try:
        items.create(session, data=data, user_id=None, note=SEED_NOTE, at=dt.datetime.now(dt.UTC))
    except TrackerError as exc:
        raise Invalid(f"Seed item {slug}: {exc.detail}") from exc
    report.items_added += 1
    report.items_checked += 1
