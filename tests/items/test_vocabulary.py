"""The vocabulary table: every resolved status names an outcome, nothing unresolved does."""

from __future__ import annotations

import pytest

from service.items.vocabulary import KINDS, OUTCOMES, outcome_of


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.code)
def test_outcome_follows_phase(kind) -> None:
    for status in kind.statuses:
        assert status.outcome in OUTCOMES
        assert (status.phase == "resolved") == (status.outcome != "pending"), status


def test_outcomes_read_per_kind() -> None:
    assert outcome_of("commitment", "delivered") == "positive"
    assert outcome_of("commitment", "partially_delivered") == "mixed"
    assert outcome_of("commitment", "broken") == "negative"
    assert outcome_of("allegation", "upheld") == "negative"
    assert outcome_of("allegation", "not_upheld") == "neutral"
    assert outcome_of("proposal", "enacted") == "positive"
    assert outcome_of("proposal", "withdrawn") == "neutral"
    assert outcome_of("commitment", "stalled") == "pending"
    assert outcome_of("nonsense", "delivered") == "pending"
