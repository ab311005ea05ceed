"""The dashboard answers a reader's questions: outcomes at a glance, the headline items first,
honest dates, filters that explain themselves, kinds that look apart, navigation that leads
somewhere, and the small things (focus, description, labels, hints)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from service.items import vocabulary
from tests.support.accounts import login_form, post_login, sign_in
from tests.support.pages import html, html_page
from tests.support.seed import ITEM


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# ---------------------------------------------------------------------------------------------
# 1. Outcome is visible


def test_badges_are_coloured_by_outcome_and_the_json_says_it(client, editor_headers) -> None:
    delivered = "gov-cse-national-threat"
    item = client.get(f"/api/v1/items/{delivered}").json()
    assert (item["status"], item["phase"], item["outcome"]) == ("delivered", "resolved", "positive")
    changed = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "broken", "note": "The posts were never funded."},
        headers=editor_headers,
    )
    assert changed.status_code == 200 and changed.json()["outcome"] == "negative"

    page = html_page(client, "/?kind=commitment")
    kept = page.select_one(f"#row-{delivered} .badge")
    broken = page.select_one(f"#row-{ITEM} .badge")
    # Both are resolved: the colour follows the outcome, and the words are always there.
    assert "badge--positive" in kept["class"] and kept.get_text() == "Delivered"
    assert "badge--negative" in broken["class"] and broken.get_text() == "Broken"


def test_each_kind_has_an_outcome_meter_whose_counts_are_links(client, editor_headers) -> None:
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "partially_delivered", "note": "40 of 62 in post."},
        headers=editor_headers,
    ).raise_for_status()
    summary = client.get("/api/v1/summary").json()
    page = html_page(client, "/")
    card = page.select_one("#summary .card--commitment")
    legend = [words(li) for li in card.select(".outcome__legend li")]
    commitments = summary["kinds"]["commitment"]["by_status"]
    pending = commitments["pledged"] + commitments["in_progress"] + commitments["stalled"]
    assert legend == [
        f"{commitments['delivered']} delivered",
        "1 partially delivered",
        "0 broken",
        "0 withdrawn",
        f"{pending} pending",
    ]
    assert summary["kinds"]["commitment"]["by_outcome"]["mixed"] == 1
    # The bar has one segment per outcome present; the words carry the numbers.
    assert card.select_one("svg.outcome__bar")["aria-hidden"] == "true"
    assert {r["class"][0] for r in card.select("svg rect")} == {
        "fill--positive",
        "fill--mixed",
        "fill--pending",
    }
    allegations = page.select_one("#summary .card--allegation")
    assert [words(li).split(" ", 1)[1] for li in allegations.select(".outcome__legend li")] == [
        "upheld",
        "not upheld",
        "withdrawn",
        "open",
    ]
    open_link = allegations.select_one(".outcome__legend a")
    assert query_of(open_link["href"]) == {"kind": ["allegation"], "outcome": ["pending"]}
    followed = html_page(client, open_link["href"])
    assert (
        words(followed.select_one(".results__count")) == "10 items. Only items with no outcome yet."
    )


def test_an_actors_page_has_outcome_meters_and_no_sideways_table(client) -> None:
    page = html_page(client, "/actors/south-yorkshire-police")
    assert page.select_one("table.scorecard") is None
    cards = page.select(".scorecard .card")
    assert len(cards) == len(vocabulary.KINDS)
    assert len(page.select(".scorecard .outcome")) == 2  # it has no proposals
    actor = client.get("/api/v1/actors/south-yorkshire-police").json()
    allegations = actor["scorecard"]["allegation"]
    legend = [words(li) for li in page.select(".scorecard--allegation .outcome__legend li")]
    assert legend[-1] == f"{allegations['by_status']['under_investigation']} open"


# ---------------------------------------------------------------------------------------------
# 2. The headline items lead the front page


def test_the_front_page_leads_with_the_targets_then_what_is_open(client) -> None:
    page = html_page(client, "/")
    targets = [words(li.select_one(".target__title a")) for li in page.select(".targets li")]
    assert "62 additional staff for the CSE unit" in targets
    assert "£1.2m to tackle child sexual exploitation in South Yorkshire" in targets
    # With no progress recorded, the target is shown, never an invented bar.
    staff = next(li for li in page.select(".targets li") if "62 additional" in li.get_text())
    assert staff.select_one("progress") is None
    assert "Target 62 staff · no progress recorded" in words(staff)
    assert words(page.select_one("#headline-allegation")) == "Open allegations (10)"
    assert words(page.select_one("#headline-proposal")) == "Live proposals (9)"
    # Before the full table.
    text = str(page)
    assert text.index('class="headlines"') < text.index('id="results"')


# ---------------------------------------------------------------------------------------------
# 3. Honest dates


def test_seed_sources_carry_the_dates_their_text_supports(client) -> None:
    sources = {s["slug"]: s for s in client.get("/api/v1/sources").json()["sources"]}
    pcc = sources["rotherham-cse-live-updates-pcc"]
    assert (pcc["published_on"], pcc["published_precision"]) == ("2015-01-01", "year")
    assert "December 31, 2014" in pcc["date_note"] and "last August" in pcc["date_note"]
    lga = sources["rotherham-cse-live-updates-lga-ofsted"]
    assert (lga["published_on"], lga["published_precision"]) == ("2014-01-01", "year")

    page = html_page(client, f"/items/{ITEM}")
    facts = {words(d.dt): d.dd for d in page.select(".item__facts > div")}
    assert words(facts["Source published"]).startswith("2015 How we know")
    assert "Updated" not in facts and "Last recorded here" in facts
    # Nothing is dated in the world: the seed's event says so and when it was recorded.
    meta = words(page.select_one(".events .event__meta"))
    assert meta.startswith("Date not stated · recorded ") and "by the seed data" in meta


def test_a_status_change_says_when_it_happened_and_refuses_the_future(
    client, editor_headers
) -> None:
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Soon.", "occurred_on": tomorrow},
        headers=editor_headers,
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["occurred_on"]
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1

    done = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting.", "occurred_on": "2015-03-03"},
        headers=editor_headers,
    )
    assert done.status_code == 200
    history = client.get(f"/api/v1/items/{ITEM}/history").json()["events"]
    assert history[-1]["occurred_on"] == "2015-03-03"
    page = html_page(client, f"/items/{ITEM}")
    meta = words(page.select_one(".events li .event__meta"))
    assert meta.startswith("Happened on 3 March 2015 · recorded ")


def test_the_status_form_refuses_a_future_day_beside_its_field(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/items/{ITEM}/status",
        data={
            "csrf_token": csrf,
            "expected_version": "1",
            "status": "in_progress",
            "note": "Soon.",
            "occurred_on": tomorrow,
        },
    )
    assert response.status_code == 422
    page = html(response)
    field = page.select_one("#status-form-occurred_on")
    assert field["aria-invalid"] == "true" and field["value"] == tomorrow
    assert words(page.select_one("#status-form-occurred_on-error")) == (
        "A change cannot have happened after today."
    )


# ---------------------------------------------------------------------------------------------
# 4. Filters that explain themselves


def test_a_status_of_another_kind_is_left_out_and_said_so(client) -> None:
    response = client.get("/", params={"status": "pledged", "kind": "allegation"})
    assert response.status_code == 200
    page = html(response)
    assert words(page.select_one("#results .notice")) == (
        "“Pledged” is a status of commitments, not of allegations, so it was left out."
    )
    kinds = {words(k).lower() for k in page.select("#results .kind")}
    assert kinds == {"allegation"}
    assert page.select_one("#filter-status option[selected]") is None


def test_statuses_are_grouped_by_kind_and_withdrawn_is_offered_once(client) -> None:
    page = html_page(client, "/")
    labels = [o.get_text() for o in page.select("#filter-status option")]
    assert labels.count("Withdrawn") == 1
    groups = [g["label"] for g in page.select("#filter-status optgroup")]
    assert groups == ["Commitments", "Allegations", "Proposals", "Any kind"]
    narrowed = html_page(client, "/?kind=proposal")
    assert [o["value"] for o in narrowed.select("#filter-status option")][1:] == [
        s.code for s in vocabulary.KIND_BY_CODE["proposal"].statuses
    ]


def test_the_text_search_looks_at_actor_names(client) -> None:
    found = client.get("/api/v1/items", params={"q": "billings", "limit": 200}).json()
    by_actor = client.get("/api/v1/items", params={"actor": "alan-billings"}).json()
    assert by_actor["total"] > 1
    assert {i["slug"] for i in by_actor["items"]} <= {i["slug"] for i in found["items"]}
    page = html_page(client, "/?q=ofsted")
    assert "Ofsted failed to uncover CSE in Rotherham despite inspecting the council" in [
        words(a) for a in page.select("#results .title-link")
    ]


def test_an_empty_result_says_why_and_offers_a_way_out(client) -> None:
    page = html_page(client, "/?kind=allegation&actor=ipcc&q=officer")
    assert words(page.select_one(".results__count")) == (
        "No items match all of: kind: allegations; "
        "actor: Independent Police Complaints Commission (IPCC); text: “officer”."
    )
    ways = {words(a): a["href"] for a in page.select(".ways-out a")}
    assert ways["Without actor: Independent Police Complaints Commission (IPCC)"] == (
        "/?kind=allegation&q=officer"
    )
    assert ways["Show every item"] == "/"
    assert html_page(
        client, ways["Without actor: Independent Police Complaints Commission (IPCC)"]
    ).select("#results tbody tr")


def test_a_bad_filter_value_is_a_message_not_a_500(client) -> None:
    for params in (
        {"kind": "promises"},
        {"status": "<script>"},
        {"sort": "sideways"},
        {"outcome": "great"},
        {"q": "x" * 500},
        {"cursor": "nonsense"},
    ):
        response = client.get("/", params=params)
        assert response.status_code == 422, params
        page = html(response)
        assert page.select(".field-error, .notice[role=alert]"), params


# ---------------------------------------------------------------------------------------------
# 8. Navigation


def test_summary_counts_follow_the_actor_filter_and_keep_it(client) -> None:
    page = html_page(client, "/?actor=south-yorkshire-police")
    card = page.select_one("#summary .card--allegation")
    sy = client.get(
        "/api/v1/items", params={"actor": "south-yorkshire-police", "kind": "allegation"}
    )
    assert card.select_one(".card__total").get_text() == str(sy.json()["total"])
    link = card.select_one(".outcome__legend a")
    assert query_of(link["href"])["actor"] == ["south-yorkshire-police"]
    assert "(in this view)" in words(page.select_one("#summary-heading"))


def test_columns_sort_by_link(client) -> None:
    page = html_page(client, "/?sort=title")
    titles = [words(a) for a in page.select("#results .title-link")]
    api = client.get("/api/v1/items", params={"sort": "title", "limit": 25}).json()
    assert titles == [i["title"] for i in api["items"]]
    head = page.select_one("#results thead th[aria-sort]")
    assert head["aria-sort"] == "ascending" and words(head.a).startswith("Title")
    # The date column is when a claim was made, so the way back to the order by record is a
    # link above the table.
    back = page.select_one("#results .results__order a")
    assert back["href"] == "/" and words(back) == "Latest recorded first"
    assert "Recorded" not in words(page.select_one("#results thead"))
    # The filter form keeps the order.
    assert page.select_one("#filters input[name=sort]")["value"] == "title"


def test_the_second_page_says_which_items_it_shows(client) -> None:
    first = html_page(client, "/")
    next_link = first.select_one("#results .pager a[rel=next]")
    assert words(next_link) == "Next page (26\u201335)"
    second = html_page(client, next_link["href"])
    assert words(second.select_one(".results__count")) == "Showing 26\u201335 of 35 items."
    assert len(second.select("#results tbody tr")) == 10


def test_an_actors_page_lists_what_it_is_responsible_for(client) -> None:
    page = html_page(client, "/actors/ipcc")
    responsible = client.get(
        "/api/v1/items", params={"responsible": "ipcc", "sort": "title"}
    ).json()
    assert responsible["total"] > 0
    section = page.select_one("#responsible-items")
    assert [words(a) for a in section.select(".title-link")] == [
        i["title"] for i in responsible["items"]
    ]
    crumbs = page.select(".breadcrumbs a")
    assert [a["href"] for a in crumbs] == ["/", "/actors"]


# ---------------------------------------------------------------------------------------------
# 9. Small things


def test_pages_have_a_description_and_plain_words(client, make_user) -> None:
    page = html_page(client, "/")
    assert len(page.select_one("meta[name=description]")["content"]) > 50
    allegation = html_page(client, "/items/ipcc-allegation-officer-argued-child-consensual")
    facts = [words(d) for d in allegation.select(".item__facts dt")]
    assert "Investigator" in facts and "Responsible" not in facts
    make_user("editor", "editor")
    sign_in(client)
    form = html_page(client, f"/items/{ITEM}").select_one("#change-status")
    assert [o.get_text() for o in form.select("select[name=status] option")][:2] == [
        "Pledged",
        "In progress",
    ]


def test_a_reached_target_with_an_open_status_gets_a_hint(client, editor_headers) -> None:
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "All in post.", "progress_value": 62},
        headers=editor_headers,
    ).raise_for_status()
    page = html_page(client, f"/items/{ITEM}")
    assert words(page.select_one(".progress__hint")) == (
        "Target reached; the status is still In progress."
    )


def test_an_empty_sign_in_asks_for_both_fields(client) -> None:
    token = login_form(client).select_one("input[name=csrf_token]")["value"]
    response = post_login(client, "", "", token=token)
    page = html(response)
    assert response.status_code == 422
    assert "Wrong username or password" not in page.get_text()
    assert words(page.select_one(".field-error, [role=alert]")) == (
        "Enter your username and password."
    )


# ---------------------------------------------------------------------------------------------
# Charts


def test_a_target_gets_a_progress_chart_from_its_history(client, editor_headers) -> None:
    assert html_page(client, f"/items/{ITEM}").select_one(".chart") is None  # nothing recorded
    for body in (
        {
            "status": "in_progress",
            "note": "First posts.",
            "progress_value": 20,
            "occurred_on": "2015-04-01",
        },
        {"status": "in_progress", "note": "More in post.", "progress_value": 40},
    ):
        client.post(
            f"/api/v1/items/{ITEM}/status", json=body, headers=editor_headers
        ).raise_for_status()
    page = html_page(client, f"/items/{ITEM}")
    chart = page.select_one(".chart svg")
    assert chart["role"] == "img"
    assert words(chart.title) == (
        "Progress of 62 additional staff for the CSE unit: from 20 staff to 40 staff of 62 staff"
    )
    points = chart.select("circle")
    assert len(points) == 2
    # The first figure has the day it happened; the second only the day it was recorded.
    assert "chart__point--recorded" not in points[0]["class"]
    assert "chart__point--recorded" in points[1]["class"]
    assert float(points[0]["cy"]) > float(points[1]["cy"])  # 40 is higher up than 20
    figures = [words(tr) for tr in page.select(".chart__figures tbody tr")]
    assert figures[0] == "1 April 2015 (happened) 20 staff"
    assert figures[1].endswith("(recorded; when it happened is not stated) 40 staff")
    # Allegations and proposals have counts, not progress: no chart.
    assert (
        html_page(client, "/items/syp-14-officers-under-investigation").select_one(".chart") is None
    )
