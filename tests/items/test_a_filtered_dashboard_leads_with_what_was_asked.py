"""The dashboard answers the question a reader asked: with a filter or a search the results come
first and the panels that ignore the filter step aside (as a page and as htmx's parts); the
status list follows the kind; "Overdue 0" is not good news when nobody recorded a deadline; the
table's date is when a claim was made, at the precision its source supports, or "date not
stated"; and readers are spared offsets, versions and the same name in every row."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html, html_page
from tests.support.seed import ITEM, SOURCE

HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Trigger": "filters"}
# A seed item of the PCC's page, which its text dates to 2015 (the year alone).
PCC_ITEM = ITEM
ALLEGATION = "ipcc-allegation-naked-images-group-offending"


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def position(text: str, marker: str) -> int:
    at = text.find(marker)
    assert at >= 0, f"{marker} is not in the page"
    return at


# ---------------------------------------------------------------------------------------------
# The results first


@pytest.mark.parametrize(
    "query", ["q=ipcc", "kind=allegation", "actor=south-yorkshire-police", "outcome=pending"]
)
def test_with_a_filter_the_results_come_first_and_the_headlines_step_aside(client, query) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    page = html(response)
    assert page.select_one(".headlines") is None
    assert words(page.select_one("#lead")) == ""
    # The summary follows the results, and says what it counts.
    text = str(page)
    assert position(text, 'id="results"') < position(text, 'id="summary"')
    assert page.select_one("#follow #summary") is not None
    if query.startswith(("q=", "actor=")):
        assert "(in this view)" in words(page.select_one("#summary-heading"))


def test_without_a_filter_the_front_page_leads_with_its_panels(client) -> None:
    for query in ("", "?sort=title"):
        page = html_page(client, "/" + query)
        text = str(page)
        assert position(text, 'id="summary"') < position(text, 'class="headlines"')
        assert position(text, 'class="headlines"') < position(text, 'id="results"')
        assert words(page.select_one("#follow")) == ""


def test_the_summary_of_a_search_counts_only_what_it_found(client) -> None:
    page = html_page(client, "/?q=ipcc")
    found = client.get("/api/v1/items", params={"q": "ipcc", "limit": 200}).json()["items"]
    for kind in ("commitment", "allegation", "proposal"):
        card = page.select_one(f"#summary .card--{kind} .card__total")
        assert card.get_text() == str(sum(1 for i in found if i["kind"] == kind))
    # Its deadline fact counts the search's commitments too.
    commitments = sum(1 for i in found if i["kind"] == "commitment")
    note = words(page.select_one("#summary .facts__overdue dd"))
    assert note == f"No deadlines recorded ({commitments} commitments have none)"


def test_htmx_swaps_the_panels_with_the_results(client) -> None:
    filtered = client.get("/", params={"q": "ipcc"}, headers=HTMX)
    assert filtered.status_code == 200
    parts = html(filtered)
    lead = parts.select_one("#lead")
    follow = parts.select_one("#follow")
    assert lead["hx-swap-oob"] == "true" and words(lead) == ""
    assert follow["hx-swap-oob"] == "true" and follow.select_one("#summary") is not None
    assert parts.select_one("#results tbody tr") is not None

    # Back to no filter: the panels come back before the results, and nothing follows them.
    front = html(client.get("/", headers=HTMX))
    assert front.select_one("#lead .headlines") is not None
    assert front.select_one("#lead #summary") is not None
    assert words(front.select_one("#follow")) == ""
    # One summary in the page, wherever it goes.
    assert len(front.select("#summary")) == 1 and len(parts.select("#summary")) == 1


def test_the_status_list_follows_the_kind_in_htmx_and_in_a_plain_page(client) -> None:
    for response in (
        client.get("/", params={"kind": "allegation"}, headers=HTMX),
        client.get("/", params={"kind": "allegation"}),
    ):
        select = html(response).select_one("select#filter-status")
        options = [words(o) for o in select.select("option")]
        assert options == [
            "Any status", "Reported", "Under investigation", "Upheld", "Not upheld", "Withdrawn",
        ]  # fmt: skip
        assert [g["label"] for g in select.select("optgroup")] == ["Allegations"]
    swapped = html(client.get("/", params={"kind": "allegation"}, headers=HTMX))
    assert swapped.select_one("select#filter-status")["hx-swap-oob"] == "true"
    assert swapped.select_one("select#filter-status")["name"] == "status"
    # Every kind's statuses again without a kind; a status chosen stays chosen.
    every = html(client.get("/", params={"status": "stalled"}, headers=HTMX))
    labels = [g["label"] for g in every.select("select#filter-status optgroup")]
    assert labels == ["Commitments", "Allegations", "Proposals", "Any kind"]
    chosen = every.select_one("select#filter-status option[selected]")
    assert chosen["value"] == "stalled"


def test_the_search_box_has_a_skip_link(client) -> None:
    page = html_page(client, "/")
    skips = [(a["href"], words(a)) for a in page.select("a.skip-link")]
    assert skips == [("#main", "Skip to content"), ("#filter-q", "Skip to search")]
    assert page.select_one("#filter-q")["type"] == "search"
    # A short placeholder: a phone's box shows it whole.
    assert len(page.select_one("#filter-q")["placeholder"]) <= 32


def test_the_latest_changes_lead_to_the_report_page(client) -> None:
    page = html_page(client, "/")
    more = page.select_one("#latest .latest__more a")
    assert more["href"] == "/report" and words(more) == "All changes this week"


# ---------------------------------------------------------------------------------------------
# Deadlines


def test_no_deadline_is_not_good_news(client) -> None:
    page = html_page(client, "/")
    summary = client.get("/api/v1/summary").json()
    commitments = summary["kinds"]["commitment"]["total"]
    fact = page.select_one("#summary .facts__overdue dd")
    assert words(fact) == f"No deadlines recorded ({commitments} commitments have none)"
    assert fact.select_one("a") is None


def test_with_deadlines_the_overdue_count_says_of_how_many(client, editor_headers) -> None:
    current = client.get(f"/api/v1/items/{ITEM}").json()
    response = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"due_on": "2016-03-31"},
        headers={**editor_headers, "If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.text
    summary = client.get("/api/v1/summary").json()
    commitments = summary["kinds"]["commitment"]["total"]
    page = html_page(client, "/")
    fact = page.select_one("#summary .facts__overdue dd")
    assert words(fact) == (
        f"1 overdue items of 1 with a deadline ({commitments - 1} commitments have none)"
    )
    assert fact.a["href"] == "/?overdue=true"
    # A search that does not find it: no deadline in that view, and no overdue item.
    other = html_page(client, "/?q=ofsted")
    assert words(other.select_one("#summary .facts__overdue dd")).startswith(
        "No deadlines recorded"
    )


# ---------------------------------------------------------------------------------------------
# When a claim was made


def made_cell(page, slug: str) -> str:
    return words(page.select_one(f"#row-{slug} td.cell-made"))


def _source(client, headers, title: str, text: str, **dated: str) -> str:
    response = client.post(
        "/api/v1/sources", json={"title": title, "text": text, **dated}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def _item(client, headers, source: str, quote: str, title: str, **fields: str) -> str:
    body = {
        "kind": "commitment", "title": title, "actor": "south-yorkshire-police",
        "source": source, "quote": quote, **fields,
    }  # fmt: skip
    response = client.post("/api/v1/items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def test_the_date_column_says_when_a_claim_was_made(client, editor_headers) -> None:
    quote = "The force will open a new safeguarding hub in the town centre."
    undated = _source(client, editor_headers, "An undated statement", quote + " It said so.")
    monthly = _source(
        client, editor_headers, "A statement of March", quote + " It said so in March.",
        published_on="2015-03-01", published_precision="month",
    )  # fmt: skip
    no_date = _item(client, editor_headers, undated, quote, "Hub, undated")
    of_month = _item(client, editor_headers, monthly, quote, "Hub, in March")
    own_day = _item(client, editor_headers, undated, quote, "Hub, on a day", made_on="2015-03-04")

    page = html_page(client, "/?sort=title&q=hub")
    assert made_cell(page, no_date) == "Date not stated"
    assert made_cell(page, of_month) == "Made March 2015"
    assert made_cell(page, own_day) == "Made 4 March 2015"
    assert page.select_one(f"#row-{own_day} td.cell-made time")["datetime"] == "2015-03-04"
    # The seed's PCC page is dated by its text to 2015, the year alone.
    seed = html_page(client, "/?q=62 additional staff")
    assert made_cell(seed, PCC_ITEM) == "Made 2015"
    assert seed.select_one(f"#row-{PCC_ITEM} td.cell-made time")["datetime"] == "2015"
    # The column is when it was made, never when it was recorded here.
    head = [words(th) for th in seed.select("#results thead th")]
    assert "Made" in head and not any("Recorded" in h for h in head)
    sources = client.get("/api/v1/sources").json()["sources"]
    assert next(s for s in sources if s["slug"] == SOURCE)["published_precision"] == "year"


def test_an_inline_edited_row_keeps_its_date(client, editor_headers) -> None:
    editor = TestClient(client.app)
    sign_in(editor)
    row = editor.get(f"/items/{ITEM}/row", headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert made_cell(html(row), ITEM) == "Made 2015"


# ---------------------------------------------------------------------------------------------
# No jargon for readers


def test_an_item_page_speaks_to_readers_not_of_offsets_or_versions(client, editor_headers) -> None:
    page = html_page(client, f"/items/{ITEM}")
    text = words(page.select_one("main"))
    assert "characters" not in text
    assert "version" not in text.lower()
    source = words(page.select_one(".quote__source"))
    assert source.endswith("where it is highlighted in the full text.")
    # Editors still see the version they work against.
    editor = TestClient(client.app)
    sign_in(editor)
    mine = html(editor.get(f"/items/{ITEM}"))
    assert "(version 1)" in words(mine.select_one("main"))


def test_an_actors_own_items_do_not_repeat_its_name(client) -> None:
    page = html_page(client, "/actors/south-yorkshire-police")
    own = page.select_one("section[aria-labelledby=actor-items-heading] table")
    assert [words(th) for th in own.select("thead th")] == ["Title", "Status", "Progress", "Made"]
    assert own.select("td.cell-actor") == []
    rows = own.select("tbody tr")
    assert rows and not any("South Yorkshire Police" in words(r) for r in rows[:3])


# ---------------------------------------------------------------------------------------------
# What is added keeps a withheld name back


def test_the_swapped_panels_keep_a_withheld_name_back(client, editor_headers) -> None:
    name = "Margaret Crofts"
    current = client.get(f"/api/v1/items/{ITEM}").json()
    client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": f"{current['title']} (asked by {name})"},
        headers={**editor_headers, "If-Match": f'"{current["version"]}"'},
    ).raise_for_status()
    response = client.post(
        f"/api/v1/items/{ITEM}/withheld-names", json={"name": name}, headers=editor_headers
    )
    assert response.status_code == 201, response.text
    for query in ({}, {"q": "staff"}, {"kind": "commitment"}):
        for headers in ({}, HTMX):
            shown = client.get("/", params=query, headers=headers)
            assert shown.status_code == 200
            assert "Margaret" not in shown.text and "Crofts" not in shown.text, (query, headers)
    front = html(client.get("/", headers=HTMX))
    assert "[name withheld]" in words(front.select_one("#lead .headlines"))
