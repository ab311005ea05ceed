"""How far two people labelling the same claims agree on the claim's own quantity, and how often
the suggestions give the quantity where they agree, that is where the label is not in doubt.

Second labellings made from a labelling guide alone by people who had seen neither the corpus's
labels nor the rules: two samples of 300 claims drawn at random, quantity_agreement.jsonl (seed
20261204, batches 1 to 15 and 17) and quantity_agreement_test.jsonl (seed 20261205, the test
split's batches 16 and 18 to 21), and every claim of each split, quantity_second_dev.jsonl and
quantity_second_test.jsonl (labelled from quantity_labelling_guide.md by eight people for each
split, each given an eighth of its claims at random; batches 25 to 28, written later, by three
people each in the same way).
`python -m tests.sources.agreement` (run by `make intake-score`) prints, for each, how often the
two labellings name the same quantity, how often the suggestions' quantity matches each, and how
often it is right where the two labellings agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.sources.ranker import rank_candidates
from tests.sources import corpus

HERE = Path(__file__).resolve().parent
# The labellings of every claim of a split, by split.
WHOLE = {"dev": HERE / "quantity_second_dev.jsonl", "test": HERE / "quantity_second_test.jsonl"}
SAMPLES = {
    "300 claims of batches 1 to 15 and 17": HERE / "quantity_agreement.jsonl",
    "300 claims of the test split's batches 16 and 18 to 21": HERE
    / "quantity_agreement_test.jsonl",
    "the whole development split": WHOLE["dev"],
    "the whole test split": WHOLE["test"],
}


@dataclass
class Agreement:
    claims: int = 0
    labellers: int = 0  # the two labellings name the same quantity
    found: int = 0  # claims a suggestion holds
    labellers_found: int = 0
    first: int = 0  # the suggestion's quantity is the corpus's label
    second: int = 0  # ... the second labelling's
    agreed_right: int = 0  # ... the label both labellings give, of labellers_found

    def line(self) -> str:
        def share(part: int, whole: int) -> str:
            return f"{part / whole:.3f} ({part}/{whole})"

        return (
            f"two labellings agree on {share(self.labellers, self.claims)} of the claims'"
            f" quantities ({share(self.labellers_found, self.found)} of those found); the"
            f" suggestions' quantity is the corpus's label on {share(self.first, self.found)},"
            f" the second labelling's on {share(self.second, self.found)}, and the label both"
            f" give on {share(self.agreed_right, self.labellers_found)} of the claims they agree on"
        )


def _quantity(given: dict[str, Any] | None) -> tuple[float, str] | None:
    return (float(given["value"]), str(given["unit"])) if given else None


def _same(a: tuple[float, str] | None, b: tuple[float, str] | None) -> bool:
    """The scorer's test taken both ways: neither labelling is the reference."""
    return corpus._same_quantity(a, b) or corpus._same_quantity(b, a)


def second_labels(sample: Path) -> dict[str, tuple[float, str] | None]:
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines() if line]
    return {row["claim"]: _quantity(row["quantity"]) for row in rows}


def measure(sample: Path) -> Agreement:
    texts = {t.name: t for t in corpus.load()}
    claims = {c.name: (t, c) for t in texts.values() for c in t.claims}
    suggested: dict[str, list[Any]] = {}
    figures = Agreement()
    for name, second in second_labels(sample).items():
        labelled, claim = claims[name]
        figures.claims += 1
        agree = _same(claim.quantity, second)
        figures.labellers += agree
        if labelled.name not in suggested:
            suggested[labelled.name] = rank_candidates(
                labelled.text, actors=labelled.actors, written_on=labelled.written_on
            )
        holding = corpus.holding_claim(labelled, claim, suggested[labelled.name])
        if not holding:
            continue
        best = holding[0]
        got = (best.quantity.value, best.quantity.unit) if best.quantity else None
        figures.found += 1
        figures.labellers_found += agree
        figures.first += corpus._same_quantity(got, claim.quantity)
        figures.second += corpus._same_quantity(got, second)
        figures.agreed_right += agree and corpus._same_quantity(got, claim.quantity)
    return figures


if __name__ == "__main__":
    for drawn_from, sample in SAMPLES.items():
        print(f"\nquantity, {drawn_from}: " + measure(sample).line())
