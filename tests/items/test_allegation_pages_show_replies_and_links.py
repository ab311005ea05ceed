"""The item page's allegation wording, replies and links: the caveat and the investigator, the
outcome as large as the allegation, "No response recorded" and the reply beside the claim, the
editor's reply and link forms (without JavaScript: post, then 303), and the connected items."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.support.accounts import sign_in
from tests.support.pages import html, html_page

ALLEGATION = "ipcc-allegation-naked-images-group-offending"
PARENT = "ipcc-investigation-of-10-syp-officers"
COMMITMENT = "pcc-victims-and-survivors-panel"  # linked to nothing in the seed
OTHER = "pcc-work-with-rotherham-commissioner"


def _text(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert found is not None, selector
    return " ".join(found.get_text().split())


def _facts(page: BeautifulSoup) -> dict[str, str]:
    return {
        " ".join(d.dt.get_text().split()): " ".join(d.dd.get_text().split())
        for d in page.select(".item__facts > div")
    }


def test_an_allegation_says_it_is_not_a_finding_and_who_investigates(client) -> None:
    page = html_page(client, f"/items/{ALLEGATION}")
    assert _text(page, "p.caveat") == "An allegation is not a finding until it is upheld."
    facts = _facts(page)
    assert facts["Accused"] == "South Yorkshire Police"
    assert facts["Investigator"] == "Independent Police Complaints Commission (IPCC)"
    assert "Responsible" not in facts
    assert _text(page, "#replies h2") == "The reply"
    assert _text(page, ".replies__none").startswith("No response recorded.")
    # The reply sits in the same two-column block as the allegation's quote.
    assert page.select_one(".claim-and-reply #replies") is not None
    assert page.select_one(".claim-and-reply .quote") is not None
    assert page.select_one("form[action$='/replies']") is None  # no form for the public
    # The fourteen officers' item names no investigator, and says so.
    fourteen = html_page(client, "/items/syp-14-officers-under-investigation")
    assert _facts(fourteen)["Investigator"] == "Not named in the source"


def test_not_upheld_is_as_prominent_as_the_allegation(client, editor_headers) -> None:
    response = client.post(
        f"/api/v1/items/{ALLEGATION}/status",
        json={"status": "not_upheld", "note": "The IPCC found no case to answer."},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    page = html_page(client, f"/items/{ALLEGATION}")
    title = _text(page, "h1")
    assert title.startswith("Not upheld: Failure to investigate naked images")
    assert page.select_one("h1 .verdict").get_text() == "Not upheld:"
    assert _text(page, "p.caveat") == (
        "An allegation is not a finding until it is upheld. This one was not upheld."
    )
    dashboard = html_page(client, "/?kind=allegation")
    row = dashboard.select_one(f"#row-{ALLEGATION}")
    # In the row too, the outcome is written in front of the title, in the title's own link line.
    cell = row.select_one("td[data-label=Title]")
    assert cell.select_one(".verdict").get_text() == "Not upheld:"
    words = " ".join(cell.get_text().split())
    assert "Not upheld: Failure to investigate naked images" in words
    other = dashboard.select_one("#row-ipcc-allegation-lost-evidence-2003-rapes")
    assert _text(other, "td[data-label=Title] .kind") == "Allegation"
    assert _text(other, "td[data-label=Title] .caveat") == "Not a finding unless upheld"


def test_an_editor_records_a_reply_through_the_form(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    page = html_page(client, f"/items/{ALLEGATION}")
    form = page.select_one("#replies form")
    assert form is not None and form["action"] == f"/items/{ALLEGATION}/replies"
    assert form.select_one("select[name=by] option[selected]")["value"] == "south-yorkshire-police"
    labels = [" ".join(label.get_text().split()) for label in form.select("label")]
    assert labels[:2] == ["Who replied", "What they said"]
    response = client.post(
        f"/items/{ALLEGATION}/replies",
        data={
            "csrf_token": csrf,
            "by": "south-yorkshire-police",
            "text": "The force says it is cooperating fully with the IPCC.",
            "url": "https://example.org/statement",
            "source": "",
            "quote": "",
            "occurred_on": "2015-03-03",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/{ALLEGATION}#replies"
    page = html_page(client, f"/items/{ALLEGATION}")
    assert page.select_one(".replies__none") is None
    reply = page.select_one("#replies .reply")
    assert _text(reply, ".reply__by") == "South Yorkshire Police replied on 3 March 2015:"
    assert _text(reply, ".reply__text") == "The force says it is cooperating fully with the IPCC."
    assert reply.select_one("a[href='https://example.org/statement']") is not None
    assert "Recorded by editor" in _text(reply, ".quote__source")
    assert page.select_one(".events li .event__what").get_text().split() == [
        "Reply",
        "from",
        "South",
        "Yorkshire",
        "Police",
    ]
    # The public sees it too, beside the allegation.
    public = html(client.__class__(client.app).get(f"/items/{ALLEGATION}"))
    assert _text(public, "#replies .reply__by").startswith("South Yorkshire Police replied")


def test_a_reply_form_with_mistakes_shows_them_beside_the_fields(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        f"/items/{ALLEGATION}/replies",
        data={"csrf_token": csrf, "by": "nobody", "text": "", "url": "ftp://x"},
    )
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("details.reply-form")["open"] is not None
    assert _text(page, "#f-text-error") == "Give what they said."
    response = client.post(
        f"/items/{ALLEGATION}/replies",
        data={"csrf_token": csrf, "by": "nobody", "text": "We deny it.", "url": "ftp://x"},
    )
    page = html(response)
    assert response.status_code == 422
    assert _text(page, "#f-by-error") == "No actor 'nobody'."
    assert _text(page, "#f-url-error") == "Must be an http or https URL."
    assert page.select_one("#f-text").get_text() == "We deny it."  # kept as typed
    assert client.get(f"/api/v1/items/{ALLEGATION}").json()["replies"] == []


def test_other_kinds_show_replies_only_once_there_is_one(client, editor_headers) -> None:
    page = html_page(client, f"/items/{COMMITMENT}")
    assert page.select_one("#replies") is None
    client.post(
        f"/api/v1/items/{COMMITMENT}/replies",
        json={"by": "alan-billings", "text": "The panel meets monthly."},
        headers=editor_headers,
    )
    page = html_page(client, f"/items/{COMMITMENT}")
    assert _text(page, "#replies h2") == "Replies"
    assert _text(page, "#replies .reply__text") == "The panel meets monthly."


def test_the_parent_shows_its_parts_and_their_rollup(client) -> None:
    page = html_page(client, f"/items/{PARENT}")
    assert _text(page, "#links h2") == "Connected items"
    assert _text(page, ".rollup") == "8 parts: 8 under investigation. 0 resolved."
    parts = page.select("#links ul")[0].select("li")
    assert len(parts) == 8
    assert [a["href"] for a in page.select("#links ul")[0].select("a")][:1] == [
        "/items/ipcc-allegation-lost-evidence-2003-rapes"
    ]
    related = [a.get_text() for a in page.select("#links ul")[1].select("a")]
    assert related == [
        "Fourteen officers under investigation after the Rotherham abuse report",
        "Fully cooperate with the IPCC investigation",
    ]
    child = html_page(client, f"/items/{ALLEGATION}")
    assert _text(child, ".links__parent") == (
        "Part of IPCC investigation of 10 South Yorkshire Police officers (commitment) In progress"
    )
    assert html_page(client, f"/items/{COMMITMENT}").select_one("#links") is None


def test_an_editor_links_and_unlinks_through_the_forms(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        f"/items/{COMMITMENT}/links",
        data={"csrf_token": csrf, "relation": "part_of", "target": OTHER},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/{COMMITMENT}#links"
    page = html_page(client, f"/items/{COMMITMENT}")
    assert _text(page, ".links__parent").startswith("Part of Work with the new Commissioner")
    # A loop is refused beside the field, naming it.
    loop = client.post(
        f"/items/{OTHER}/links",
        data={"csrf_token": csrf, "relation": "part_of", "target": COMMITMENT},
    )
    assert loop.status_code == 409
    assert _text(html(loop), "#f-target-error") == (
        f"That link would make a loop: {OTHER} → {COMMITMENT} → {OTHER}."
    )
    remove = page.select_one(".links__parent form")
    assert remove["action"] == f"/items/{COMMITMENT}/links/part_of/{OTHER}/remove"
    response = client.post(remove["action"], data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get(f"/api/v1/items/{COMMITMENT}").json()["parent"] is None
    unknown = client.post(
        f"/items/{COMMITMENT}/links",
        data={"csrf_token": csrf, "relation": "part_of", "target": "no-such-item"},
    )
    assert unknown.status_code == 422
    assert _text(html(unknown), "#f-target-error") == "No item 'no-such-item'."


def test_the_dashboard_folds_a_parents_parts_under_its_row(client) -> None:
    page = html_page(client, "/?q=ipcc+investigation")
    row = page.select_one(f"#row-{PARENT}")
    parts = row.select_one("td[data-label=Title] details.parts")
    assert parts is not None and not parts.has_attr("open")  # folded until opened
    assert " ".join(parts.select_one("summary").get_text().split()) == (
        "8 parts of IPCC investigation of 10 South Yorkshire Police officers"
    )
    links = [a["href"] for a in parts.select("li a")]
    assert len(links) == 8 and f"/items/{ALLEGATION}" in links
    assert all(li.select_one(".badge") for li in parts.select("li"))
    # An item without parts has no fold.
    allegations = html_page(client, "/?kind=allegation")
    assert allegations.select_one(f"#row-{ALLEGATION}") is not None
    assert allegations.select_one(f"#row-{ALLEGATION} details.parts") is None


def test_a_replys_words_are_selected_in_their_source(client, make_user) -> None:
    """ "Select their words in the source" opens the source's page in reply mode; its form sends
    the selected words back to the item's reply form, open and filled, which records them."""
    make_user()
    csrf = sign_in(client)
    page = html_page(client, f"/items/{ALLEGATION}")
    link = page.select_one("#replies a[data-reply-select]")
    source = "rotherham-cse-live-updates-pcc"
    assert link["href"].endswith(f"?reply_to={ALLEGATION}")
    # The link follows the source chosen in the form (app.js); its target works for any source.
    source_page = html_page(client, f"/sources/{source}?reply_to={ALLEGATION}")
    form = source_page.select_one("form[data-track-form]")
    assert form["action"] == f"/items/{ALLEGATION}/replies"
    assert form["method"] == "get"
    assert form.select_one("input[name=source]")["value"] == source
    assert _text(source_page, "#track-heading").startswith("Quote a reply to")
    # Without reply_to, the same page tracks a passage, as before.
    plain = html_page(client, f"/sources/{source}")
    assert plain.select_one("form[data-track-form]")["action"] == "/items/new"
    # An unknown item in reply_to is ignored rather than refused.
    unknown = html_page(client, f"/sources/{source}?reply_to=no-such-item")
    assert unknown.select_one("form[data-track-form]")["action"] == "/items/new"

    words = "South Yorkshire Police say the level of scrutiny around their role"
    filled = html_page(client, f"/items/{ALLEGATION}/replies?source={source}&quote={words}")
    reply_form = filled.select_one("details.reply-form")
    assert reply_form.has_attr("open")
    assert reply_form.select_one("#f-quote").get_text() == words
    assert reply_form.select_one("select[name=source] option[selected]")["value"] == source
    response = client.post(
        f"/items/{ALLEGATION}/replies",
        data={
            "csrf_token": csrf, "by": "south-yorkshire-police",
            "text": "Scrutiny is understandable.", "source": source, "quote": words,
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    reply = client.get(f"/api/v1/items/{ALLEGATION}").json()["replies"][0]
    assert reply["quote"] == words and reply["source"]["slug"] == source


def test_the_reply_form_by_selection_is_for_editors(client) -> None:
    response = client.get(f"/items/{ALLEGATION}/replies?quote=x", follow_redirects=False)
    assert response.status_code == 303
    # Signed in, the editor comes back to the same filled form.
    assert response.headers["location"] == (f"/login?next=/items/{ALLEGATION}/replies%3Fquote%3Dx")
    public = html_page(client, f"/sources/rotherham-cse-live-updates-pcc?reply_to={ALLEGATION}")
    assert public.select_one("form[data-track-form]") is None
