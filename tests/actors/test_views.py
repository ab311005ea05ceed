"""An actor's page: its scorecard (outcome meters per kind) and its items."""

from __future__ import annotations

from bs4 import BeautifulSoup

ACTOR = "south-yorkshire-police"


def test_the_scorecard_and_items_agree_with_the_api(client) -> None:
    actor = client.get(f"/api/v1/actors/{ACTOR}").json()
    listed = client.get("/api/v1/items", params={"actor": ACTOR, "limit": 200}).json()
    response = client.get(f"/actors/{ACTOR}")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == actor["name"]
    assert page.select_one(".item__kind").get_text() == "Police force"

    cards = page.select(".scorecard .card")
    assert [c.h3.a.get_text() for c in cards] == ["Commitments", "Allegations", "Proposals"]
    for card, kind in zip(cards, ("commitment", "allegation", "proposal"), strict=True):
        counts = actor["scorecard"][kind]
        assert card.select_one(".card__total").get_text() == str(counts["total"])
        # The meter's words add up to the total, as many as the API's counts by status.
        shown = [int(s.get_text()) for s in card.select(".outcome__legend strong")]
        assert sum(shown) == counts["total"] == sum(counts["by_status"].values())

    titles = [
        a.get_text() for a in page.select("#actor-items-heading ~ div table.items .title-link")
    ]
    assert titles == [i["title"] for i in listed["items"]]
    assert page.select_one("#actor-items-heading").get_text() == f"Items ({listed['total']})"


def test_an_unknown_actor_is_a_404_page(client) -> None:
    response = client.get("/actors/nobody", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
