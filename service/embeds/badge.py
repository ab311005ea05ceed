"""An item's status badge as SVG, like a build badge: its kind on the left, its status on the
right on the colour of its outcome. White text on each colour reaches at least 4.5:1 (WCAG AA);
the badge says its words in a `<title>` too, for those who cannot see it."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# Backgrounds, the outcome text colours of the stylesheet (web/static/app.css), dark enough for
# white text.
KIND_FILL = "#3b434c"
OUTCOME_FILLS = {
    "positive": "#1e6b3a",
    "mixed": "#7a4d00",
    "negative": "#a11d2b",
    "neutral": "#4a5361",
    "pending": "#1f5f8b",
    "retracted": "#5b6570",
}
TEXT_FILL = "#ffffff"
HEIGHT = 20
PADDING = 6
# Average advance of a character of 11 px Verdana/DejaVu Sans, narrow and wide ones apart: the
# width is an estimate, so each text is also fitted to it (`textLength`).
_NARROW = set("fijlrtI.,:;'!|() ")
_WIDE = set("mwMW@%")


@dataclass(frozen=True)
class BadgeText:
    """What a badge says (masked before it is written: a title may hold a withheld name)."""

    title: str
    kind: str
    status: str
    outcome: str


def text_width(text: str) -> int:
    width = 0.0
    for character in text:
        if character in _NARROW:
            width += 3.6
        elif character in _WIDE:
            width += 9.6
        elif character.isupper() or character.isdigit():
            width += 7.4
        else:
            width += 6.4
    return max(1, round(width))


def luminance(colour: str) -> float:
    """The relative luminance of `#rrggbb` (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def render(badge: BadgeText) -> bytes:
    left_text, right_text = badge.kind, badge.status
    left = text_width(left_text) + 2 * PADDING
    right = text_width(right_text) + 2 * PADDING
    width = left + right
    fill = OUTCOME_FILLS.get(badge.outcome, OUTCOME_FILLS["pending"])
    label = f"{badge.title}: {left_text}, {right_text}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>"
        f'<rect width="{left}" height="{HEIGHT}" rx="3" fill="{KIND_FILL}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" rx="3" fill="{fill}"/>'
        f'<rect x="{left - 3}" width="6" height="{HEIGHT}" fill="{fill}"/>'
        f'<rect x="{left - 3}" width="3" height="{HEIGHT}" fill="{KIND_FILL}"/>'
        f'<g fill="{TEXT_FILL}" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" '
        f'font-size="11" text-anchor="middle">'
        f'<text x="{left / 2}" y="14" textLength="{left - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(left_text)}</text>'
        f'<text x="{left + right / 2}" y="14" textLength="{right - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(right_text)}</text>'
        "</g></svg>"
    )
    return svg.encode("utf-8")
