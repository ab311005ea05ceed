"""A changed slug: the old address leads to the new one (301 for reads, from the API and the
pages), the change is in the item's history, and a slug that is taken, or a number, is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

ITEM = "syp-60-extra-officers-edl-protest"
SOURCE = "rotherham-cse-live-updates-lga-ofsted"
ACTOR = "south-yorkshire-police"


def test_an_editor_changes_a_slug_and_the_old_one_leads_to_the_new(client, editor_headers):
    public = TestClient(client.app)
    version = public.get(f"/api/v1/items/{ITEM}").json()["version"]
    response = client.patch(f"/api/v1/items/{ITEM}", json={"slug": "syp-officers-edl-protest"},
                            headers={**editor_headers, "If-Match": f'"{version}"'})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["slug"] == "syp-officers-edl-protest"
    # The query goes with it (here an ignored `_` parameter: an unknown one is a 400).
    for old, new in ((f"/items/{ITEM}", "/items/syp-officers-edl-protest"),
                     (f"/api/v1/items/{ITEM}/history?_x=1",
                      "/api/v1/items/syp-officers-edl-protest/history?_x=1")):  # fmt: skip
        moved = public.get(old, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (301, new)
    history = public.get("/api/v1/items/syp-officers-edl-protest").json()["history"]
    assert history[-1]["changes"]["slug"] == [ITEM, "syp-officers-edl-protest"]
    taken = client.patch("/api/v1/items/syp-officers-edl-protest",
                         json={"slug": "pcc-62-additional-cse-staff"},
                         headers={**editor_headers, "If-Match": f'"{version + 1}"'})  # fmt: skip
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "slug"
    # Sources and actors too.
    response = client.patch(f"/api/v1/sources/{SOURCE}", json={"slug": "lga-ofsted-live"},
                            headers={**editor_headers, "If-Match": '"1"'})  # fmt: skip
    assert response.status_code == 200, response.text
    moved = public.get(f"/sources/{SOURCE}", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/sources/lga-ofsted-live")
    response = client.patch(f"/api/v1/actors/{ACTOR}", json={"slug": "syp"},
                            headers={**editor_headers, "If-Match": '"1"'})  # fmt: skip
    assert response.status_code == 200, response.text
    moved = public.get(f"/api/v1/actors/{ACTOR}", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/api/v1/actors/syp")
    number = client.patch("/api/v1/items/syp-officers-edl-protest", json={"slug": "2015"},
                          headers={**editor_headers, "If-Match": f'"{version + 1}"'})  # fmt: skip
    assert number.status_code == 422 and number.json()["errors"][0]["field"] == "slug"
