"""The interactive API docs: Swagger UI at /docs, served from this origin. The library is
vendored in web/static/vendor (pinned, hashed in VERSIONS) and started by web/static/api-docs.js,
so the page holds no inline script and its policy names no other host.

There is no /redoc: ReDoc 2 shows a logo from its vendor's CDN and ReDoc 3 also sends usage
traces to its vendor, neither of which a reader of these docs should have to allow."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from service.web.static import static_url

router = APIRouter(include_in_schema=False, redirect_slashes=False)

OPENAPI_URL = "/openapi.json"
SWAGGER_JS = "vendor/swagger-ui-bundle-5.35.0.js"
SWAGGER_CSS = "vendor/swagger-ui-5.35.0.css"
START_JS = "api-docs.js"


def _page(title: str, body: str, *, styles: tuple[str, ...], scripts: tuple[str, ...]) -> str:
    links = "".join(f'<link rel="stylesheet" href="{static_url(css)}">' for css in styles)
    tags = "".join(f'<script src="{static_url(js)}" defer></script>' for js in scripts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="icon" href="{static_url("favicon.svg")}">{links}{tags}</head>'
        f"<body>{body}</body></html>"
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    body = f'<main id="swagger-ui" data-openapi="{OPENAPI_URL}"></main>'
    page = _page(
        "Accountability tracker API: Swagger UI",
        body,
        styles=(SWAGGER_CSS,),
        scripts=(SWAGGER_JS, START_JS),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
