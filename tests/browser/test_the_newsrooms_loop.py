"""The newsroom's loop in Chromium, at a desktop's size and a phone's: an editor tracks a claim
from a source, adding its actor in place, in a few clicks; a draft stays with editors until it is
published from its banner, or is deleted; a published item is corrected in public, with a note,
or retracted, with a reason, and /corrections lists both; a dismissed suggestion keeps the page's
place and can be taken back (and /audit says so); an item is linked to another by its title; a
reply's words are selected in the source. The new pages pass axe.

The pages are saved as screenshots in the test's temporary directory (`screenshots`), to look
at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Server, Tab, _open, start_server
from tests.browser.screenshots import VIEWPORTS
from tests.browser.test_intake import SELECT

pytestmark = pytest.mark.browser

SIZES = ["desktop", "phone"]
# The seed's allegation against South Yorkshire Police, and words of its source that could be
# the force's reply.
ALLEGATION = "ipcc-allegation-naked-images-group-offending"
ALLEGATION_SOURCE = "rotherham-cse-live-updates-lga-ofsted"
REPLY_WORDS = "reassured by their commitment to fully cooperate with the investigation"
DELETE_QUESTION = "Delete this draft and its history? It was never public."
# Each test archives an article of its own (a text is archived once), about a town of its own
# (a word nothing else on the server holds, to search for).
TOWNS = {
    ("actor", "desktop"): "Marbury",
    ("actor", "phone"): "Ashcombe",
    ("draft", "desktop"): "Quillmere",
    ("draft", "phone"): "Brackenthwaite",
    ("correct", "desktop"): "Fennimore",
    ("correct", "phone"): "Oddingley",
    ("retract", "desktop"): "Wrexley",
    ("retract", "phone"): "Thornaby",
    ("delete", "desktop"): "Caddonfoot",
    ("dismiss", "desktop"): "Pellerin",
    ("dismiss", "phone"): "Skelmanthorpe",
    ("link", "desktop"): "Yarnfield",
}


def council_of(town: str) -> str:
    return f"{town} Borough Council"


def slug_of(name: str) -> str:
    return "-".join(name.lower().split())


def article(town: str) -> tuple[str, str]:
    """A news article about `town`: a pledge with a deadline by its council, a plan, an
    allegation and a promise to publish; a title and a text of its own."""
    council = council_of(town)
    title = f"{town} to get two new libraries"
    text = f"""\
{title}

{council} will open two new libraries by 31 March 2027.

The libraries will be built on the sites of the old fire stations in {town}, the council said.

Residents of {town} said they were pleased, and the weather stayed fine for the announcement.

Opposition councillors alleged that the council had hidden the cost of the {town} scheme from \
voters.

The council will publish the plans for {town} on its website next month.
"""
    return title, text


def pledge_of(town: str) -> str:
    return f"{council_of(town)} will open two new libraries by 31 March 2027."


def tracked(server: Server, town: str, title: str, *, publication: str = "published") -> str:
    """An item tracked through the API from `town`'s article (its council an actor): its slug."""
    source = server.archive(*article(town))
    council = server.actor(slug_of(council_of(town)), council_of(town), "council")
    with server.api() as api:
        created = api.post("/api/v1/items", json={
            "kind": "commitment", "title": title, "actor": council, "source": source,
            "quote": pledge_of(town), "quantity": {"value": 3, "unit": "libraries"},
            "publication": publication,
        })  # fmt: skip
        assert created.status_code == 201, created.text
        return str(created.json()["slug"])


@dataclass
class Clicks:
    """The clicks (and choices in a list) an editor makes; typing is not counted."""

    count: int = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def choose(self, locator: Any, value: str) -> None:
        self.count += 1
        locator.select_option(value)


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of the module's own: its tests add a dozen items, which on the session's server
    would push the seed's items off the first page of the dashboard other tests read."""
    with start_server(tmp_path_factory.mktemp("newsroom")) as started:
        yield started


@pytest.fixture
def size() -> str:
    """The window's size, for the tests that are not run at both."""
    return "desktop"


def window(size: str) -> dict[str, Any]:
    """The browser context's options for a desktop's or a phone's window."""
    return cast(dict[str, Any], VIEWPORTS[size])


