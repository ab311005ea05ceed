"""Domain errors and the one place that shapes them into problem+json (RFC 9457) or an error page.

Service functions raise these; handlers never build error responses themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class TrackerError(Exception):
    """Base of every error the tracker reports to a client."""

    detail: str
    status: int = 400
    title: str = "Bad request"
    code: str = "bad-request"
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail

    def as_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_json() for e in self.errors]
        body.update(self.extra)
        return body


def not_found(what: str, ref: object) -> TrackerError:
    return TrackerError(f"No {what} {ref!s}.", 404, "Not found", "not-found")


def invalid(*errors: FieldError, detail: str | None = None) -> TrackerError:
    message = detail or "; ".join(f"{e.field}: {e.message}" for e in errors)
    return TrackerError(message, 422, "Invalid input", "validation", list(errors))


def conflict(detail: str, *, current_version: int) -> TrackerError:
    return TrackerError(
        detail, 409, "Conflict", "conflict", extra={"current_version": current_version}
    )


def precondition_failed(detail: str, *, current_version: int) -> TrackerError:
    return TrackerError(
        detail,
        412,
        "Precondition failed",
        "precondition-failed",
        extra={"current_version": current_version},
    )


def precondition_required(detail: str) -> TrackerError:
    return TrackerError(detail, 428, "Precondition required", "precondition-required")


def unauthorized(detail: str = "Sign in or send a valid bearer token.") -> TrackerError:
    return TrackerError(
        detail, 401, "Unauthorized", "unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )


def forbidden(detail: str = "Editors and admins only.") -> TrackerError:
    return TrackerError(detail, 403, "Forbidden", "forbidden")


def too_many_requests(detail: str, *, retry_after: int) -> TrackerError:
    return TrackerError(
        detail,
        429,
        "Too many requests",
        "rate-limited",
        headers={"Retry-After": str(retry_after)},
    )


def busy() -> TrackerError:
    return TrackerError(
        "The database is busy; try again shortly.",
        503,
        "Service unavailable",
        "busy",
        headers={"Retry-After": "1"},
    )
