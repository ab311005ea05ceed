"""The Atom (RFC 4287) rendering of events."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree as ET

from service import urls
from service.events.models import EventPublic

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped. Input refuses them; text stored before
# that rule (or by other means) is cleaned here, so that the feed is always well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


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


def render(
    events: list[EventPublic],
    *,
    base_url: str,
    path: str = "/feed.atom",
    title: str = "Accountability tracker: latest changes",
    alternate: str = "/",
) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    add(feed, "id", f"{base_url}{path}")
    add(feed, "title", title)
    updated = (events[0].at if events else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).isoformat()
    add(feed, "updated", updated)
    add(feed, "link", rel="self", href=f"{base_url}{path}", type="application/atom+xml")
    add(feed, "link", rel="alternate", href=f"{base_url}{alternate}", type="text/html")
    author = add(feed, "author")
    add(author, "name", "Accountability tracker")
    for event in events:
        entry = add(feed, "entry")
        add(entry, "id", f"{base_url}{urls.changes(event.id - 1)}#event-{event.id}")
        add(entry, "title", _title(event))
        add(entry, "updated", event.at.isoformat())
        href = xml_text(base_url + urls.item(event.item.slug))
        add(entry, "link", rel="alternate", href=href)
        if event.by:
            add(add(entry, "author"), "name", event.by)
        summary = event.note or ""
        if event.evidence_url:
            summary += f"\nEvidence: {event.evidence_url}"
        add(entry, "summary", summary.strip() or _title(event), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
