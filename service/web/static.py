"""Static files, with a content hash in every URL so that browsers may keep them for a year."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from service.config import get_settings

HTMX_FILE = "vendor/htmx-2.0.11.min.js"


class StaticFilesForever(StaticFiles):
    """Static files whose URLs carry a content hash (`?v=`): those may be cached for good."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


@lru_cache(maxsize=64)
def static_url(path: str) -> str:
    file = get_settings().web_dir / "static" / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"
