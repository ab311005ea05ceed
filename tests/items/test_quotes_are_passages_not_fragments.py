"""A quote is a passage: at least 3 words (or 15 characters), from the start of a word to the end
of one, with no space or piece of punctuation at either end; anything else is refused naming
`quote`, in the API and the form, and nothing is written. Every seed quote is one."""

from __future__ import annotations

import pytest

from service.errors import Invalid
from service.sources.service import check_passage
from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ACTOR, SOURCE

TEXT = "I have also formed a victims and survivors panel, which met on Monday."


# Each is word for word in the seed source: only the rule refuses it.
@pytest.mark.parametrize(
    ("quote", "message"),
    [
        (" a victims and ", "must not start or end with a space"),
        ("formed", "give at least 3 words (or 15 characters): a passage, not a fragment"),
        ("a victims", "give at least 3 words (or 15 characters): a passage, not a fragment"),
        (
            "ctims and survivors panel",
            "must start and end on a word's boundary, not inside a word",
        ),
        ("victims and survivors pan", "must start and end on a word's boundary, not inside a word"),
        (
            "\u2013 though that remains",
            "must start and end with a word, not with a piece of punctuation",
        ),
    ],
)
def test_a_fragment_is_refused_naming_the_quote(client, editor_headers, quote, message) -> None:
    text = client.get(f"/api/v1/sources/{SOURCE}").json()["text"]
    assert quote in text
    before = client.get("/api/v1/items", params={"limit": 1}).json()["total"]
    body = {"kind": "commitment", "title": "A fragment", "actor": ACTOR, "source": SOURCE,
            "quote": quote}  # fmt: skip
    response = client.post("/api/v1/items", json=body, headers=editor_headers)
    assert response.status_code == 422, (quote, response.text)
    assert response.json()["errors"] == [{"field": "quote", "message": message}]
    assert client.get("/api/v1/items", params={"limit": 1}).json()["total"] == before


def test_punctuation_at_an_end_is_refused() -> None:
    text = "The panel met, and agreed; then it ended."
    with pytest.raises(Invalid, match="piece of punctuation"):
        check_passage(text, text.index(", and"), text.index(", and") + len(", and agreed"))
    with pytest.raises(Invalid, match="piece of punctuation"):
        check_passage(text, 0, text.index(";") + 1)


def test_the_rule_on_a_text() -> None:
    start = TEXT.index("victims")
    check_passage(TEXT, start, start + len("victims and survivors panel"))
    check_passage(TEXT, 0, len(TEXT))  # ends with a full stop: a sentence
    with pytest.raises(Invalid, match="word's boundary"):
        check_passage(TEXT, start + 1, start + len("victims and survivors"))


def test_the_track_form_shows_the_refusal_beside_the_quote(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        "/items/new",
        data={"csrf_token": csrf, "source": SOURCE, "quote": " and ", "kind": "commitment",
              "title": "Slip", "actor": ACTOR, "publication": "draft"},
    )  # fmt: skip
    assert response.status_code == 422
    error = html(response).select_one("#f-quote-error")
    assert error is not None and "space" in error.get_text()


def test_every_seed_quote_is_a_passage(client) -> None:
    items = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    texts = {}
    for item in items:
        slug = item["source"]["slug"]
        texts.setdefault(slug, client.get(f"/api/v1/sources/{slug}").json()["text"])
        check_passage(texts[slug], item["quote_start"], item["quote_end"])
