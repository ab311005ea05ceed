"""The labelled corpus of tests/sources/corpus/: fictional texts of eight genres (news live pages,
press releases, council minutes, inspection and ombudsman reports, court and tribunal reports,
parliamentary reports and answers, manifestos, investigations), each labelled with its claims,
their replies and its distractors, in a development split (the rules are fitted to it) and a
test split (only measured). `make intake-score` prints the table; test_corpus.py holds the
targets on the test split.

A claim is found when a suggestion holds its quote (or the quote of the same claim written again
elsewhere, which the suggestion lists under `also`). Its quantity is right when the value is the
label's and the unit names the same thing (the same head noun: "door supervisors" and
"supervisors"; "%" and a label's "% of shifts").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from service.sources.candidates import Candidate, KnownActor
from service.sources.passages import BULLET
from service.sources.ranker import rank_candidates

QUOTES = "\"'\u201c\u201d\u2018\u2019"

CORPUS = Path(__file__).resolve().parent / "corpus"
GENRES = ("news-live", "press-release", "council-minutes", "inspection-report", "court-report",
          "parliament", "manifesto", "investigation")  # fmt: skip
SPLITS = ("dev", "test")

# What the suggestions aim at on text they have not seen: the test split's targets.
TARGETS = {
    "found": 0.85,  # in every genre
    "kind": 0.85,
    "quantity": 0.9,
    "deadline": 0.8,
    "distractors": 0.15,  # at most
    "unmatched": 0.20,  # at most: suggestions that hold no claim and no reply
    "per_claim": 1.2,  # at most
}


@dataclass(frozen=True)
class Claim:
    name: str
    quotes: tuple[str, ...]  # the quote, then the same claim written again
    kind: str
    quantity: tuple[float, str] | None
    actor: str | None
    responsible: str | None
    due_on: dt.date | None


@dataclass(frozen=True)
class Text:
    name: str
    genre: str
    split: str
    text: str
    written_on: dt.date | None
    actors: list[KnownActor]
    claims: list[Claim]
    replies: list[str]
    distractors: list[str]


def _quantity(entry: dict[str, Any]) -> tuple[float, str] | None:
    given = entry.get("quantity")
    return (float(given["value"]), str(given["unit"])) if given else None


def load(split: str | None = None) -> list[Text]:
    texts = []
    for labels_file in sorted(CORPUS.glob("*.yaml")):
        labels = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
        if split is not None and labels["split"] != split:
            continue
        text = (CORPUS / labels["text"]).read_bytes().decode("utf-8")
        actors = [
            KnownActor(a["slug"], a["name"], tuple(a.get("aliases") or ()))
            for a in labels["actors"]
        ]
        claims = [
            Claim(
                name=f"{labels_file.stem}#{n}",
                quotes=(c["quote"], *(c.get("also") or ())),
                kind=c["kind"],
                quantity=_quantity(c),
                actor=c.get("actor"),
                responsible=c.get("responsible"),
                due_on=c.get("due_on"),
            )
            for n, c in enumerate(labels["claims"], 1)
        ]
        texts.append(
            Text(
                name=labels_file.stem,
                genre=labels["genre"],
                split=labels["split"],
                text=text,
                written_on=labels.get("written_on"),
                actors=actors,
                claims=claims,
                replies=[r["quote"] for r in labels.get("replies") or ()],
                distractors=list(labels.get("distractors") or ()),
            )
        )
    return texts


@dataclass
class Figures:
    name: str
    claims: int = 0
    found: int = 0
    kind_right: int = 0
    quantity_right: int = 0
    deadlines: int = 0
    deadline_right: int = 0
    replies: int = 0
    replies_found: int = 0  # suggested as replies
    replies_as_claims: int = 0  # a denial suggested as a claim
    distractors: int = 0
    distractors_suggested: int = 0
    suggestions: int = 0
    unmatched: int = 0
    holding: int = 0  # suggestions holding a found claim, summed over found claims
    problems: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        self.problems += other.problems

    @staticmethod
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def rates(self) -> dict[str, float]:
        return {
            "found": self.share(self.found, self.claims),
            "kind": self.share(self.kind_right, self.found),
            "quantity": self.share(self.quantity_right, self.found),
            "deadline": self.share(self.deadline_right, self.deadlines),
            "distractors": self.distractors_suggested / self.distractors if self.distractors else 0,
            "unmatched": self.unmatched / self.suggestions if self.suggestions else 0.0,
            "per_claim": self.holding / self.found if self.found else 0.0,
        }


# Units written two ways for the same thing.
SAME_UNIT = {"%": "percent", "per cent": "percent", "£": "GBP", "pounds": "GBP"}
SCALED = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _spelled_one_way(unit: str) -> str:
    """The unit with its first word spelled one way ("% of shifts" and "per cent of shifts" are
    "percent of shifts")."""
    if unit in SAME_UNIT:
        return SAME_UNIT[unit]
    if unit.startswith("per cent "):
        return "percent " + unit.removeprefix("per cent ")
    first, space, rest = unit.partition(" ")
    return SAME_UNIT.get(first, first) + space + rest


def _same_quantity(got: tuple[float, str] | None, label: tuple[float, str] | None) -> bool:
    """The same value, and a unit naming the same thing: equal ("%" and "percent"), the same
    head noun ("door supervisors" and "supervisors", "repair jobs" and "jobs"), or a label that
    describes the unit further ("cases" and "cases per worker", "GBP" and "GBP a year", "%" and
    "% of shifts", "stops" and "bus stops with real-time screens"); a label's scale written in
    its unit (212 "million litres a day") is the value's."""
    if got is None or label is None:
        return got == label
    (value, unit), (wanted, wanted_unit) = got, label
    scale, _, rest = wanted_unit.partition(" ")
    if scale in SCALED and rest:  # a label's 212 "million litres a day"
        wanted, wanted_unit = wanted * SCALED[scale], rest
    unit, wanted_unit = _spelled_one_way(unit), _spelled_one_way(wanted_unit)
    head = unit.split()[-1]
    return abs(value - wanted) < 1e-6 and (
        unit == wanted_unit or head == wanted_unit.split()[-1] or head in wanted_unit.split()
    )