@pytest.fixture
def editor(browser: Any, server: Server, size: str) -> Iterator[Tab]:
    """An editor, signed in, on a browser at the size `size`."""
    for tab in _open(browser, server, **window(size)):
        tab.sign_in()
        yield tab


@pytest.fixture
def reader(browser: Any, server: Server, size: str) -> Iterator[Tab]:
    """A reader who has not signed in, on a fresh browser at the size `size`."""
    yield from _open(browser, server, **window(size))


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def shoot(page: Any, path: Path) -> None:
    """A full-page screenshot. The caret is left alone: hiding it leaves `style=""` on the
    fields, which htmx copies over when it swaps the form in place (a refused inline style)."""
    page.screenshot(path=path, full_page=True, caret="initial")


def assert_nothing_wider_than_the_window(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def assert_in_view(page: Any, locator: Any) -> None:
    """`locator`'s top is on the screen: the page is scrolled to it."""
    expect(locator).to_be_in_viewport()
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height, (box, height)


def shown_on_dashboard(tab: Tab, slug: str, words: str) -> bool:
    """Whether the dashboard's search for `words` lists the item."""
    response = tab.goto(f"/?q={words}")
    assert response.status == 200
    expect(tab.page.locator(".results__count")).to_be_visible()
    return bool(tab.page.locator(f"#row-{slug}").count())


def choices_for(typed: str) -> Any:
    """Whether a response is the link form's choices for `typed`."""

    def matches(response: Any) -> bool:
        url = urlsplit(response.url)
        return url.path.endswith("/choices") and parse_qs(url.query).get("target") == [typed]

    return matches


def recorded_day(at: str) -> str:
    """An event's moment as the pages give its day: 3 Dec 2026."""
    moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(dt.UTC)
    return f"{moment.day} {moment:%b %Y}"


# --------------------------------------------------------------------------------------------
# a. A suggestion whose actor is new, tracked in a few clicks


@pytest.mark.parametrize("size", SIZES)
def test_tracking_a_suggestion_adds_its_new_actor_in_place(
    editor: Tab, server: Server, size: str, screenshots: Path
) -> None:
    page = editor.page
    town = TOWNS["actor", size]
    council = council_of(town)
    source = server.archive(*article(town))
    pick = next(c for c in server.candidates(source) if c["quote"] == pledge_of(town))
    assert pick["actor"] is None and pick["actor_name"] == council
    assert pick["title"], "a suggestion brings a title"
    editor.goto(f"/sources/{source}")
    clicks = Clicks()

    row = page.locator(f"#c-{pick['id']}")
    expect(row.locator(".suggestion__facts")).to_contain_text(f"{council} (not yet an actor)")
    clicks.click(row.get_by_role("link", name=re.compile("^Track")))
    page.wait_for_url(re.compile(r"/items/new\?source="))
    form_url = page.url
    title = page.get_by_label("Title", exact=True)
    expect(title).to_have_value(pick["title"])
    expect(page.get_by_label("Kind", exact=True)).to_have_value("commitment")
    due = page.get_by_label(re.compile("^Due on"))
    expect(due).to_have_value("2027-03-31")
    expect(page.locator("#f-due_on-hint")).to_have_text("From the words “by 31 March 2027”.")
    actor = page.get_by_label("Who promised, is accused or proposes")
    expect(actor).to_have_value("")
    new_actor = page.locator("fieldset.new-actor")
    expect(new_actor.locator("legend")).to_have_text(f"Not yet an actor: {council}")
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"track-new-actor-{size}.png")
    assert_accessible(page)

    typed = f"Two new libraries for {town} by the end of March 2027"
    title.fill(typed)
    kind = new_actor.get_by_label("What kind of actor")
    if kind.input_value() != "council":  # the form may have guessed it from the name
        clicks.choose(kind, "council")
    clicks.click(new_actor.get_by_role("button", name=f"Add {council} as an actor"))
    # In place: the form comes back with the actor chosen and nothing typed lost.
    expect(page.locator("fieldset.new-actor")).to_have_count(0)
    assert page.url == form_url
    expect(actor).to_have_value(slug_of(council))
    expect(actor.locator("option:checked")).to_have_text(council)
    expect(title).to_have_value(typed)
    expect(due).to_have_value("2027-03-31")
    expect(page.locator("#f-due_on-hint")).to_have_text("From the words “by 31 March 2027”.")
    expect(page.get_by_label("Passage, word for word")).to_have_value(pledge_of(town))

    clicks.click(page.get_by_role("button", name="Publish", exact=True))
    page.wait_for_url(re.compile(r"/items/[a-z0-9-]+$"))
    expect(page.locator("h1")).to_have_text(typed)
    expect(page.locator("#draft-heading")).to_have_count(0)
    print(f"\nclicks from the source page to the published item ({size}): {clicks.count}")
    assert clicks.count <= 6

    item = server.item(page.url.rsplit("/", 1)[1])
    assert item["title"] == typed
    assert item["publication"] == "published"
    assert item["actor"]["slug"] == slug_of(council) and item["actor"]["name"] == council
    assert item["due_on"] == "2027-03-31"
    assert item["quote"] == pledge_of(town) and item["source"]["slug"] == source
    with server.api() as api:
        added = api.get(f"/api/v1/actors/{slug_of(council)}").json()
    assert added["name"] == council and added["kind"] == "council"
    # The suggestion now names a known actor and is tracked.
    again = next(c for c in server.candidates(source) if c["id"] == pick["id"])
    assert again["state"] == "accepted" and again["actor"] == slug_of(council)
    editor.assert_clean()


