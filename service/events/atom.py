"""The Atom (RFC 4287) rendering of events."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"


def _title(event: dict[str, Any]) -> str:
    item = event["item"]["title"]
    if event["type"] == "created":
        return f"{item}: recorded as {event['to_status_label']}"
    if event["type"] == "status":
        return f"{item}: {event['from_status_label']} → {event['to_status_label']}"
    if event["type"] == "progress":
        return f"{item}: progress {event['progress_value']}"
    return f"{item}: edited ({', '.join(sorted(event['changes'] or {}))})"


def render(events: list[dict[str, Any]], *, base_url: str) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", f"{base_url}/feed.atom")
    add(feed, "title", "Accountability tracker: latest changes")
    updated = events[0]["at"] if events else dt.datetime(2000, 1, 1, tzinfo=dt.UTC).isoformat()
    add(feed, "updated", updated)
    add(feed, "link", rel="self", href=f"{base_url}/feed.atom", type="application/atom+xml")
    add(feed, "link", rel="alternate", href=f"{base_url}/", type="text/html")
    author = add(feed, "author")
    add(author, "name", "Accountability tracker")
    for event in events:
        entry = add(feed, "entry")
        add(entry, "id", f"{base_url}/api/v1/changes?after={event['id'] - 1}#event-{event['id']}")
        add(entry, "title", _title(event))
        add(entry, "updated", event["at"])
        add(entry, "link", rel="alternate", href=f"{base_url}/items/{event['item']['slug']}")
        if event["by"]:
            add(add(entry, "author"), "name", event["by"])
        summary = event["note"] or ""
        if event["evidence_url"]:
            summary += f"\nEvidence: {event['evidence_url']}"
        add(entry, "summary", summary.strip() or _title(event), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
