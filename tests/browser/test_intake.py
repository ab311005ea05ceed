"""Intake in Chromium: an editor pastes or uploads a news article, sees the claims the tracker
suggests in it, tracks two of them and a passage of their own selection, dismisses one, adds an
actor and edits an item; the dashboard and the JSON API agree with what the pages showed. Without
JavaScript the same work is done with plain forms. Readers see the sources and actors, but
neither suggestions nor forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import articles
from tests.support.accounts import EDITOR, PASSWORD

pytestmark = pytest.mark.browser

COUNCIL = "marsham-district-council"
# Selects `needle` inside the archived text, as a reader's mouse would; false when not found.
SELECT = """(needle) => {
  const root = document.querySelector("[data-source-text]");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}"""

# Where a mouse starts and ends to drag over `needle` in the archived text (viewport pixels):
# just inside its first and last letters, which the page scrolls into view.
BOUNDS = """(needle) => {
  const root = document.querySelector("[data-source-text]");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    node.parentElement.scrollIntoView({block: "center"});
    const letter = (offset) => {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      return range.getBoundingClientRect();
    };
    const first = letter(at);
    const last = letter(at + needle.length - 1);
    return [first.left + 1, first.top + first.height / 2,
            last.right - 1, last.top + last.height / 2];
  }
  return null;
}"""


@pytest.fixture(scope="module")
def council(server) -> str:
    """Marsham District Council as an actor, known by its name only."""
    return server.actor(COUNCIL, "Marsham District Council", "council")


def suggestion(page: Any, words: str) -> Any:
    return page.locator(".suggestion", has=page.locator("blockquote", has_text=words))


def test_an_editor_pastes_an_article_and_sees_the_claims_it_suggests(tab, server) -> None:
    page = tab.page
    title, text = articles.library("morning")
    tab.sign_in()
    tab.goto("/sources")
    page.get_by_role("link", name="Add a source").click()
    expect(page).to_have_url(tab.base_url + "/sources/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label(re.compile("^Text")).fill(text)
    page.get_by_label(re.compile("^Publisher")).fill("Lowfield Gazette")
    page.get_by_label(re.compile("^Address")).fill("https://lowfield-gazette.example/ashby-road")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Archive the source").click()
    assert navigation.value.request.redirected_from.method == "POST"
    slug = "council-pledges-2-4m-to-reopen-ashby-road-library-morning-edition"
    assert page.url == tab.base_url + f"/sources/{slug}"

    expect(page.locator("h1")).to_have_text(title)
    facts = page.locator(".source .item__facts")
    expect(facts).to_contain_text("Lowfield Gazette")
    expect(facts.get_by_role("link", name=re.compile("lowfield-gazette"))).to_have_attribute(
        "href", "https://lowfield-gazette.example/ashby-road"
    )
    # The text is shown exactly as pasted: the browser's CR LF are LF again, nothing is trimmed.
    assert page.locator("[data-source-text]").text_content() == text
    with server.api() as api:
        stored = api.get(f"/api/v1/sources/{slug}").json()
    assert stored["text"] == text and stored["publisher"] == "Lowfield Gazette"
    expect(facts).to_contain_text(stored["sha256"])

    # The suggestions: the pledge, the recruitment, the allegation and the schedule; never the
    # opinion, the reaction or the weather.
    suggested = server.candidates(slug)
    quotes = page.locator(".suggestion blockquote").all_inner_texts()
    assert quotes == [c["quote"] for c in suggested]
    for claim in (
        articles.LIBRARY_PLEDGE,
        articles.LIBRARY_RECRUITMENT,
        articles.LIBRARY_ALLEGATION,
        articles.LIBRARY_SCHEDULE,
    ):
        assert sum(claim in q for q in quotes) == 1, claim
    for distractor in articles.LIBRARY_NOT_SUGGESTED:
        assert not any(distractor in q for q in quotes), distractor
    expect(page.locator("#suggestions-heading")).to_have_text(
        f"Suggested claims ({len(quotes)} new)"
    )
    pledge = suggestion(page, articles.LIBRARY_PLEDGE)
    expect(pledge.locator(".suggestion__facts")).to_contain_text("Commitment · £2,400,000")
    expect(pledge.locator(".suggestion__facts")).to_contain_text("Marsham District Council")
    allegation = suggestion(page, articles.LIBRARY_ALLEGATION)
    expect(allegation.locator(".kind")).to_have_text("Allegation")
    expect(allegation.get_by_role("button", name=re.compile("^Dismiss"))).to_be_visible()

    # The source is listed, with no item tracked yet.
    tab.goto("/sources")
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    expect(row.locator("td[data-label='Items tracked']")).to_have_text("0")
    expect(row.locator("td[data-label=Publisher]")).to_have_text("Lowfield Gazette")
    tab.assert_clean()


def test_tracking_two_suggestions_makes_two_items(tab, server, council) -> None:
    page = tab.page
    title, text = articles.library("evening")
    slug = server.archive(title, text)
    due = dt.date.today() + dt.timedelta(days=365)
    tab.sign_in()
    tab.goto(f"/sources/{slug}")

    # The pledge: the form comes prefilled from the suggestion.
    suggestion(page, articles.LIBRARY_PLEDGE).get_by_role("link", name=re.compile("^Track")).click()
    expect(page.locator("h1")).to_have_text("Track a passage")
    quote = page.get_by_label("Passage, word for word")
    pledge = next(c for c in server.candidates(slug) if articles.LIBRARY_PLEDGE in c["quote"])
    expect(quote).to_have_value(pledge["quote"])
    expect(page.get_by_label("Kind")).to_have_value("commitment")
    expect(page.get_by_label(re.compile("^Number"))).to_have_value("2400000")
    expect(page.get_by_label(re.compile("^Unit"))).to_have_value("GBP")
    page.get_by_label("Title").fill("£2.4m to reopen Ashby Road library (evening)")
    page.get_by_label("Who promised, is accused or proposes").select_option(council)
    page.get_by_label(re.compile("^Due on")).fill(due.isoformat())
    # Published at once (the form's default, "Save draft", would keep it from the dashboard).
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()
    first = page.url.rsplit("/", 1)[1]
    assert first == "2-4m-to-reopen-ashby-road-library-evening"
    expect(page.locator("h1")).to_have_text("£2.4m to reopen Ashby Road library (evening)")
    expect(page.locator(".quote mark")).to_have_text(pledge["quote"])
    expect(page.locator(".item__facts")).to_contain_text("£2,400,000")
    expect(page.locator(".item__status .badge")).to_have_text(["Pledged"])

    # The recruitment names a councillor who is not an actor yet: add her from the form, and
    # come back to the form as it was.
    tab.goto(f"/sources/{slug}")
    recruitment = suggestion(page, articles.LIBRARY_RECRUITMENT)
    expect(recruitment.locator(".suggestion__facts")).to_contain_text(
        "Councillor Priya Nair (not yet an actor)"
    )
    recruitment.get_by_role("link", name=re.compile("^Track")).click()
    page.get_by_role("link", name="Add an actor").click()
    page.get_by_label("Name", exact=True).fill("Councillor Priya Nair")
    page.get_by_label("Kind").select_option("person")
    page.get_by_label(re.compile("^Other names")).fill("Priya Nair\nthe council's leader")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the actor").click()
    assert page.url.startswith(tab.base_url + f"/items/new?source={slug}&")
    expect(page.get_by_label("Passage, word for word")).to_have_value(
        re.compile(re.escape(articles.LIBRARY_RECRUITMENT))
    )
    expect(page.get_by_label(re.compile("^Number"))).to_have_value("12")
    expect(page.get_by_label(re.compile("^Unit"))).to_have_value("assistants")
    page.get_by_label("Title").fill("12 library assistants before the reopening (evening)")
    page.get_by_label("Who promised, is accused or proposes").select_option("councillor-priya-nair")
    page.get_by_label(re.compile("^Responsible")).select_option(council)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()
    second = page.url.rsplit("/", 1)[1]
    expect(page.locator(".item__facts")).to_contain_text("12 assistants")
    expect(page.locator(".item__facts")).to_contain_text("Councillor Priya Nair")

    # The source page: both suggestions tracked, both passages highlighted and linked.
    tab.goto(f"/sources/{slug}")
    for words, item in ((articles.LIBRARY_PLEDGE, first), (articles.LIBRARY_RECRUITMENT, second)):
        facts = suggestion(page, words).locator(".suggestion__facts")
        expect(facts).to_contain_text(f"tracked as {item}")
        expect(facts.get_by_role("link", name=item)).to_have_attribute("href", f"/items/{item}")
        expect(page.locator(f"[data-source-text] mark#q-{item}")).to_contain_text(words)
    expect(page.locator("#suggestions-heading")).to_have_text("Suggested claims (2 new)")

    # The dashboard and the API have them.
    tab.goto("/?q=evening")
    titles = page.locator("#results td[data-label=Title] .title-link").all_inner_texts()
    assert sorted(titles) == [
        "12 library assistants before the reopening (evening)",
        "£2.4m to reopen Ashby Road library (evening)",
    ]
    with server.api() as api:
        listed = api.get("/api/v1/items", params={"q": "evening"}).json()
        assert sorted(titles) == sorted(i["title"] for i in listed["items"])
        made = api.get(f"/api/v1/items/{first}").json()
        hired = api.get(f"/api/v1/items/{second}").json()
        source = api.get(f"/api/v1/sources/{slug}").json()
    assert made["kind"] == "commitment" and made["status"] == "pledged"
    assert made["actor"]["slug"] == council and made["source"]["slug"] == slug
    assert made["quote"] == pledge["quote"] and made["quote_start"] == pledge["quote_start"]
    assert made["quantity"] == {"value": 2400000, "unit": "GBP"}
    assert made["due_on"] == due.isoformat() and made["overdue"] is False
    assert made["history"][0]["by"] == "editor"
    assert made["publication"] == hired["publication"] == "published"
    assert hired["actor"]["name"] == "Councillor Priya Nair"
    assert hired["responsible"]["slug"] == council
    assert hired["quantity"] == {"value": 12, "unit": "assistants"}
    assert source["text"][hired["quote_start"] : hired["quote_end"]] == hired["quote"]
    tab.assert_clean()


def test_selecting_words_in_the_text_tracks_them(tab, server, council) -> None:
    page = tab.page
    title, text = articles.library("late")
    slug = server.archive(title, text)
    words = "Work on the roof is expected to begin in the autumn"
    tab.sign_in()
    tab.goto(f"/sources/{slug}")
    assert page.evaluate(SELECT, words)
    field = page.get_by_label("Passage, word for word")
    expect(field).to_have_value(words)
    # The offset is in code points, as the server counts: the 📚 before the words is one code
    # point (two UTF-16 units in the page).
    start = page.locator("[data-track-form] input[name=quote_start]")
    expect(start).to_have_value(str(text.index(words)))
    assert "📚" in text[: text.index(words)]

    with page.expect_navigation():
        page.get_by_role("button", name="Track this passage").click()
    assert f"quote_start={text.index(words)}" in page.url
    expect(page.get_by_label("Passage, word for word")).to_have_value(words)
    page.get_by_label("Kind").select_option("commitment")
    page.get_by_label("Title").fill("Roof repairs to start in the autumn (late)")
    page.get_by_label("Who promised, is accused or proposes").select_option(council)
    # The form's first button keeps it a draft, for editors only until it is published.
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    slug_of_item = page.url.rsplit("/", 1)[1]
    expect(page.locator("#draft-heading")).to_have_text("Draft: only editors can see it")
    expect(page.locator(".quote mark")).to_have_text(words)
    item = server.item(slug_of_item)
    assert item["publication"] == "draft"
    assert item["quote"] == words and item["quote_start"] == text.index(words)
    assert item["source"]["slug"] == slug

    # With the mouse: press before the first letter, drag to after the last.
    tab.goto(f"/sources/{slug}")
    words = "its closure had hit older people hardest"
    left, top, right, bottom = page.evaluate(BOUNDS, words)
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=5)
    page.mouse.move(right, bottom, steps=5)
    page.mouse.up()
    expect(field).to_have_value(words)
    expect(start).to_have_value(str(text.index(words)))
    # Typing in the field drops the offset: the server then finds the words itself.
    field.fill("hit older people hardest")
    expect(start).to_have_count(0)
    tab.assert_clean()


def test_dismissing_a_suggestion(tab, server) -> None:
    page = tab.page
    title, text = articles.library("weekend")
    slug = server.archive(title, text)
    tab.sign_in()
    tab.goto(f"/sources/{slug}")
    count = page.locator(".suggestion").count()
    expect(page.locator("#suggestions-heading")).to_have_text(f"Suggested claims ({count} new)")
    allegation = suggestion(page, articles.LIBRARY_ALLEGATION)
    dismissing = next(
        c for c in server.candidates(slug) if articles.LIBRARY_ALLEGATION in c["quote"]
    )
    expect(allegation).to_have_attribute("id", f"c-{dismissing['id']}")
    with page.expect_navigation():
        allegation.get_by_role("button", name=re.compile("^Dismiss")).click()
    # Back at the same suggestion, so that the page keeps its place.
    assert page.url == tab.base_url + f"/sources/{slug}#c-{dismissing['id']}"
    # Still listed, as dismissed: it can be tracked after all, not dismissed again.
    expect(page.locator(".suggestion")).to_have_count(count)
    expect(allegation).to_have_class(re.compile("suggestion--dismissed"))
    expect(allegation.locator(".suggestion__facts")).to_contain_text("dismissed")
    expect(allegation.get_by_role("button", name=re.compile("^Dismiss"))).to_have_count(0)
    expect(allegation.get_by_role("link", name=re.compile("^Track"))).to_be_visible()
    expect(page.locator("#suggestions-heading")).to_have_text(f"Suggested claims ({count - 1} new)")
    states = {c["quote"]: c["state"] for c in server.candidates(slug)}
    dismissed = [q for q, state in states.items() if state == "dismissed"]
    assert len(dismissed) == 1 and articles.LIBRARY_ALLEGATION in dismissed[0]
    tab.assert_clean()


def test_uploading_a_text_file_and_a_web_page(tab, server, tmp_path) -> None:
    page = tab.page
    tab.sign_in()

    ferry = tmp_path / "kestrel-ferries.txt"
    ferry.write_text(articles.FERRY, encoding="utf-8")
    tab.goto("/sources/new")
    page.get_by_label("Title").fill(articles.FERRY_TITLE)
    page.get_by_label(re.compile("^Or a file")).set_input_files(ferry)
    with page.expect_navigation():
        page.get_by_role("button", name="Archive the source").click()
    assert page.url == tab.base_url + "/sources/ferry-operator-promises-winter-timetable"
    assert page.locator("[data-source-text]").text_content() == articles.FERRY
    original = page.locator(".item__facts div", has_text="Original")
    expect(original.get_by_role("link", name="kestrel-ferries.txt")).to_be_visible()
    expect(original).to_contain_text("text/plain")
    quotes = page.locator(".suggestion blockquote").all_inner_texts()
    assert any("promised to run 14 crossings a day" in q for q in quotes)
    assert any("accused the operator of cancelling sailings" in q for q in quotes)
    assert not any("very smart" in q for q in quotes)

    clinic = tmp_path / "walk-in-clinic.html"
    clinic.write_text(articles.CLINIC_HTML, encoding="utf-8")
    tab.goto("/sources/new")
    page.get_by_label("Title").fill(articles.CLINIC_TITLE)
    page.get_by_label(re.compile("^Publisher")).fill("Northvale Echo")
    page.get_by_label(re.compile("^Or a file")).set_input_files(clinic)
    with page.expect_navigation():
        page.get_by_role("button", name="Archive the source").click()
    slug = "health-board-to-open-walk-in-clinic"
    assert page.url == tab.base_url + f"/sources/{slug}"
    # The article's main text only: no menu, cookie banner, script or footer.
    shown = page.locator("[data-source-text]").text_content()
    assert "pledged to open a walk-in clinic in Ferrybridge" in shown
    for chrome in ("Sport", "cookies", "window.tracking", "Most read"):
        assert chrome not in shown, chrome
    with server.api() as api:
        stored = api.get(f"/api/v1/sources/{slug}").json()
        bytes_kept = api.get(f"/api/v1/sources/{slug}/original").content
    assert stored["text"] == shown
    assert bytes_kept == articles.CLINIC_HTML.encode()
    expect(page.locator(".item__facts div", has_text="Original")).to_contain_text("text/html")
    pledge = suggestion(page, "pledged to open a walk-in clinic")
    expect(pledge.locator(".suggestion__facts")).to_contain_text("Commitment · 20 nurses")
    tab.assert_clean()


def test_editing_an_item(tab, server, council) -> None:
    page = tab.page
    title, text = articles.library("online")
    source = server.archive(title, text)
    hiring = next(
        c for c in server.candidates(source) if articles.LIBRARY_RECRUITMENT in c["quote"]
    )
    with server.api() as api:
        created = api.post("/api/v1/items", json={
            "kind": "commitment", "title": "Library staff", "actor": council,
            "source": source, "quote": hiring["quote"], "quote_start": hiring["quote_start"],
            "quantity": hiring["quantity"],
        })  # fmt: skip
        assert created.status_code == 201, created.text
        slug = created.json()["slug"]
    tab.sign_in()
    tab.goto(f"/items/{slug}")
    page.get_by_role("link", name="Edit the title, actors, quantity or dates").click()
    expect(page).to_have_url(tab.base_url + f"/items/{slug}/edit")
    expect(page.locator("h1")).to_have_text("Edit “Library staff”")
    expect(page.locator(".quote--small blockquote")).to_have_text(hiring["quote"])
    expect(page.get_by_label("Title")).to_have_value("Library staff")
    expect(page.get_by_label("Who promised, is accused or proposes")).to_have_value(council)
    # The number as written, not as a float ("12.0").
    expect(page.get_by_label(re.compile("^Number"))).to_have_value("12")
    expect(page.get_by_label(re.compile("^Unit"))).to_have_value("assistants")

    page.get_by_label("Title").fill("12 library assistants before the reopening")
    page.get_by_label(re.compile("^Description")).fill("Promised by the council's leader.")
    page.get_by_label(re.compile("^Due on")).fill("2025-04-30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the changes").click()
    assert page.url == tab.base_url + f"/items/{slug}"
    expect(page.locator("h1")).to_have_text("12 library assistants before the reopening")
    expect(page.locator(".item__description")).to_have_text("Promised by the council's leader.")
    expect(page.locator(".item__facts")).to_contain_text("30 April 2025")
    expect(page.locator(".item__facts")).to_contain_text("12 assistants")
    latest = page.locator(".events li").first
    expect(latest).to_contain_text("Details edited")
    changes = latest.locator(".event__changes li").all_inner_texts()
    assert "title: Library staff → 12 library assistants before the reopening" in changes
    assert not any(change.startswith("quantity") for change in changes), changes
    item = server.item(slug)
    assert item["title"] == "12 library assistants before the reopening"
    assert item["due_on"] == "2025-04-30" and item["version"] == 2
    assert item["quantity"] == {"value": 12, "unit": "assistants"}
    assert item["quote"] == hiring["quote"]
    tab.assert_clean()


def test_adding_an_actor(tab, server) -> None:
    page = tab.page
    tab.sign_in()
    tab.goto("/actors")
    page.get_by_role("link", name="Add an actor").click()
    expect(page).to_have_url(tab.base_url + "/actors/new")
    page.get_by_label("Name", exact=True).fill("Lowfield Residents' Association")
    page.get_by_label("Kind").select_option("other")
    page.get_by_label(re.compile("^Other names")).fill("the residents' association\nLRA")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the actor").click()
    slug = "lowfield-residents-association"
    assert page.url == tab.base_url + f"/actors/{slug}"
    expect(page.locator("h1")).to_have_text("Lowfield Residents' Association")
    expect(page.locator(".actor .item__kind")).to_have_text("Other")
    expect(page.locator("#actor-items-heading")).to_have_text("Items (0)")

    tab.goto("/actors")
    row = page.locator("tr", has=page.get_by_role("link", name="Lowfield Residents' Association"))
    expect(row.locator("td[data-label='Also called']")).to_have_text(
        "the residents' association, LRA"
    )
    with server.api() as api:
        actor = api.get(f"/api/v1/actors/{slug}").json()
    assert actor["kind"] == "other" and actor["aliases"] == ["the residents' association", "LRA"]
    tab.assert_clean()


def test_readers_see_sources_and_actors_but_no_suggestions_or_forms(tab, server) -> None:
    page = tab.page
    tab.goto("/sources")
    with server.api() as api:
        listed = api.get("/api/v1/sources").json()["sources"]
    links = page.locator("table.items tbody td[data-label=Title] a").all_inner_texts()
    assert sorted(links) == sorted(s["title"] for s in listed)
    expect(page.get_by_role("link", name="Add a source")).to_have_count(0)

    slug = "rotherham-cse-live-updates-lga-ofsted"
    tab.goto(f"/sources/{slug}")
    expect(page.locator("[data-source-text] mark").first).to_be_visible()
    expect(page.locator(".suggestion")).to_have_count(0)
    expect(page.locator("[data-track-form]")).to_have_count(0)
    expect(page.get_by_role("heading", name="Track a passage")).to_have_count(0)
    assert server.candidates(slug), "the source has suggestions, for editors"

    tab.goto("/actors")
    expect(page.get_by_role("link", name="Ofsted")).to_be_visible()
    expect(page.get_by_role("link", name="Add an actor")).to_have_count(0)

    # The forms ask a reader to sign in first.
    for path in ("/sources/new", "/actors/new", f"/items/new?source={slug}"):
        tab.goto(path)
        expect(page.locator("h1")).to_have_text("Sign in")
        assert "/login?next=" in page.url
    tab.assert_clean()


def test_without_javascript_an_editor_pastes_a_source_and_tracks_a_pasted_passage(
    tab_without_js, server
) -> None:
    tab = tab_without_js
    page = tab.page
    server.actor("westmoor-county-council", "Westmoor County Council", "council")
    tab.goto("/sources/new")
    # Signing in first, then straight back to the form.
    assert page.url.startswith(tab.base_url + "/login?next=")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == tab.base_url + "/sources/new"

    page.get_by_label("Title").fill(articles.BUSES_TITLE)
    page.get_by_label(re.compile("^Text")).fill(articles.BUSES)
    with page.expect_navigation():
        page.get_by_role("button", name="Archive the source").click()
    slug = "county-to-cut-rural-bus-fares"
    assert page.url == tab.base_url + f"/sources/{slug}"
    assert page.locator("[data-source-text]").text_content() == articles.BUSES
    quotes = page.locator(".suggestion blockquote").all_inner_texts()
    assert any("has committed £850,000" in q for q in quotes)
    assert not any("welcomed the news" in q for q in quotes)

    words = "The council said it would add 30 evening services"
    page.get_by_label("Passage, word for word").fill(words)
    with page.expect_navigation():
        page.get_by_role("button", name="Track this passage").click()
    assert page.url.startswith(tab.base_url + "/items/new?")
    expect(page.get_by_label("Passage, word for word")).to_have_value(words)
    page.get_by_label("Kind").select_option("commitment")
    page.get_by_label("Title").fill("30 more evening bus services")
    page.get_by_label("Who promised, is accused or proposes").select_option(
        "westmoor-county-council"
    )
    page.get_by_label(re.compile("^Number")).fill("30")
    page.get_by_label(re.compile("^Unit")).fill("services")
    # Without JavaScript too, the button pressed decides: "Publish" makes it public at once.
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Publish", exact=True).click()
    assert navigation.value.request.redirected_from.method == "POST"
    item_slug = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_have_text("30 more evening bus services")
    expect(page.locator(".quote mark")).to_have_text(words)

    item = server.item(item_slug)
    assert item["publication"] == "published"
    assert item["quote"] == words
    assert item["quote_start"] == articles.BUSES.index(words)
    assert item["quantity"] == {"value": 30, "unit": "services"}
    assert item["source"]["slug"] == slug
    tab.assert_clean()