# --------------------------------------------------------------------------------------------
# b. A draft stays with editors until it is published


@pytest.mark.parametrize("size", SIZES)
def test_a_draft_is_for_editors_until_it_is_published_from_its_banner(
    editor: Tab, reader: Tab, server: Server, size: str, screenshots: Path
) -> None:
    page = editor.page
    town = TOWNS["draft", size]
    source = server.archive(*article(town))
    server.actor(slug_of(council_of(town)), council_of(town), "council")
    editor.goto(f"/sources/{source}")
    pledge = page.locator(".suggestion", has=page.locator("blockquote", has_text=pledge_of(town)))
    pledge.get_by_role("link", name=re.compile("^Track")).click()
    page.wait_for_url(re.compile(r"/items/new\?source="))
    expect(page.get_by_label("Who promised, is accused or proposes")).to_have_value(
        slug_of(council_of(town))
    )
    title = f"Two libraries for {town} (a draft)"
    page.get_by_label("Title", exact=True).fill(title)
    # Enter presses the form's first button, "Save draft".
    page.get_by_label("Title", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"/items/[a-z0-9-]+$"))
    slug = page.url.rsplit("/", 1)[1]
    banner = page.locator("section.notice--draft")
    expect(banner.get_by_role("heading")).to_have_text("Draft: only editors can see it")
    expect(banner.get_by_role("button", name="Publish", exact=True)).to_be_visible()
    expect(banner.get_by_role("button", name="Delete the draft")).to_be_visible()
    expect(page.get_by_role("link", name="Correct it in public")).to_have_count(0)
    assert server.item(slug)["publication"] == "draft"
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"draft-{size}.png")
    assert_accessible(page)

    # Not for the public: not its page, not the dashboard, not search; nor the editor's lists.
    response = reader.goto(f"/items/{slug}")
    assert response.status == 404
    assert not shown_on_dashboard(reader, slug, town)
    expect(reader.page.locator(".results__count")).to_contain_text("No items match")
    reader.goto("/")
    expect(reader.page.locator("#results tbody tr").first).to_be_visible()
    expect(reader.page.locator(f"#row-{slug}")).to_have_count(0)
    assert not shown_on_dashboard(editor, slug, town)
    # Nor its source's page or its actor's: no passage marked, no link to it.
    for path in (f"/sources/{source}", f"/actors/{slug_of(council_of(town))}"):
        assert reader.goto(path).status == 200
        expect(reader.page.locator(f"a[href='/items/{slug}']")).to_have_count(0)
    expect(reader.page.locator("#actor-items-heading")).to_have_text("Items (0)")
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert anonymous.get(f"/api/v1/items/{slug}").status_code == 404

    editor.goto(f"/items/{slug}")
    with page.expect_navigation():
        banner.get_by_role("button", name="Publish", exact=True).click()
    assert page.url == editor.base_url + f"/items/{slug}"
    expect(page.locator(".notice--done")).to_have_text("Published: the public can read it now.")
    expect(page.locator("section.notice--draft")).to_have_count(0)
    expect(page.locator(".events li").first).to_contain_text("Published")
    assert server.item(slug)["publication"] == "published"

    response = reader.goto(f"/items/{slug}")
    assert response.status == 200
    expect(reader.page.locator("h1")).to_have_text(title)
    assert shown_on_dashboard(reader, slug, town)
    reader.goto(f"/sources/{source}")
    expect(reader.page.locator(f"mark#q-{slug}")).to_contain_text(pledge_of(town))
    editor.assert_clean()
    reader.assert_clean(expected_statuses=(404,))


