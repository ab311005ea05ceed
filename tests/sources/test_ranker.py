"""The learned reading of passages (service/sources/ranker.py): its model file is small JSON that
plain Python reads, the same text always gives the same suggestions, each quote is the text at its
offsets, and tools/train_ranker.py writes the same file again from the corpus."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from service.sources import ranker
from service.sources.candidates import Candidate
from tests.sources import corpus

TEXTS = {t.name: t for t in corpus.load()}
SOME = ("court-report-kettlesby-refuse-fine", "inspection-willowmead-care-home")


def _ranked(name: str) -> list[Candidate]:
    t = TEXTS[name]
    return ranker.rank_candidates(t.text, actors=t.actors, written_on=t.written_on)


def test_the_model_file_is_small_json_of_weights_for_every_kind() -> None:
    size = ranker.MODEL_PATH.stat().st_size
    assert size < 300_000
    data = json.loads(ranker.MODEL_PATH.read_text(encoding="utf-8"))
    model = ranker.Model.from_json(data)
    assert model.classes == ("none", "commitment", "allegation", "proposal", "reply")
    assert 0.0 < model.threshold < 1.0
    assert len(model.weights) > 100
    assert all(len(row) == 5 for row in model.weights.values())
    # Features of the cue table, of the passage's form and of its words all carry weight.
    assert "rule" in model.weights and "form:bullet" in model.weights
    assert any(name.startswith("w:") for name in model.weights)


def test_a_malformed_model_is_refused() -> None:
    data = json.loads(ranker.MODEL_PATH.read_text(encoding="utf-8"))
    data["intercept"] = data["intercept"][:3]
    with pytest.raises(ValueError, match="weights do not match"):
        ranker.Model.from_json(data)
    data = json.loads(ranker.MODEL_PATH.read_text(encoding="utf-8"))
    data["classes"] = ["none", "commitment", "allegation", "proposal", "rumour"]
    with pytest.raises(ValueError, match="unexpected classes"):
        ranker.Model.from_json(data)


def test_probabilities_sum_to_one_and_unknown_features_are_ignored() -> None:
    model = ranker.load_model()
    p = model.probabilities({"rule": 1.0, "w:will": 1.0, "no such feature": 3.0})
    assert abs(sum(p) - 1.0) < 1e-9
    assert p == model.probabilities({"rule": 1.0, "w:will": 1.0})


@pytest.mark.parametrize("name", SOME)
def test_suggestions_quote_the_text_at_their_offsets_and_are_the_same_each_time(
    name: str,
) -> None:
    text = TEXTS[name].text
    first, second = _ranked(name), _ranked(name)
    assert first == second
    assert first, "a labelled text with claims gets suggestions"
    for c in first:
        assert text[c.quote_start : c.quote_end] == c.quote
        assert c.kind in ranker.KINDS
        assert 0.0 <= c.score <= 1.0
        for start, end in c.also:
            assert text[start:end].strip()
    starts = [c.quote_start for c in first]
    assert starts == sorted(starts)


def test_a_plain_promise_is_suggested_as_a_commitment_and_small_talk_is_not() -> None:
    text = (
        "Harbour Council will recruit six new enforcement officers by March 2027.\n\n"
        "The weather was mild on Tuesday afternoon."
    )
    found = ranker.rank_candidates(text, written_on=None)
    assert [(c.quote, c.kind) for c in found] == [
        ("Harbour Council will recruit six new enforcement officers by March 2027.", "commitment")
    ]
    assert found[0].quantity is not None and found[0].quantity.value == 6
    assert found[0].due_on is not None and (found[0].due_on.year, found[0].due_on.month) == (
        2027,
        3,
    )


def _leaning(commitment: float, proposal: float) -> ranker.Model:
    """A model that reads every passage alike, leaning to the kinds by these logits."""
    return ranker.Model(
        classes=("none", "commitment", "allegation", "proposal", "reply"),
        intercept=(0.0, commitment, 0.0, proposal, 0.0),
        weights={},
        threshold=0.2,
        added_from=0.99,
    )


def test_a_rule_suggestion_takes_the_kind_the_model_is_much_surer_of() -> None:
    text = "Campaign for a 20mph limit on Station Road outside St Anne's Primary School."
    (as_cued,) = ranker.rank_candidates(text, model=_leaning(0.0, 0.0))
    assert (as_cued.kind, as_cued.cue) == ("proposal", "campaign for")
    # Surer of a commitment by more than KIND_MARGIN: read again as one.
    (pledge,) = ranker.rank_candidates(text, model=_leaning(3.0, 0.0))
    assert (pledge.quote, pledge.kind) == (text, "commitment")
    assert pledge.score == as_cued.score
    # Only a little surer: the cue's kind stands.
    (close,) = ranker.rank_candidates(text, model=_leaning(0.5, 0.3))
    assert close.kind == "proposal"


def test_a_headline_the_model_adds_is_one_suggestion_with_the_paragraph_the_rules_found() -> None:
    headline = "Council pledges £2.4m to reopen Ashby Road library"
    paragraph = "Marsham District Council has pledged £2.4m to reopen the Ashby Road library."
    text = f"{headline}\n\nLowfield Gazette, evening edition\n\n{paragraph}\n"
    eager = replace(_leaning(4.0, 0.0), added_from=0.3)  # adds every passage as a commitment
    (found,) = [c for c in ranker.rank_candidates(text, model=eager) if c.quantity]
    assert found.quote == paragraph and found.cue == "pledged"
    assert [text[a:b] for a, b in found.also] == [headline]


@pytest.mark.slow  # sixteen fits of the model: about 10 to 20 s
def test_retraining_on_the_corpus_writes_the_same_model(tmp_path: Path) -> None:
    from tools import train_ranker

    out = tmp_path / "model.json"
    train_ranker.main(["--output", str(out)])
    assert out.read_bytes() == ranker.MODEL_PATH.read_bytes()
