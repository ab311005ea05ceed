"""An actor's page: its scorecard (items by kind and phase) and its items."""

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

    rows = page.select("table.scorecard tbody tr")
    assert [r.th.get_text() for r in rows] == ["Commitments", "Allegations", "Proposals"]
    for row, kind in zip(rows, ("commitment", "allegation", "proposal"), strict=True):
        card = actor["scorecard"][kind]
        cells = [td.get_text() for td in row.select("td")]
        assert cells == [
            str(card["open"]),
            str(card["active"]),
            str(card["resolved"]),
            str(card["total"]),
        ]

    titles = [a.get_text() for a in page.select("table.items tbody td:first-child a")]
    assert titles == [i["title"] for i in listed["items"]]
    assert page.select_one("#actor-items-heading").get_text() == f"Items ({listed['total']})"


def test_an_unknown_actor_is_a_404_page(client) -> None:
    response = client.get("/actors/nobody", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