# --------------------------------------------------------------------------------------------
# c. A correction in public


@pytest.mark.parametrize("size", SIZES)
def test_a_published_item_is_corrected_in_public_with_a_note(
    editor: Tab, reader: Tab, server: Server, size: str, screenshots: Path
) -> None:
    page = editor.page
    town = TOWNS["correct", size]
    wrong = f"Three new libraries for {town}"
    right = f"Two new libraries for {town}"
    note = "Correction: the council will open two libraries, not three."
    slug = tracked(server, town, wrong)
    before = server.item(slug)

    editor.goto(f"/items/{slug}")
    page.get_by_role("link", name="Correct it in public").click()
    page.wait_for_url(editor.base_url + f"/items/{slug}/correct")
    expect(page.locator("h1")).to_have_text(f"Correct “{wrong}”")
    expect(page.locator(".breadcrumbs")).to_have_text(re.compile(r"\u203a\s*Correct\s*$"))
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"correct-{size}.png")
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(right)
    page.get_by_label(re.compile("^Number")).fill("2")

    # Without the note: a message beside the field, the typing kept, and nothing changed.
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the correction").click()
    note_field = page.get_by_label("Public note")
    expect(note_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field--note .field-error")).to_have_text(
        "Write the public note: what was wrong, and what is right."
    )
    expect(page.get_by_label("Title", exact=True)).to_have_value(right)
    expect(page.get_by_label(re.compile("^Number"))).to_have_value("2")
    after_refusal = server.item(slug)
    assert after_refusal["title"] == wrong and after_refusal["version"] == before["version"]
    assert not any(e["type"] == "correction" for e in after_refusal["history"])
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"correct-refused-{size}.png")
    assert_accessible(page)

    note_field.fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the correction").click()
    assert page.url == editor.base_url + f"/items/{slug}"
    expect(page.locator("h1")).to_have_text(right)
    expect(page.locator(".item__facts")).to_contain_text("2 libraries")
    corrected = server.item(slug)
    assert corrected["title"] == right
    assert corrected["quantity"] == {"value": 2, "unit": "libraries"}
    event = next(e for e in corrected["history"] if e["type"] == "correction")
    assert event["note"] == note
    day = recorded_day(event["at"])
    notice = page.locator(".notice--correction")
    expect(notice).to_have_text(f"Corrected on {day}: {note}")
    expect(notice.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\d"))
    changes = page.locator(".events li").first.locator(".event__changes li").all_inner_texts()
    assert f"title: {wrong} → {right}" in changes, changes

    editor.goto("/corrections")
    entry = page.locator(".correction", has=page.get_by_role("link", name=right))
    expect(entry.locator(".correction__what")).to_have_text(f"Corrected: {right}")
    expect(entry.locator(".correction__note")).to_have_text(note)
    expect(entry.locator(".event__meta")).to_contain_text(day)
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"corrections-{size}.png")
    assert_accessible(page)

    # The public reads the notice and the list too.
    reader.goto(f"/items/{slug}")
    expect(reader.page.locator(".notice--correction")).to_have_text(f"Corrected on {day}: {note}")
    reader.goto("/corrections")
    expect(reader.page.locator(".correction", has_text=right)).to_contain_text(note)
    assert_accessible(reader.page)
    editor.assert_clean(expected_statuses=(422,))
    reader.assert_clean()


