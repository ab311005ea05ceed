"""HTML in tests: pages are parsed, as a browser reads them, never grepped."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def html(response: Any) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def html_page(client: Any, path: str) -> BeautifulSoup:
    """GET `path`, which must answer 200 with HTML."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return html(response)
