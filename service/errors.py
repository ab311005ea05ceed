"""Domain errors, named by what went wrong, never by an HTTP status.

Services raise these; the web layer (`service.web.problems`) is the one place that turns each
class into a status code and a problem+json body, an error page, or messages beside form fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class TrackerError(Exception):
    """Base of every error the tracker reports to a client. `code` names the problem type."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    # Facts a client can act on, such as the item's current version after a conflict.
    extra: dict[str, Any] = field(default_factory=dict)
    code: ClassVar[str] = "error"
    title: ClassVar[str] = "Error"

    def __str__(self) -> str:
        return self.detail


class NotFound(TrackerError):
    code = "not-found"
    title = "Not found"


@dataclass
class Moved(TrackerError):
    """A slug that was changed: `slug` is the one it became (its URLs lead there)."""

    old_slug: str = ""
    slug: str = ""
    code: ClassVar[str] = "moved"
    title: ClassVar[str] = "Moved permanently"


class Invalid(TrackerError):
    """Input that breaks a rule; `errors` names each bad field."""

    code = "validation"
    title = "Invalid input"


class UnknownParameter(TrackerError):
    """A query parameter the route does not take: a misspelt filter is refused, not ignored
    (which would answer as if no filter had been asked for)."""

    code = "unknown-parameter"
    title = "Unknown query parameter"


class SourceChanged(Invalid):
    """An archived text is not the one its hash or a stored quote says it is."""

    code = "source-hash-mismatch"
    title = "Source changed"


class Conflict(TrackerError):
    """The change meets a state it did not expect: a stale version, a duplicate."""

    code = "conflict"
    title = "Conflict"


class PreconditionFailed(TrackerError):
    code = "precondition-failed"
    title = "Precondition failed"


class PreconditionRequired(TrackerError):
    code = "precondition-required"
    title = "Precondition required"


class Unauthenticated(TrackerError):
    code = "unauthorized"
    title = "Unauthorized"


class SignInFirst(TrackerError):
    """A dashboard page or form for signed-in users only: `detail` is where to come back to."""

    code = "sign-in"
    title = "Sign in first"


class Forbidden(TrackerError):
    code = "forbidden"
    title = "Forbidden"


class CsrfRejected(Forbidden):
    code = "csrf"


@dataclass
class RateLimited(TrackerError):
    retry_after: int = 60
    code: ClassVar[str] = "rate-limited"
    title: ClassVar[str] = "Too many requests"


@dataclass
class Busy(TrackerError):
    """The database could not take the change in time; trying again shortly will work."""

    detail: str = "The database is busy; try again shortly."
    retry_after: int = 1
    code: ClassVar[str] = "busy"
    title: ClassVar[str] = "Service unavailable"


class TooLarge(TrackerError):
    code = "too-large"
    title = "Content too large"


class Internal(TrackerError):
    code = "internal"
    title = "Internal error"


def not_found(what: str, ref: object) -> NotFound:
    return NotFound(f"No {what} {ref!s}.")


def invalid(*errors: FieldError, detail: str | None = None) -> Invalid:
    message = detail or "; ".join(f"{e.field}: {e.message}" for e in errors)
    return Invalid(message, list(errors))


def conflict(detail: str, *, current_version: int) -> Conflict:
    return Conflict(detail, extra={"current_version": current_version})


def precondition_failed(detail: str, *, current_version: int) -> PreconditionFailed:
    return PreconditionFailed(detail, extra={"current_version": current_version})


def require_version(what: str, *, current: int, asked: int) -> None:
    """An edit names the version it was made against (If-Match): any other is a failed
    precondition, with the current version to reload."""
    if current != asked:
        raise precondition_failed(
            f"The {what} is at version {current}, not {asked}.", current_version=current
        )