# --------------------------------------------------------------------------------------------
# d. A retraction, with its reason


@pytest.mark.parametrize("size", SIZES)
def test_a_retracted_item_keeps_its_page_and_leaves_the_lists(
    editor: Tab, reader: Tab, server: Server, size: str, screenshots: Path
) -> None:
    page = editor.page
    town = TOWNS["retract", size]
    title = f"Libraries pledge in {town}"
    reason = f"The pledge was another council's: {town} made none."
    slug = tracked(server, town, title)
    assert shown_on_dashboard(reader, slug, town)

    editor.goto(f"/items/{slug}")
    retract = page.locator("#retract")
    retract.get_by_text("Retract an item that should never have been tracked").click()
    # Without a reason, it is refused beside the field.
    with page.expect_navigation():
        retract.get_by_role("button", name="Retract it").click()
    expect(retract.locator(".field-error")).to_have_text(
        "Say why it should never have been tracked: the public reads it."
    )
    assert server.item(slug)["publication"] == "published"
    retract.get_by_label(re.compile("^Why it should never have been tracked")).fill(reason)
    with page.expect_navigation():
        retract.get_by_role("button", name="Retract it").click()
    assert page.url == editor.base_url + f"/items/{slug}"
    item = server.item(slug)
    assert item["publication"] == "retracted"
    event = next(e for e in item["history"] if e["type"] == "retracted")
    day = recorded_day(event["at"])
    notice = page.locator("section.notice--retracted")
    expect(notice.get_by_role("heading")).to_have_text(f"Retracted on {day}")
    expect(notice.locator(".notice__reason")).to_have_text(reason)
    expect(page.locator("#retract")).to_have_count(0)  # once is enough
    expect(page.locator("#change-status")).to_have_count(0)
    expect(page.get_by_role("link", name="Correct it in public")).to_have_count(0)

    response = reader.goto(f"/items/{slug}")
    assert response.status == 200
    expect(reader.page.locator("h1")).to_have_text(title)
    expect(reader.page.locator("section.notice--retracted .notice__reason")).to_have_text(reason)
    # Nothing offers to change it any more: no status form, nor a sign-in to one.
    expect(reader.page.locator(".sign-in-hint")).to_have_count(0)
    assert_nothing_wider_than_the_window(reader.page)
    shoot(reader.page, screenshots / f"retracted-{size}.png")
    assert_accessible(reader.page)
    assert not shown_on_dashboard(reader, slug, town)
    assert not shown_on_dashboard(editor, slug, town)

    reader.goto("/corrections")
    entry = reader.page.locator(".correction", has=reader.page.get_by_role("link", name=title))
    expect(entry).to_have_class(re.compile("correction--retracted"))
    expect(entry.locator(".correction__what")).to_have_text(f"Retracted: {title}")
    expect(entry.locator(".correction__note")).to_have_text(reason)
    editor.assert_clean(expected_statuses=(422,))
    reader.assert_clean()


# --------------------------------------------------------------------------------------------
# e. Deleting a draft


def test_a_draft_is_deleted_from_its_banner_and_a_published_item_cannot_be(
    editor: Tab, server: Server
) -> None:
    page = editor.page
    town = TOWNS["delete", "desktop"]
    draft = tracked(server, town, f"Libraries for {town}, never to be", publication="draft")
    with server.api() as api:
        published = api.post("/api/v1/items", json={
            "kind": "commitment", "title": f"Plans for {town} on the council's website",
            "actor": slug_of(council_of(town)), "source": server.item(draft)["source"]["slug"],
            "quote": f"The council will publish the plans for {town} on its website next month.",
        })  # fmt: skip
        assert published.status_code == 201, published.text
    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    editor.goto(f"/items/{draft}")
    delete = page.get_by_role("button", name="Delete the draft")
    # Asked first: "Cancel" leaves it as it was.
    page.once("dialog", answer(accept=False))
    delete.click()
    page.evaluate("1")  # a round trip: the dialog has been answered
    assert asked == [DELETE_QUESTION]
    assert page.url == editor.base_url + f"/items/{draft}"
    assert server.item(draft)["publication"] == "draft"

    page.once("dialog", answer(accept=True))
    with page.expect_navigation():
        delete.click()
    assert asked == [DELETE_QUESTION, DELETE_QUESTION]
    assert page.url == editor.base_url + "/"
    # Gone, for the editor too.
    response = editor.goto(f"/items/{draft}")
    assert response.status == 404
    with server.api() as api:
        assert api.get(f"/api/v1/items/{draft}").status_code == 404

    # A published item offers no deleting.
    editor.goto(f"/items/{published.json()['slug']}")
    expect(page.locator("h1")).to_have_text(f"Plans for {town} on the council's website")
    expect(page.get_by_role("button", name=re.compile("Delete"))).to_have_count(0)
    expect(page.locator("form[action$='/delete']")).to_have_count(0)
    expect(page.locator("form[data-confirm]")).to_have_count(0)
    editor.assert_clean(expected_statuses=(404,))


