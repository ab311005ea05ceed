"""Intake in the browser without JavaScript: add a source by pasting or uploading, add an actor,
track a suggestion or a pasted passage, dismiss a suggestion, edit an item; every form shows
its errors beside its fields and changes nothing when refused."""

from __future__ import annotations

from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ACTOR, ITEM, SOURCE

ARTICLE = (
    "Trust promises shorter waits\n\n"
    "The hospital trust has pledged £5m to cut waiting lists for hip operations.\n\n"
    "It will recruit 40 more nurses by April, the chief executive said.\n\n"
    "Patients said the waits had been hard to bear.\n"
)


def _paste(client, csrf: str, **fields: str):
    data = {"csrf_token": csrf, "title": "Trust promises shorter waits", "text": ARTICLE}
    data.update(fields)
    return client.post("/sources/new", data=data, follow_redirects=False)


def test_indexes_list_sources_and_actors_and_offer_adding_to_editors(client, make_user) -> None:
    sources = html(client.get("/sources"))
    titles = [a.get_text() for a in sources.select("table.items tbody a")]
    assert "Live updates: LGA to call for independent review after Ofsted report" in titles
    assert sources.select_one('a[href="/sources/new"]') is None
    actors = html(client.get("/actors"))
    assert "Ofsted" in [a.get_text() for a in actors.select("table.items tbody a")]
    make_user()
    sign_in(client)
    assert html(client.get("/sources")).select_one('a[href="/sources/new"]') is not None
    assert html(client.get("/actors")).select_one('a[href="/actors/new"]') is not None