def _spans(candidate: Candidate) -> list[tuple[int, int]]:
    return [(candidate.quote_start, candidate.quote_end), *candidate.also]


def _holds(candidate: Candidate, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in _spans(candidate))


def _overlaps(candidate: Candidate, start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in _spans(candidate))


def _located(text: str, quote: str) -> tuple[int, int]:
    """Where a quote lies, without a list item's marker ("(a) ", "1. "): the marker is not
    part of the claim."""
    start = text.index(quote)
    marker = BULLET.match(quote)
    if marker is not None:
        start += marker.end()
        quote = quote[marker.end() :]
    # Nor is a quotation mark that opens or closes the quote: a passage leaves out one whose
    # partner lies outside it.
    while quote[:1] in QUOTES:
        start, quote = start + 1, quote[1:]
    while quote[-1:] in QUOTES:
        quote = quote[:-1]
    return start, start + len(quote)


def holding_claim(labelled: Text, claim: Claim, candidates: list[Candidate]) -> list[Candidate]:
    """The suggestions holding a claim, those suggested as claims first and, of those, the
    ones holding its first quote (the sentence that states it; a headline that says it again
    is a second quote): the first is the one its kind, quantity and deadline are read from."""
    spans = [_located(labelled.text, q) for q in claim.quotes]
    holding = [c for c in candidates if any(_holds(c, s, e) for s, e in spans)]
    holding = [c for c in holding if c.kind != "reply"] or holding
    return sorted(holding, key=lambda c: not _holds(c, *spans[0]))