# --------------------------------------------------------------------------------------------
# f. Dismissing a suggestion, and taking it back


@pytest.mark.parametrize("size", SIZES)
def test_a_dismissed_suggestion_keeps_its_place_and_can_be_taken_back(
    editor: Tab, reader: Tab, server: Server, size: str, screenshots: Path
) -> None:
    page = editor.page
    town = TOWNS["dismiss", size]
    source = server.archive(*article(town))
    suggested = server.candidates(source)
    last = suggested[-1]  # the lowest on the page
    assert last["state"] == "new"
    new = sum(c["state"] == "new" for c in suggested)
    editor.goto(f"/sources/{source}")
    row = page.locator(f"#c-{last['id']}")
    heading = page.locator("#suggestions-heading")
    expect(heading).to_have_text(f"Suggested claims ({new} new)")
    # Below the first screen: to keep its place, the page must scroll to it.
    top = row.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    assert top > page.viewport_size["height"], top

    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^Dismiss")).click()
    assert page.url == editor.base_url + f"/sources/{source}#c-{last['id']}"
    assert_in_view(page, row)
    expect(row).to_have_class(re.compile("suggestion--dismissed"))
    expect(row.locator(".suggestion__facts")).to_contain_text("dismissed")
    expect(heading).to_have_text(f"Suggested claims ({new - 1} new)")
    states = {c["id"]: c["state"] for c in server.candidates(source)}
    assert states[last["id"]] == "dismissed"
    assert_nothing_wider_than_the_window(page)

    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^Undo the dismissal")).click()
    assert page.url == editor.base_url + f"/sources/{source}#c-{last['id']}"
    assert_in_view(page, row)
    expect(row).to_have_class(re.compile("suggestion--new"))
    expect(row.get_by_role("button", name=re.compile("^Dismiss"))).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^Undo"))).to_have_count(0)
    expect(heading).to_have_text(f"Suggested claims ({new} new)")
    states = {c["id"]: c["state"] for c in server.candidates(source)}
    assert states[last["id"]] == "new"

    # The audit has both, newest first.
    editor.goto("/audit")
    ours = page.locator("table.audit tbody tr", has=page.get_by_role("link", name=source))
    expect(ours.locator("td[data-label=What]")).to_have_text(
        ["Took back a dismissal", "Dismissed a suggestion"]
    )
    expect(ours.first.locator("td[data-label=Who]")).to_have_text("editor")
    expect(ours.first.locator("td[data-label=Details]")).to_contain_text(last["quote"])
    assert_nothing_wider_than_the_window(page)
    shoot(page, screenshots / f"audit-{size}.png")
    assert_accessible(page)
    editor.assert_clean()

    # Not for readers: they are asked to sign in, and have no link to it.
    reader.goto("/audit")
    expect(reader.page.locator("h1")).to_have_text("Sign in")
    assert "/login?next=" in reader.page.url
    expect(reader.page.get_by_role("link", name="Audit")).to_have_count(0)
    reader.assert_clean()


# --------------------------------------------------------------------------------------------
# g. Linking by title


