"""A source's page: the archived text exactly as stored, each quoted span highlighted and linked."""

from __future__ import annotations

from html.parser import HTMLParser

from bs4 import BeautifulSoup

from tests.support.seed import SOURCE


class ArchivedText(HTMLParser):
    """The text of the page's .source-text exactly as a browser reads it (BeautifulSoup
    tidies whitespace between tags), with the offsets that are highlighted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.in_mark = False
        self.text = ""
        self.marked: set[int] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag == "div"
            self.in_mark = self.in_mark or tag == "mark"
        elif tag == "div" and ("class", "source-text") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= tag == "div"
            self.in_mark = self.in_mark and tag != "mark"

    def handle_data(self, data: str) -> None:
        if self.depth:
            if self.in_mark:
                self.marked |= set(range(len(self.text), len(self.text) + len(data)))
            self.text += data


def test_the_text_is_shown_exactly_with_every_quote_highlighted_and_linked(client) -> None:
    source = client.get(f"/api/v1/sources/{SOURCE}").json()
    response = client.get(f"/sources/{SOURCE}")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == source["title"]
    assert page.select_one("code.hash").get_text() == source["sha256"]

    archived = ArchivedText()
    archived.feed(response.text)
    # Character for character, line breaks included (the stylesheet keeps them).
    assert archived.text == source["text"]
    text = page.select_one(".source-text")

    spans = source["quote_spans"]
    assert spans
    for span in spans:
        slug = span["item"]["slug"]
        anchor = page.select_one(f"#q-{slug}")
        assert anchor is not None, slug
        # The highlighted passages of this item, read in order, are its quote.
        assert anchor.name in ("mark", "span")
        listed = page.select_one(f".quoted__list a[href='/items/{slug}']")
        assert listed.get_text() == span["item"]["title"]
        assert listed.find_parent("li").select_one(f"a[href='#q-{slug}']") is not None
    # Each highlighted passage links to an item that quotes it.
    quoting = {(s["start"], s["end"]): s["item"]["slug"] for s in spans}
    for mark in text.select("mark"):
        assert mark.a["href"].removeprefix("/items/") in quoting.values()
    assert len(page.select(".quoted__list li")) == len(spans)
    # Everything highlighted is quoted by some item, and nothing quoted is left plain.
    covered = {i for s in spans for i in range(s["start"], s["end"])}
    assert archived.marked == covered


def test_an_unknown_source_is_a_404_page(client) -> None:
    response = client.get("/sources/no-such-source", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
