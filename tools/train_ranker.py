"""Train the passage model of service/sources/ranker.py on the labelled corpus
(tests/sources/corpus/) and write service/sources/ranker_model.json.

    .venv/bin/python -m tools.train_ranker              # train on the development split
    .venv/bin/python -m tools.train_ranker --evaluate   # grouped cross-validation, rules vs model

Each passage is labelled with the kind of the claim it holds, "reply" for a labelled denial, or
"none". The model is a multinomial logistic regression (scikit-learn, needed here only) over the
features ranker.read gives. Its regularisation and its threshold (the share of probability off
"none" above which a passage is suggested) are chosen by grouped cross-validation over the
training texts alone: the largest share of claims found with at most UNMATCHED_AIM of the
suggestions holding no claim.

Only the development split is read: the test split's texts are what the model is measured on
(`make intake-score`), never what it learns from.

--evaluate scores, fold by fold, texts of the development split the model was not trained on,
with tests/sources/corpus.py's own `score()`: the rules alone against the model alone, by genre
and over all, for folds of texts, for one genre held out at a time and for one batch held out at
a time (`--only text|genre|batch` runs one of them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from service.sources import ranker
from service.sources.candidates import Candidate, find_candidates
from tests.sources import corpus
from tests.sources.scoring import own_texts
from tests.sources.scoring import score as score_own

SEED = 20261203
# The batch of the development split the cue table was not fitted to.
NOT_FITTED = "t15-"
FOLDS = 10
# How --evaluate groups the texts it holds out: folds of texts, one genre, one batch.
SCHEMES = ("text", "genre", "batch")
INNER_FOLDS = 5
CS = (0.1, 0.3, 1.0)
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))  # 0.2 .. 0.8
UNMATCHED_AIM = 0.15
# Where the probability at which the model adds a passage is looked for (see `added_from`).
ADDED_LOWEST, ADDED_HIGHEST = 0.3, 0.6
# A word or a pair of words is a feature when this many training texts hold it.
MIN_TEXTS = 3
WORDS = ("w:", "b:", "lw:", "hw:", "first:")
MAX_WORDS = 2500
CLASSES = (ranker.NONE, *ranker.KINDS)
# A labelled distractor (a sentence that reads like a claim and is none) counts this many times
# over in training: these are the passages the suggestions most need to leave out.
DISTRACTOR_WEIGHT = 3.0


@dataclass
class Sample:
    labelled: corpus.Text
    context: Any  # ranker's reading of the text
    labels: list[str]  # per passage
    claim_of: list[tuple[int, ...]]  # per passage: the claims it holds
    claims: int
    distractor: list[bool]  # per passage: it holds no claim but overlaps a labelled distractor


def _label(labelled: corpus.Text, context: Any) -> Sample:
    spans = [[corpus._located(labelled.text, q) for q in c.quotes] for c in labelled.claims]
    replies = [corpus._located(labelled.text, q) for q in labelled.replies]
    distractors = [corpus._located(labelled.text, q) for q in labelled.distractors]
    labels, claim_of, distractor = [], [], []
    for reading in context.readings:
        p = reading.passage
        distractor.append(any(a < p.end and p.start < b for a, b in distractors))
        held = [i for i, s in enumerate(spans) if any(p.start <= a and b <= p.end for a, b in s)]
        if held:
            labels.append(labelled.claims[held[0]].kind)
            claim_of.append(tuple(held))
        elif any(p.start <= a and b <= p.end for a, b in replies):
            labels.append("reply")
            claim_of.append(())
        else:
            labels.append(ranker.NONE)
            claim_of.append(())
    distractor = [d and label == ranker.NONE for d, label in zip(distractor, labels, strict=True)]
    return Sample(labelled, context, labels, claim_of, len(labelled.claims), distractor)


def samples() -> list[Sample]:
    found = []
    for labelled in corpus.load("dev"):
        context = ranker.read(labelled.text, actors=labelled.actors, written_on=labelled.written_on)
        found.append(_label(labelled, context))
    return found


def _vocabulary(train: Sequence[Sample]) -> list[str]:
    """The features of the training texts: all but words, and the words held by MIN_TEXTS
    texts or more (the commonest MAX_WORDS)."""
    texts: Counter[str] = Counter()
    for sample in train:
        texts.update({k for r in sample.context.readings for k in r.features})
    other = sorted(k for k in texts if not k.startswith(WORDS))
    words = sorted(
        (k for k, n in texts.items() if k.startswith(WORDS) and n >= MIN_TEXTS),
        key=lambda k: (-texts[k], k),
    )[:MAX_WORDS]
    return other + sorted(words)


def _matrix(
    group: Sequence[Sample], index: dict[str, int]
) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    rows, cols, values, labels, weights = [], [], [], [], []
    row = 0
    for sample in group:
        for reading, label, distractor in zip(
            sample.context.readings, sample.labels, sample.distractor, strict=True
        ):
            if reading.never:
                continue
            weights.append(DISTRACTOR_WEIGHT if distractor else 1.0)
            for k, v in reading.features.items():
                if k in index:
                    rows.append(row)
                    cols.append(index[k])
                    values.append(v)
            labels.append(CLASSES.index(label))
            row += 1
    shape = (row, len(index))
    return csr_matrix((values, (rows, cols)), shape=shape), np.array(labels), np.array(weights)


def _fit(train: Sequence[Sample], c: float) -> tuple[LogisticRegression, list[str]]:
    names = _vocabulary(train)
    x, y, weights = _matrix(train, {k: i for i, k in enumerate(names)})
    model = LogisticRegression(C=c, max_iter=3000, tol=1e-6, random_state=SEED)
    model.fit(x, y, sample_weight=weights)
    return model, names


def _export(fitted: LogisticRegression, names: list[str], threshold: float, meta: dict[str, Any]):
    present = [CLASSES[i] for i in fitted.classes_]
    if present != list(CLASSES):
        raise SystemExit(f"training texts lack a class: {present}")
    weights = {}
    coef = fitted.coef_
    for j, name in enumerate(names):
        row = tuple(round(float(coef[i, j]), 3) for i in range(len(CLASSES)))
        if any(abs(w) >= 0.01 for w in row):
            weights[name] = row
    return ranker.Model(
        classes=CLASSES,
        intercept=tuple(round(float(b), 3) for b in fitted.intercept_),
        weights=weights,
        threshold=threshold,
        meta=meta,
    )


def _folds(group: Sequence[Sample], n: int) -> list[list[int]]:
    """n folds of texts, each genre spread over them, in a fixed shuffled order."""
    rng = np.random.default_rng(SEED)
    by_genre: dict[str, list[int]] = {}
    for i, sample in enumerate(group):
        by_genre.setdefault(sample.labelled.genre, []).append(i)
    folds: list[list[int]] = [[] for _ in range(n)]
    at = 0
    for genre in sorted(by_genre):
        members = by_genre[genre]
        for i in rng.permutation(len(members)):
            folds[at % n].append(members[int(i)])
            at += 1
    return [sorted(f) for f in folds if f]


def _claim_probabilities(fitted: ranker.Model, sample: Sample) -> list[float | None]:
    return [
        None if r.never else 1.0 - fitted.probabilities(r.features)[0]
        for r in sample.context.readings
    ]


def _choose(train: Sequence[Sample]) -> tuple[float, float, dict[str, float]]:
    """Regularisation and threshold by grouped cross-validation within `train`: the most claims
    found with at most UNMATCHED_AIM of the suggested passages holding no claim or reply."""
    folds = _folds(train, INNER_FOLDS)
    best: tuple[tuple[float, ...], float, float, dict[str, float]] | None = None
    for c in CS:
        held: list[tuple[Sample, list[float | None]]] = []
        for fold in folds:
            inside = [s for i, s in enumerate(train) if i not in fold]
            fitted = _export(*_fit(inside, c), 0.5, {})
            held += [(train[i], _claim_probabilities(fitted, train[i])) for i in fold]
        for t in THRESHOLDS:
            claims = found = suggested = unmatched = 0
            for sample, probabilities in held:
                got = set()
                for p, label, claim in zip(
                    probabilities, sample.labels, sample.claim_of, strict=True
                ):
                    if p is None or p < t:
                        continue
                    suggested += 1
                    unmatched += label == ranker.NONE
                    got.update(claim)
                claims += sample.claims
                found += len(got)
            share = unmatched / suggested if suggested else 0.0
            recall = found / claims
            # Recall to two places: a tie goes to the stronger regularisation and the lower
            # threshold, tried first.
            key = (share <= UNMATCHED_AIM, round(recall, 2) if share <= UNMATCHED_AIM else -share)
            if best is None or key > best[0]:
                best = (key, c, t, {"found": recall, "unmatched": share})
    assert best is not None
    return best[1], best[2], best[3]


def added_from(model: ranker.Model) -> float:
    """The lowest probability, from the model's threshold up, at which what the model adds to
    the cue table's suggestions leaves every distractor of the earlier texts out
    (tests/sources/labelled, as before there was a model)."""
    texts = own_texts()
    start = max(model.threshold, ADDED_LOWEST)
    for step in range(round((ADDED_HIGHEST - start) * 100) + 1):
        trial = replace(model, added_from=round(start + step / 100, 2))
        if all(
            score_own(labelled, ranker.rank_candidates(
                labelled.text, actors=labelled.actors, model=trial
            )).distractors_suggested == 0
            for labelled in texts
        ):  # fmt: skip
            return trial.added_from
    return ADDED_HIGHEST


def train(group: Sequence[Sample]) -> ranker.Model:
    c, threshold, inner = _choose(group)
    fitted, names = _fit(group, c)
    meta = {
        "C": c,
        "texts": len(group),
        "seed": SEED,
        "chosen by": f"{INNER_FOLDS}-fold grouped cross-validation over the training texts",
        "cross-validated": {k: round(v, 3) for k, v in inner.items()},
    }
    model = _export(fitted, names, threshold, meta)
    return replace(model, added_from=added_from(model))


def write(model: ranker.Model, path: Path = ranker.MODEL_PATH) -> None:
    path.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        + "\n",
        encoding="utf-8",
    )


def _rules(sample: Sample) -> list[Candidate]:
    t = sample.labelled
    return find_candidates(t.text, actors=t.actors, written_on=t.written_on)


def _table(title: str, rows: dict[str, corpus.Figures]) -> None:
    print(f"\n{title}\n")
    print(corpus.HEADER)
    for f in rows.values():
        print(corpus.row(f))


def _scored(held: list[tuple[Sample, list[Candidate], list[Candidate]]], name: str) -> None:
    for which, pick in (("rules alone", 1), ("rules + model", 2)):
        genres = {g: corpus.Figures(g) for g in corpus.GENRES}
        for entry in held:
            sample = entry[0]
            genres[sample.labelled.genre].add(corpus.score(sample.labelled, entry[pick]))  # type: ignore[arg-type]
        genres = {g: f for g, f in genres.items() if f.claims}
        rows = dict(genres)
        rows["all"] = corpus.total("**all**", genres.values())
        for split in corpus.SPLITS:
            part = [e for e in held if e[0].labelled.split == split]
            rows[split] = corpus.total(
                f"*{split} texts*",
                [corpus.score(e[0].labelled, e[pick]) for e in part],  # type: ignore[arg-type]
            )
        _table(f"{name}: {which}", rows)
        # The last batch the development split took in is the one the cue table was not fitted
        # to: the fairest of its texts for the rules.
        unseen = {g: corpus.Figures(g) for g in corpus.GENRES}
        for entry in held:
            if entry[0].labelled.name.startswith(NOT_FITTED):
                unseen[entry[0].labelled.genre].add(corpus.score(entry[0].labelled, entry[pick]))  # type: ignore[arg-type]
        _table(f"{name}: {which}, texts of {NOT_FITTED}* only", unseen)


def batch(sample: Sample) -> str:
    """The batch a text was written in: "t7" for t7-..., "t1" for the first batch's texts,
    whose names have no prefix."""
    head = sample.labelled.name.split("-", 1)[0]
    return head if head[:1] == "t" and head[1:].isdigit() else "t1"


def evaluate(group: list[Sample], only: str | None = None) -> None:
    batches = sorted({batch(s) for s in group}, key=lambda b: int(b[1:]))
    by_batch = [[i for i, s in enumerate(group) if batch(s) == b] for b in batches]
    schemes = {
        "text": (f"{FOLDS}-fold cross-validation by text", _folds(group, FOLDS)),
        "genre": (
            "leave one genre out",
            [[i for i, s in enumerate(group) if s.labelled.genre == g] for g in corpus.GENRES],
        ),
        # A batch's texts share their writers' habits: held out whole, they are the nearest
        # thing to a batch not yet seen.
        "batch": ("leave one batch out", by_batch),
    }
    for key, (name, folds) in schemes.items():
        if only is not None and key != only:
            continue
        held: list[tuple[Sample, list[Candidate], list[Candidate]]] = []
        chosen = []
        for fold in folds:
            inside = [s for i, s in enumerate(group) if i not in fold]
            model = train(inside)
            chosen.append((model.meta["C"], model.threshold))
            print(f"fold {len(chosen)}/{len(folds)}: C {chosen[-1][0]}, threshold"
                  f" {chosen[-1][1]}", file=sys.stderr, flush=True)  # fmt: skip
            for i in fold:
                held.append((group[i], _rules(group[i]), ranker.decide(group[i].context, model)))
        print(f"\n## {name}: (C, threshold) chosen per fold: {chosen}")
        _scored(held, name)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluate", action="store_true", help="cross-validate, write nothing")
    parser.add_argument("--only", choices=SCHEMES, help="with --evaluate: one scheme of folds")
    parser.add_argument("--output", type=Path, default=ranker.MODEL_PATH)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # One thread: as fast on a matrix this small, and the same sums in the same order each time.
    with threadpool_limits(1):
        group = samples()
        if args.evaluate:
            evaluate(group, args.only)
        else:
            model = train(group)
            write(model, args.output)
            print(
                f"wrote {args.output}: {len(model.weights)} features, threshold"
                f" {model.threshold}, added from {model.added_from}, C {model.meta['C']},"
                f" {args.output.stat().st_size} bytes",
                file=sys.stderr,
            )
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