def test_an_item_is_linked_to_another_by_typing_its_title(editor: Tab, server: Server) -> None:
    page = editor.page
    town = TOWNS["link", "desktop"]
    first = tracked(server, town, f"Two new libraries for {town}")
    with server.api() as api:
        other = api.post("/api/v1/items", json={
            "kind": "commitment", "title": f"{town} fire stations to become libraries",
            "actor": slug_of(council_of(town)), "source": server.item(first)["source"]["slug"],
            "quote": f"The libraries will be built on the sites of the old fire stations in "
            f"{town}",
        })  # fmt: skip
        assert other.status_code == 201, other.text
    second, second_title = other.json()["slug"], other.json()["title"]

    editor.goto(f"/items/{first}")
    links = page.locator("#links")
    links.get_by_text("Link to another item", exact=True).click()
    links.get_by_label(re.compile("^This item is")).select_option("related")
    target = links.get_by_label(re.compile("^The other item"))
    # The choices come as the title is typed: the other item, never this one.
    with page.expect_response(choices_for(f"{town} fire")):
        target.press_sequentially(f"{town} fire", delay=20)
    options = page.locator("#link-targets option")
    expect(options.filter(has_text=second_title)).to_have_attribute("value", second)
    expect(page.locator(f"#link-targets option[value='{first}']")).to_have_count(0)
    # Headless Chromium draws no datalist popup to click: the field is filled with the whole
    # title instead, as a reader choosing by title would (the server finds the item by it).
    with page.expect_response(choices_for(second_title)):
        target.fill(second_title)
    with page.expect_navigation():
        links.get_by_role("button", name="Link them").click()
    assert page.url == editor.base_url + f"/items/{first}#links"
    related = page.locator("#links .links__list", has=page.get_by_role("link", name=second_title))
    expect(related).to_have_count(1)
    expect(page.locator("#links h3", has_text="Related")).to_be_visible()
    assert [r["slug"] for r in server.item(first)["related"]] == [second]
    assert first in [r["slug"] for r in server.item(second)["related"]]
    editor.assert_clean()


# --------------------------------------------------------------------------------------------
# h. A reply's words, selected in the source


def test_a_replys_words_are_selected_in_the_source(editor: Tab, server: Server) -> None:
    page = editor.page
    editor.goto(f"/items/{ALLEGATION}")
    replies = page.locator("#replies")
    replies.get_by_text("Record a reply", exact=True).click()
    replies.get_by_role("link", name="Select their words in the source").click()
    page.wait_for_url(re.compile(rf"/sources/{ALLEGATION_SOURCE}\?reply_to={ALLEGATION}$"))
    expect(page.locator("#track-heading")).to_have_text(
        "Quote a reply to “Failure to investigate naked images of a girl and possible group "
        "offending”"
    )
    assert page.evaluate(SELECT, REPLY_WORDS)
    expect(page.get_by_label("Their words, word for word")).to_have_value(REPLY_WORDS)
    with page.expect_navigation():
        page.get_by_role("button", name="Quote these words in the reply").click()
    assert page.url.startswith(editor.base_url + f"/items/{ALLEGATION}/replies?")

    form = page.locator("#reply-form")
    expect(form).to_have_attribute("open", "")
    expect(form.get_by_label(re.compile("^Their words, verbatim"))).to_have_value(REPLY_WORDS)
    expect(form.get_by_label(re.compile("^Archived source holding the reply"))).to_have_value(
        ALLEGATION_SOURCE
    )
    expect(form.get_by_label("Who replied")).to_have_value("south-yorkshire-police")
    said = "The force says it will cooperate fully with the IPCC."
    form.get_by_label(re.compile("^What they said")).fill(said)
    with page.expect_navigation():
        form.get_by_role("button", name="Record the reply").click()
    assert page.url == editor.base_url + f"/items/{ALLEGATION}#replies"
    reply = page.locator("#replies .reply", has_text=said)
    expect(reply.locator(".reply__quote")).to_have_text(f"“{REPLY_WORDS}”")
    expect(reply.locator(".quote__source")).to_contain_text(
        "From Live updates: LGA to call for independent review after Ofsted report."
    )
    recorded = next(r for r in server.item(ALLEGATION)["replies"] if r["text"] == said)
    assert recorded["quote"] == REPLY_WORDS
    assert recorded["source"]["slug"] == ALLEGATION_SOURCE
    editor.assert_clean()
