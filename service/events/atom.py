"""The Atom (RFC 4287) rendering of events: the latest changes, the changes of one item, of one
actor, of a filtered view, and the corrections.

Ids are `tag:` URIs (RFC 4151) of the configured authority (`TRACKER_FEED_AUTHORITY`), not URLs of
the host serving the feed: a reader that follows a feed keeps its entries read when the tracker
moves to another host name. Links are absolute, from `TRACKER_BASE_URL`.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree as ET

from pydantic import BaseModel

from service import urls
from service.config import get_settings
from service.events.models import EventPublic
from service.shapes import json_number

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all, even escaped. Input refuses them; text stored before
# that rule (or by other means) is cleaned here, so that the feed is always well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A feed without events says it was last updated at this fixed moment (Atom requires a date).
_NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = "Accountability tracker: latest changes"


class TitledEvents(BaseModel):
    """A feed's title and its events, as one value: a title that names an actor is masked with
    the events, before it is written."""

    title: str
    events: list[EventPublic]


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def tag_uri(specific: str) -> str:
    """A `tag:` URI of the tracker's authority: `tag:tracker.invalid,2026:event/12`."""
    return f"tag:{get_settings().feed_authority}:{specific}"


def _title(event: EventPublic) -> str:
    item = event.item.title
    if event.type == "created":
        return f"{item}: recorded as {event.to_status_label}"
    if event.type == "status":
        return f"{item}: {event.from_status_label} → {event.to_status_label}"
    if event.type == "reply":
        return f"{item}: reply from {event.actor.name if event.actor else 'an actor'}"
    if event.type == "progress":
        return f"{item}: progress {event.progress_value}"
    if event.type == "published":
        return f"{item}: published"
    if event.type == "retracted":
        return f"{item}: retracted"
    if event.type == "correction":
        return f"{item}: corrected ({', '.join(sorted(event.changes or {}))})"
    if event.type == "link":
        change = event.changes or {}
        done = "linked" if "added" in change else "unlinked"
        other: dict[str, str] = next(iter(change.values()), {})
        return f"{item}: {done} {other.get('target', '')}".rstrip()
    return f"{item}: edited ({', '.join(sorted(event.changes or {}))})"


def _fields(changes: dict[str, object] | None) -> str:
    return ", ".join(sorted(changes or {})) or "no field named"


def what_changed(event: EventPublic) -> str:
    """What the event changed, in a sentence, then its note and evidence: an entry's content."""
    if event.type == "created":
        lines = [f"Recorded, with the status {event.to_status_label}."]
    elif event.type == "status":
        lines = [f"Status changed from {event.from_status_label} to {event.to_status_label}."]
    elif event.type == "reply":
        who = event.actor.name if event.actor else "An actor"
        lines = [f"{who} replied:"]
    elif event.type == "progress":
        value = json_number(event.progress_value) if event.progress_value is not None else None
        lines = [f"Progress recorded: {value}."]
    elif event.type == "published":
        lines = ["Published."]
    elif event.type == "retracted":
        lines = ["Retracted: it should never have been tracked. The reason:"]
    elif event.type == "correction":
        lines = [f"Corrected in public ({_fields(event.changes)}). The notice:"]
    elif event.type == "link":
        change = event.changes or {}
        done = "Linked to" if "added" in change else "Unlinked from"
        other: dict[str, str] = next(iter(change.values()), {})
        relation = f" ({other['relation']})" if other.get("relation") else ""
        lines = [f"{done} {other.get('target', 'another item')}{relation}."]
    else:
        lines = [f"Edited: {_fields(event.changes)}."]
    if event.occurred_on:
        lines.append(f"Happened on {event.occurred_on.isoformat()}.")
    if event.note:
        lines.append(event.note)
    if event.evidence_quote:
        lines.append(f"“{event.evidence_quote}”")
    if event.evidence_url:
        lines.append(f"Evidence: {event.evidence_url}")
    return "\n".join(lines)


def render(
    events: list[EventPublic],
    *,
    base_url: str,
    path: str = "/feed.atom",
    title: str = LATEST,
    alternate: str = "/",
    feed_id: str | None = None,
) -> bytes:
    """The feed at `path` (its id `tag:AUTHORITY:<feed_id>`, by default the path), whose page is
    `alternate`."""
    settings = get_settings()
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: settings.feed_language})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    add(feed, "id", tag_uri(feed_id if feed_id is not None else path.lstrip("/")))
    add(feed, "title", title)
    add(feed, "updated", (events[0].at if events else _NEVER).isoformat())
    add(feed, "link", rel="self", href=xml_text(base_url + path), type="application/atom+xml")
    add(feed, "link", rel="alternate", href=xml_text(base_url + alternate), type="text/html")
    author = add(feed, "author")
    add(author, "name", "Accountability tracker")
    for event in events:
        entry = add(feed, "entry")
        add(entry, "id", tag_uri(f"event/{event.id}"))
        add(entry, "title", _title(event))
        add(entry, "updated", event.at.isoformat())
        href = xml_text(base_url + urls.item(event.item.slug))
        add(entry, "link", rel="alternate", href=href, type="text/html")
        if event.by:
            add(add(entry, "author"), "name", event.by)
        summary = event.note or ""
        if event.evidence_url:
            summary += f"\nEvidence: {event.evidence_url}"
        add(entry, "summary", summary.strip() or _title(event), type="text")
        add(entry, "content", what_changed(event), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