def test_adding_a_source_needs_an_editor(client) -> None:
    response = client.get("/sources/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/sources/new"


def test_a_pasted_article_becomes_a_source_with_suggestions(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    form = html(client.get("/sources/new"))
    assert form.select_one("textarea[name=text]") is not None
    assert form.select_one("input[name=title]") is not None
    response = _paste(client, csrf, publisher="Example News")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/sources/trust-promises-shorter-waits"
    page = html(client.get(response.headers["location"]))
    assert page.select_one("h1").get_text() == "Trust promises shorter waits"
    assert "Example News" in page.select_one(".item__facts").get_text()
    suggestions = page.select(".suggestion")
    quotes = [s.select_one("blockquote").get_text() for s in suggestions]
    assert any("pledged £5m" in q for q in quotes)
    assert not any("hard to bear" in q for q in quotes)
    # The same text again: refused beside the text, naming the source that has it.
    again = _paste(client, csrf, title="Again")
    assert again.status_code == 409
    assert "trust-promises-shorter-waits" in html(again).select_one("#f-text-error").get_text()


def test_a_refused_source_keeps_what_was_typed(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = _paste(client, csrf, title="", url="not a url")
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("#f-title-error") is not None
    assert page.select_one("#f-url-error").get_text() == "Must be an http or https URL."
    assert page.select_one("textarea[name=text]").get_text() == ARTICLE
    assert len(client.get("/api/v1/sources").json()["sources"]) == 2
    nothing = _paste(client, csrf, text="")
    assert nothing.status_code == 422
    assert "Paste the text" in html(nothing).select_one("#f-text-error").get_text()


def test_an_uploaded_text_file_becomes_a_source(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        "/sources/new",
        data={"csrf_token": csrf, "title": "Uploaded", "text": ""},
        files={"file": ("waits.txt", ARTICLE.encode(), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    body = client.get("/api/v1/sources/uploaded").json()
    assert body["text"] == ARTICLE and body["original"]["filename"] == "waits.txt"
    bad = client.post(
        "/sources/new",
        data={"csrf_token": csrf, "title": "Bad"},
        files={"file": ("tool.exe", b"MZ", "application/octet-stream")},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and html(bad).select_one("#f-file-error") is not None


def test_a_source_form_without_the_csrf_token_is_refused(client, make_user) -> None:
    make_user()
    sign_in(client)
    response = _paste(client, "not-the-token")
    assert response.status_code == 403
    assert len(client.get("/api/v1/sources").json()["sources"]) == 2


def test_tracking_a_suggestion_prefills_the_form_and_creates_the_item(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    slug = _paste(client, csrf).headers["location"].rsplit("/", 1)[1]
    page = html(client.get(f"/sources/{slug}"))
    track = next(
        a
        for a in page.select(".suggestion a.button")
        if "£5m" in a.find_parent("li").select_one("blockquote").get_text()
    )
    form = html(client.get(track["href"]))
    assert "pledged £5m" in form.select_one("textarea[name=quote]").get_text()
    assert form.select_one("select[name=kind] option[selected]")["value"] == "commitment"
    assert form.select_one("input[name=quantity_value]")["value"] == "5000000"
    assert form.select_one("input[name=quantity_unit]")["value"] == "GBP"
    data = {
        "csrf_token": csrf,
        "source": slug,
        "quote": form.select_one("textarea[name=quote]").get_text(),
        "quote_start": form.select_one("input[name=quote_start]")["value"],
        "kind": "commitment",
        "title": "£5m to cut hip waiting lists",
        "actor": "ofsted",
        "quantity_value": "5000000",
        "quantity_unit": "GBP",
    }
    created = client.post("/items/new", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    item = client.get("/api/v1" + created.headers["location"]).json()
    assert item["quote"].startswith("The hospital trust has pledged £5m")
    assert item["quantity"] == {"value": 5000000, "unit": "GBP"}
    # The suggestion is now accepted, pointing at the item.
    after = html(client.get(f"/sources/{slug}"))
    assert any(a["href"] == created.headers["location"] for a in after.select(".suggestion a"))


def test_a_pasted_passage_must_be_in_the_source(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    data = {
        "csrf_token": csrf,
        "source": SOURCE,
        "quote": "a passage that the source does not hold",
        "kind": "commitment",
        "title": "Not in the text",
        "actor": "ofsted",
    }
    refused = client.post("/items/new", data=data, follow_redirects=False)
    assert refused.status_code == 422
    message = html(refused).select_one("#f-quote-error").get_text()
    assert message == "Not found verbatim in the source text."
    text = client.get(f"/api/v1/sources/{SOURCE}").json()["text"]
    # Whole words of the text (a passage, not a fragment): from a word's start to a word's end.
    start = text.index(" ", 100) + 1
    data["quote"] = text[start : text.rindex(" ", start, start + 60)].rstrip(",;:")
    created = client.post("/items/new", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text


def test_dismissing_a_suggestion(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    slug = _paste(client, csrf).headers["location"].rsplit("/", 1)[1]
    page = html(client.get(f"/sources/{slug}"))
    form = page.select_one(".suggestion form")
    response = client.post(form["action"], data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    states = [
        c["state"] for c in client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    ]
    assert states.count("dismissed") == 1


def test_readers_see_no_suggestions(client) -> None:
    page = html(client.get(f"/sources/{SOURCE}"))
    assert page.select(".suggestion") == [] and page.select_one(".track-form") is None


def test_an_actor_is_added_from_the_browser(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        "/actors/new",
        data={"csrf_token": csrf, "name": "Rotherham Council", "kind": "council",
              "aliases": "RMBC\nthe council"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    body = client.get("/api/v1/actors/rotherham-council").json()
    assert body["aliases"] == ["RMBC", "the council"]
    duplicate = client.post(
        "/actors/new",
        data={"csrf_token": csrf, "name": "rotherham council", "kind": "council"},
        follow_redirects=False,
    )
    assert duplicate.status_code == 409
    assert "rotherham-council" in html(duplicate).select_one("#f-name-error").get_text()


def test_an_item_is_edited_in_the_browser_and_a_stale_form_is_a_conflict(
    client, make_user, editor_headers
) -> None:
    make_user()
    csrf = sign_in(client)
    slug = ITEM
    form = html(client.get(f"/items/{slug}/edit"))
    assert form.select_one("input[name=title]")["value"] == "62 additional staff for the CSE unit"
    version = form.select_one("input[name=expected_version]")["value"]
    fields = {
        "csrf_token": csrf,
        "expected_version": version,
        "title": "62 more staff for the CSE unit",
        "actor": ACTOR,
        "responsible": "south-yorkshire-police",
        "quantity_value": "62",
        "quantity_unit": "staff",
        "due_on": "2016-03-31",
    }
    saved = client.post(f"/items/{slug}/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    item = client.get(f"/api/v1/items/{slug}").json()
    assert (item["title"], item["due_on"]) == ("62 more staff for the CSE unit", "2016-03-31")
    assert item["history"][-1]["type"] == "edit"
    stale = client.post(
        f"/items/{slug}/edit", data={**fields, "title": "From a stale form"}, follow_redirects=False
    )
    assert stale.status_code == 409
    assert "Someone else changed this item" in html(stale).get_text()
    assert client.get(f"/api/v1/items/{slug}").json()["title"] == "62 more staff for the CSE unit"
    half = client.post(
        f"/items/{slug}/edit",
        data={**fields, "expected_version": str(item["version"]), "quantity_unit": ""},
        follow_redirects=False,
    )
    assert half.status_code == 422 and html(half).select_one("#f-quantity_unit-error")


def test_a_file_sent_in_place_of_a_passage_is_refused_not_a_500(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        "/items/new",
        data={"csrf_token": csrf, "source": "rotherham-cse-live-updates-pcc", "kind": "proposal",
              "title": "A file for a quote", "actor": "ofsted"},
        files={"quote": ("quote.txt", b"some bytes", "text/plain")},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 422
    assert html(response).select_one("#f-quote-error") is not None


NEW_ACTOR_ARTICLE = (
    "Libraries to reopen\n\n"
    "Marbury Borough Council will reopen the two closed libraries by 31 March 2027.\n\n"
    "Residents said they had missed them.\n"
)


def test_a_suggestions_new_actor_is_added_in_place_keeping_the_form(client, make_user) -> None:
    """Without JavaScript: "Add … as an actor" posts the whole form, which comes back with every
    value kept and the new actor chosen; the title and Due on came from the sentence."""
    make_user()
    csrf = sign_in(client)
    slug = (
        _paste(client, csrf, title="Libraries to reopen", text=NEW_ACTOR_ARTICLE)
        .headers["location"]
        .rsplit("/", 1)[1]
    )
    page = html(client.get(f"/sources/{slug}"))
    track = page.select_one(".suggestion a.button")
    form = html(client.get(track["href"]))
    title = form.select_one("input[name=title]")["value"]
    assert title == "Marbury Borough Council will reopen the two closed libraries by 31 March 2027"
    assert form.select_one("input[name=due_on]")["value"] == "2027-03-31"
    assert "31 March 2027" in form.select_one("#f-due_on-hint").get_text()
    fieldset = form.select_one("fieldset.new-actor")
    assert fieldset.select_one("legend").get_text() == "Not yet an actor: Marbury Borough Council"
    # The kind its name says, for the editor to confirm.
    assert fieldset.select_one("select[name=actor_kind] option[selected]")["value"] == "council"
    typed = {
        field["name"]: field.get("value", "") for field in form.select("#track-form input")
    } | {"quote": form.select_one("textarea[name=quote]").get_text(), "kind": "commitment",
         "title": "Two Marbury libraries to reopen", "actor": "", "actor_kind": "",
         "csrf_token": csrf, "add_actor": "1"}  # fmt: skip

    refused = client.post("/items/new", data=typed)
    assert refused.status_code == 422
    assert html(refused).select_one("#f-actor_kind-error").get_text() == (
        "Choose what kind of actor Marbury Borough Council is."
    )
    assert client.get("/api/v1/actors/marbury-borough-council").status_code == 404

    added = client.post("/items/new", data={**typed, "actor_kind": "council"})
    assert added.status_code == 200, added.text
    again = html(added)
    assert again.select_one("select[name=actor] option[selected]")["value"] == (
        "marbury-borough-council"
    )
    assert again.select_one("fieldset.new-actor") is None
    assert again.select_one("input[name=title]")["value"] == "Two Marbury libraries to reopen"
    assert again.select_one("input[name=due_on]")["value"] == "2027-03-31"
    actor = client.get("/api/v1/actors/marbury-borough-council").json()
    assert actor["name"] == "Marbury Borough Council" and actor["kind"] == "council"

    kept = {
        field["name"]: field.get("value", "")
        for field in again.select("#track-form input")
        if field.get("type") != "submit"
    } | {"quote": again.select_one("textarea[name=quote]").get_text(), "kind": "commitment",
         "actor": "marbury-borough-council", "csrf_token": csrf}  # fmt: skip
    created = client.post("/items/new", data=kept, follow_redirects=False)
    assert created.status_code == 303, created.text
    item = client.get("/api/v1" + created.headers["location"]).json()
    assert item["actor"]["slug"] == "marbury-borough-council"
    assert item["due_on"] == "2027-03-31" and item["publication"] == "draft"


def test_an_actors_kind_is_guessed_only_from_plain_words() -> None:
    from service.actors.service import kind_from_name

    assert kind_from_name("Marbury Borough Council") == "council"
    assert kind_from_name("Kestrel County Constabulary") == "police_force"
    assert kind_from_name("Independent Police Complaints Commission") == "regulator"
    assert kind_from_name("Department for Education") == "government"
    assert kind_from_name("Councillor Priya Nair") == "person"
    assert kind_from_name("Kestrel Ferries") is None


ACCUSED = (
    "Harrowfield care home row\n\n"
    "Families have accused Harrowfield Council of failing to warn them that the Elms care home "
    "would close.\n\n"
    "The council denied that it had failed to warn families, saying letters went out in May.\n\n"
    "Inspectors found that the home's records of medicines were incomplete.\n"
)


def test_a_denial_is_suggested_as_a_reply_to_the_allegation_it_answers(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    created = client.post(
        "/sources/new",
        data={"csrf_token": csrf, "title": "Care home row", "text": ACCUSED},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = html(client.get(created.headers["location"]))
    suggestions = {s.select_one("blockquote").get_text(): s for s in page.select(".suggestion")}
    denial = next(s for q, s in suggestions.items() if q.startswith("The council denied"))
    accused = next(s for q, s in suggestions.items() if q.startswith("Families have accused"))
    finding = next(s for q, s in suggestions.items() if q.startswith("Inspectors found"))
    assert denial.select_one(".kind").get_text() == "Reply"
    assert accused.select_one(".kind").get_text() == "Allegation"
    assert "found by Inspectors" in finding.select_one(".suggestion__facts").get_text()
    # Not tracked yet: the reply says which allegation it answers, and has nothing to record.
    answers = denial.select_one(".suggestion__also a")
    assert answers["href"] == f"#{accused['id']}"
    assert "track that allegation first" in denial.get_text()
    assert denial.select_one("a.button") is None
    # Tracked: the reply is recorded from the allegation's page, its words filled in.
    track = accused.select_one("a.button")["href"]
    form = html(client.get(track))
    values = {i["name"]: i.get("value", "") for i in form.select("form input[name]")}
    values.update({t["name"]: t.get_text() for t in form.select("form textarea[name]")})
    for select in form.select("form select[name]"):
        chosen = select.select_one("option[selected]")
        values[select["name"]] = chosen["value"] if chosen else ""
    assert values["kind"] == "allegation"
    values.update(
        {"csrf_token": csrf, "title": "Families not warned of closure", "status": "",
         "publication": "published", "actor_kind": "council"}
    )  # fmt: skip
    added = client.post("/items/new", data={**values, "add_actor": "1"})
    assert added.status_code == 200, added.text
    chosen = html(added).select_one("select[name=actor] option[selected]")["value"]
    values.update(actor=chosen, add_actor="")
    saved = client.post("/items/new", data=values, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    item_url = saved.headers["location"]
    page = html(client.get(created.headers["location"]))
    denial = next(
        s for s in page.select(".suggestion")
        if s.select_one("blockquote").get_text().startswith("The council denied")
    )  # fmt: skip
    record = denial.select_one("a.button")
    assert record.get_text().startswith("Record as a reply")
    assert record["href"].startswith(f"{item_url}/replies?")
    reply_form = html(client.get(record["href"]))
    quote = reply_form.select_one("textarea[name=quote], input[name=quote]")
    shown = quote.get_text() if quote.name == "textarea" else quote["value"]
    assert shown.startswith("The council denied that it had failed to warn families")
