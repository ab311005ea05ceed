"""Every editor action leaves a trace, with its editor: links made and removed, names withheld and
shown again, a source's metadata and an actor corrected, suggestions dismissed and taken back,
items published, corrected and retracted, drafts deleted. Editors read them at /audit and its
JSON twin; the public reads neither, and sees the public ones (links, corrections) in the items'
histories."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

OTHER = "gov-cse-national-threat"
NAME_SOURCE = "rotherham-cse-live-updates-lga-ofsted"
NAME_ITEM = "syp-60-extra-officers-edl-protest"


def test_every_editors_action_is_in_the_audit_with_its_editor(client, editor_headers) -> None:
    h = editor_headers
    published_on = client.get(f"/api/v1/sources/{SOURCE}").json()["published_on"]

    def ok(response, status: int = 200) -> None:
        assert response.status_code == status, response.text

    ok(client.post(f"/api/v1/items/{ITEM}/links", json={"relation": "related", "target": OTHER},
                   headers=h), 201)  # fmt: skip
    ok(client.delete(f"/api/v1/items/{ITEM}/links/related/{OTHER}", headers=h), 204)
    withheld = client.post(f"/api/v1/items/{NAME_ITEM}/withheld-names",
                           json={"name": "Margaret Crofts"}, headers=h)  # fmt: skip
    ok(withheld, 201)
    ok(client.delete(f"/api/v1/items/{NAME_ITEM}/withheld-names/{withheld.json()['id']}",
                     headers=h), 204)  # fmt: skip
    ok(client.patch(f"/api/v1/sources/{SOURCE}", json={"published_on": "2015-02-04"},
                    headers={**h, "If-Match": '"1"'}))  # fmt: skip
    ok(client.patch(f"/api/v1/actors/{ACTOR}", json={"aliases": ["the PCC"]},
                    headers={**h, "If-Match": '"1"'}))  # fmt: skip
    candidate = client.get(f"/api/v1/sources/{SOURCE}/candidates").json()["candidates"][0]["id"]
    ok(client.post(f"/api/v1/sources/{SOURCE}/candidates/{candidate}/dismiss", headers=h))
    ok(client.post(f"/api/v1/sources/{SOURCE}/candidates/{candidate}/restore", headers=h))
    body = {"kind": "commitment", "title": "A draft", "actor": ACTOR, "source": SOURCE,
            "quote": QUOTE, "publication": "draft"}  # fmt: skip
    draft = client.post("/api/v1/items", json=body, headers=h).json()["slug"]
    ok(client.post(f"/api/v1/items/{draft}/publish", headers=h))
    version = client.get(f"/api/v1/items/{draft}").json()["version"]
    ok(client.post(f"/api/v1/items/{draft}/corrections", json={"note": "Correction: a typo.",
                   "title": "A pledge"}, headers={**h, "If-Match": f'"{version}"'}))  # fmt: skip
    ok(client.post(f"/api/v1/items/{draft}/retract", json={"reason": "Never a pledge."},
                   headers=h))  # fmt: skip
    second = client.post("/api/v1/items", json={**body, "title": "Another"}, headers=h)
    ok(client.delete(f"/api/v1/items/{second.json()['slug']}", headers=h), 204)

    audit = client.get("/api/v1/audit", headers=h)
    ok(audit)
    done = [(e["action"], e["by"]) for e in reversed(audit.json()["entries"])]
    assert done == [
        (action, "editor")
        for action in (
            "link_added", "link_removed", "name_withheld", "name_shown", "source_corrected",
            "actor_corrected", "suggestion_dismissed", "suggestion_restored", "item_published",
            "item_corrected", "item_retracted", "draft_deleted",
        )
    ]  # fmt: skip
    entries = {e["action"]: e for e in audit.json()["entries"]}
    assert entries["source_corrected"]["detail"] == {"published_on": [published_on, "2015-02-04"]}
    assert entries["name_withheld"]["detail"] == {"name": "Margaret Crofts"}
    # The public's: in the items' histories; the audit is for editors only.
    public = TestClient(client.app)
    assert public.get("/api/v1/audit").status_code == 401
    assert public.get("/audit", follow_redirects=False).status_code == 303
    kinds = [e["type"] for e in public.get(f"/api/v1/items/{ITEM}").json()["history"]]
    assert kinds.count("link") == 2
    editor = TestClient(client.app)
    sign_in(editor)
    rows = html(editor.get("/audit")).select("table.audit tbody tr")
    assert len(rows) == 12
    says = {r.select_one("[data-label=What]").get_text(strip=True): r for r in rows}
    assert "Withheld a name" in says
    # A deleted draft has no page: its row names it without a link to a 404.
    deleted = says["Deleted a draft"].select_one("[data-label=On]")
    assert deleted.select("a") == [] and second.json()["slug"] in deleted.get_text()
    assert says["Published an item"].select_one("[data-label=On] a")["href"] == f"/items/{draft}"
