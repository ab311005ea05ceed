"""The demo sources: made-up live-update pages, the same in every run, and the claims each one's
text makes, quoted verbatim at their offsets as the tracker's own rules find them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from service.shapes import slugify
from service.sources.service import locate_quote
from tools.demo_data.words import (
    ACTORS,
    AREAS,
    CLAIMS,
    FILLERS,
    INVESTIGATORS,
    MAKERS,
    PREFIX,
    WORDS,
)

# The sources are the same in every run, whatever the seed of the items is.
_CONTENT_SEED = 20141


@dataclass(frozen=True)
class Claim:
    """A sentence of a source that an item quotes; actors are indexes into ACTORS."""

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


@dataclass(frozen=True)
class DemoSource:
    slug: str
    title: str
    publisher: str | None
    url: str | None
    published_on: dt.date | None
    raw: bytes


def fill(rng: random.Random) -> dict[str, str]:
    """A value for every blank of the sentences in words.py."""
    values = {key: rng.choice(words) for key, words in WORDS.items()}
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


def pool(rng: random.Random, templates: tuple[str | None, ...], size: int) -> list[str | None]:
    """`size` texts made from the templates in turn (None stays None)."""
    made = []
    for index in range(size):
        template = templates[index % len(templates)]
        values = {**fill(rng), "actor": rng.choice(ACTORS)[1]}
        made.append(template.format(**values) if template else None)
    return made


def _claim(rng: random.Random, *, source: int, text_so_far: str) -> tuple[str, Claim]:
    kind, sentence, title, unit = rng.choice(CLAIMS)
    actor = rng.choice(MAKERS[kind])
    investigator = rng.choice(INVESTIGATORS)
    values = fill(rng)
    values.update(actor=ACTORS[actor][1], investigator=ACTORS[investigator][1])
    text = sentence.format(**values)
    title_text = title.format(**values)
    title_text = title_text[0].upper() + title_text[1:]
    quantity = None
    if unit == "GBP":
        quantity = (float(values["m"]) * 1_000_000, unit)
    elif unit is not None:
        quantity = (float(values["n"]), unit)
    start, end = locate_quote(text_so_far + text, text, start=len(text_so_far))
    claim = Claim(
        kind=kind,
        actor=actor,
        responsible=investigator if "{investigator}" in sentence else None,
        title=title_text,
        slug=slugify(title_text),
        quantity=quantity,
        source=source,
        start=start,
        end=end,
        quote=text,
    )
    return text, claim


def build_sources(count: int = 8) -> list[tuple[DemoSource, list[Claim]]]:
    """The demo sources and the claims each one's text makes."""
    made = []
    for index in range(count):
        rng = random.Random(_CONTENT_SEED + index)
        area = AREAS[index % len(AREAS)]
        headline = f"{area}: council and police questioned over child protection"
        text = f"Live updates: {headline}\n\n"
        claims = []
        for _paragraph in range(36):
            text += f"{rng.randint(9, 18):02d}:{rng.randint(0, 59):02d}\n"
            for _sentence in range(rng.randint(1, 3)):
                if rng.random() < 0.6:
                    sentence, claim = _claim(rng, source=index, text_so_far=text)
                    claims.append(claim)
                else:
                    sentence = rng.choice(FILLERS).format(**fill(rng))
                text += sentence + " "
            text += "\n\n"
        source = DemoSource(
            slug=f"{PREFIX}{slugify(headline)}-{index + 1}",
            title=f"Live updates: {headline}",
            publisher="Northern Demo Gazette" if index % 2 == 0 else None,
            url=f"https://example.org/demo/live/{index + 1}" if index % 3 else None,
            published_on=dt.date(2024, 1 + index % 12, 1 + index) if index % 2 else None,
            raw=text.encode("utf-8"),
        )
        made.append((source, claims))
    return made