def score(labelled: Text, candidates: list[Candidate] | None = None) -> Figures:
    if candidates is None:
        candidates = rank_candidates(
            labelled.text, actors=labelled.actors, written_on=labelled.written_on
        )
    figures = Figures(labelled.name, suggestions=len(candidates))
    matched: set[str] = set()
    for claim in labelled.claims:
        figures.claims += 1
        if claim.due_on is not None:
            figures.deadlines += 1
        holding = holding_claim(labelled, claim, candidates)
        if not holding:
            figures.problems.append(f"{claim.name}: not found: {claim.quotes[0][:70]}")
            continue
        figures.found += 1
        figures.holding += len(holding)
        matched.update(c.id for c in holding)
        best = holding[0]
        if best.kind == claim.kind:
            figures.kind_right += 1
        else:
            figures.problems.append(f"{claim.name}: kind {best.kind}, not {claim.kind}")
        got = best.quantity and (best.quantity.value, best.quantity.unit)
        if _same_quantity(got or None, claim.quantity):
            figures.quantity_right += 1
        else:
            figures.problems.append(f"{claim.name}: quantity {got}, not {claim.quantity}")
        if claim.due_on is not None:
            if best.due_on == claim.due_on:
                figures.deadline_right += 1
            else:
                figures.problems.append(f"{claim.name}: due {best.due_on}, not {claim.due_on}")
        elif best.due_on is not None:
            figures.problems.append(f"{claim.name}: due {best.due_on}, none stated")
    for reply in labelled.replies:
        figures.replies += 1
        start, end = _located(labelled.text, reply)
        holding = [c for c in candidates if _holds(c, start, end)]
        matched.update(c.id for c in holding)
        if any(c.kind == "reply" for c in holding):
            figures.replies_found += 1
        elif holding:
            figures.replies_as_claims += 1
            figures.problems.append(f"{labelled.name}: reply suggested as {holding[0].kind}:"
                                    f" {reply[:60]}")  # fmt: skip
    for distractor in labelled.distractors:
        figures.distractors += 1
        start, end = _located(labelled.text, distractor)
        if any(_overlaps(c, start, end) and c.id not in matched for c in candidates):
            figures.distractors_suggested += 1
            figures.problems.append(f"{labelled.name}: distractor suggested: {distractor[:70]}")
    figures.unmatched = sum(c.id not in matched for c in candidates)
    for c in candidates:
        if c.id not in matched:
            figures.problems.append(f"{labelled.name}: matches no claim: {c.kind}: {c.quote[:70]}")
    return figures


def by_genre(texts: Iterable[Text]) -> dict[str, Figures]:
    figures = {genre: Figures(genre) for genre in GENRES}
    for labelled in texts:
        figures[labelled.genre].add(score(labelled))
    return {genre: f for genre, f in figures.items() if f.claims}


def total(name: str, figures: Iterable[Figures]) -> Figures:
    summed = Figures(name)
    for f in figures:
        summed.add(f)
    return summed


HEADER = (
    "| genre | claims found | right kind | right quantity | right deadline | distractors"
    " suggested | matching no claim | suggestions per claim | replies as replies |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def row(f: Figures) -> str:
    r = f.rates
    return (
        f"| {f.name} | {r['found']:.2f} ({f.found}/{f.claims}) | {r['kind']:.2f}"
        f" | {r['quantity']:.2f} | {r['deadline']:.2f} ({f.deadline_right}/{f.deadlines})"
        f" | {r['distractors']:.2f} ({f.distractors_suggested}/{f.distractors})"
        f" | {r['unmatched']:.2f} ({f.unmatched}/{f.suggestions}) | {r['per_claim']:.2f}"
        f" | {f.replies_found}/{f.replies} |"
    )


def main(verbose: bool = False) -> None:
    for split in SPLITS:
        texts = load(split)
        genres = by_genre(texts)
        print(f"\n{split} split: {len(texts)} texts, "
              f"{sum(len(t.claims) + len(t.replies) + len(t.distractors) for t in texts)}"
              " labelled sentences\n")  # fmt: skip
        print(HEADER)
        for f in genres.values():
            print(row(f))
        summed = total("**all**", genres.values())
        print(row(summed))
        if verbose:
            for problem in summed.problems:
                print(f"  - {problem}")


if __name__ == "__main__":
    import sys

    main(verbose="-v" in sys.argv)
