"""Scoring suggested claims against labelled texts: the seed sources with their 35 items, and the
fictional texts under labelled/ with their claims and distractors.

test_candidates.py asserts the thresholds on these figures; `python -m tests.sources.scoring`
prints them, as reported in docs/INTAKE.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from service.sources.candidates import Candidate, KnownActor
from service.sources.ranker import rank_candidates

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
LABELLED = Path(__file__).resolve().parent / "labelled"
SEED_ALIASES = Path(__file__).resolve().parent / "seed_aliases.yaml"


@dataclass(frozen=True)
class Claim:
    name: str
    quote: str
    kind: str
    quantity: tuple[float, str] | None
    actor: str | None


@dataclass(frozen=True)
class LabelledText:
    name: str
    text: str
    claims: list[Claim]
    distractors: list[str]
    actors: list[KnownActor]


SUMMED = (
    "claims",
    "found",
    "kind_right",
    "quantities",
    "quantities_right",
    "candidates",
    "without_claim",
    "distractors",
    "distractors_suggested",
    "actors_labelled",
    "actors_right",
)


@dataclass
class Figures:
    name: str
    claims: int = 0
    found: int = 0
    kind_right: int = 0
    quantities: int = 0
    quantities_right: int = 0
    max_per_claim: int = 0
    candidates: int = 0
    without_claim: int = 0
    distractors: int = 0
    distractors_suggested: int = 0
    actors_labelled: int = 0
    actors_right: int = 0
    milliseconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.claims if self.claims else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_right / self.found if self.found else 1.0

    def add(self, other: Figures) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_per_claim = max(self.max_per_claim, other.max_per_claim)
        self.milliseconds = max(self.milliseconds, other.milliseconds)
        self.problems += other.problems


def _quantity(entry: dict[str, Any]) -> tuple[float, str] | None:
    given = entry.get("quantity")
    return (float(given["value"]), str(given["unit"])) if given else None


def seed_texts() -> list[LabelledText]:
    seed = yaml.safe_load((SEEDS / "items.yaml").read_text(encoding="utf-8"))
    aliases = yaml.safe_load(SEED_ALIASES.read_text(encoding="utf-8"))
    actors = [
        KnownActor(a["slug"], a["name"], tuple(aliases.get(a["slug"], []))) for a in seed["actors"]
    ]
    texts = []
    for source in seed["sources"]:
        text = (SEEDS / "sources" / source["file"]).read_bytes().decode("utf-8")
        claims = [
            Claim(i["slug"], i["quote"], i["kind"], _quantity(i), i["actor"])
            for i in seed["items"]
            if i["source"] == source["slug"]
        ]
        texts.append(LabelledText(source["slug"], text, claims, [], actors))
    return texts


def own_texts() -> list[LabelledText]:
    texts = []
    for labels_file in sorted(LABELLED.glob("*.yaml")):
        labels = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
        text = (LABELLED / labels["text"]).read_bytes().decode("utf-8")
        actors = [
            KnownActor(a["slug"], a["name"], tuple(a.get("aliases", []))) for a in labels["actors"]
        ]
        claims = [
            Claim(f"{labels_file.stem}#{n}", c["quote"], c["kind"], _quantity(c), c.get("actor"))
            for n, c in enumerate(labels["claims"], 1)
        ]
        texts.append(LabelledText(labels_file.stem, text, claims, labels["distractors"], actors))
    return texts


def _timed(labelled: LabelledText) -> tuple[list[Candidate], float]:
    best = float("inf")
    candidates: list[Candidate] = []
    for _ in range(3):
        started = time.perf_counter()
        candidates = rank_candidates(labelled.text, actors=labelled.actors)
        best = min(best, (time.perf_counter() - started) * 1000)
    return candidates, best


def score(labelled: LabelledText, candidates: list[Candidate] | None = None) -> Figures:
    """How the suggestions for one text compare with its labels (these `candidates`, else the
    shipped suggestions, timed)."""
    milliseconds = 0.0
    if candidates is None:
        candidates, milliseconds = _timed(labelled)
    figures = Figures(labelled.name, candidates=len(candidates), milliseconds=milliseconds)
    claimed: set[str] = set()
    for claim in labelled.claims:
        start = labelled.text.index(claim.quote)
        end = start + len(claim.quote)
        holding = [c for c in candidates if c.quote_start <= start and end <= c.quote_end]
        figures.claims += 1
        figures.max_per_claim = max(figures.max_per_claim, len(holding))
        if claim.quantity:
            figures.quantities += 1
        if not holding:
            figures.problems.append(f"{claim.name}: not found")
            continue
        candidate = holding[0]
        claimed.add(candidate.id)
        figures.found += 1
        if candidate.kind == claim.kind:
            figures.kind_right += 1
        else:
            figures.problems.append(f"{claim.name}: kind {candidate.kind}, not {claim.kind}")
        got = candidate.quantity and (candidate.quantity.value, candidate.quantity.unit)
        if claim.quantity and got == claim.quantity:
            figures.quantities_right += 1
        elif claim.quantity:
            figures.problems.append(f"{claim.name}: quantity {got}, not {claim.quantity}")
        if claim.actor:
            figures.actors_labelled += 1
            figures.actors_right += candidate.actor == claim.actor
    figures.without_claim = sum(c.id not in claimed for c in candidates)
    for distractor in labelled.distractors:
        start = labelled.text.index(distractor)
        end = start + len(distractor)
        figures.distractors += 1
        if any(c.quote_start < end and start < c.quote_end for c in candidates):
            figures.distractors_suggested += 1
            figures.problems.append(f"{labelled.name}: distractor suggested: {distractor[:60]}")
    return figures


def total(name: str, texts: list[LabelledText]) -> Figures:
    figures = Figures(name)
    for labelled in texts:
        figures.add(score(labelled))
    return figures


def _row(f: Figures) -> str:
    return (
        f"| {f.name} | {f.found}/{f.claims} ({f.recall:.2f}) | {f.kind_right}/{f.found}"
        f" ({f.kind_accuracy:.2f}) | {f.quantities_right}/{f.quantities} | {f.max_per_claim}"
        f" | {f.candidates} | {f.without_claim} | {f.distractors_suggested}/{f.distractors}"
        f" | {f.actors_right}/{f.actors_labelled} | {f.milliseconds:.1f} |"
    )


def main() -> None:
    print(
        "| text | found (recall) | kind right | quantities | max per claim | candidates"
        " | with no claim | distractors suggested | actor right | ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for group, texts in (("seeds", seed_texts()), ("own texts", own_texts())):
        for labelled in texts:
            print(_row(score(labelled)))
        summed = total(f"**{group}**", texts)
        print(_row(summed))
        for problem in summed.problems:
            print(f"  - {problem}")


if __name__ == "__main__":
    main()
