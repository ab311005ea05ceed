"""Users, passwords (argon2), API tokens (stored as SHA-256 hashes) and the login rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from service.accounts.models import ROLES, ApiToken, LoginAttempt, User
from service.config import get_settings
from service.db import table_of, utcnow
from service.errors import Busy, Conflict, FieldError, NotFound, RateLimited, invalid

TOKEN_PREFIX = "trk_"


@lru_cache
def _password_hashing(env: str) -> tuple[PasswordHasher, str]:
    """The password hasher of an environment, and the hash of a random password made with it.

    Every environment but `test` uses argon2's recommended parameters. Tests use the smallest
    costs instead: a hash with the recommended ones takes about 0.3 s, and the test suite
    creates a hundred users."""
    if env == "test":
        hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    else:
        hasher = PasswordHasher()
    # Verifying against this keeps a sign-in for an unknown user as slow as one for a known
    # user, so that timing does not tell whether a username exists.
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def password_hasher() -> PasswordHasher:
    return _password_hashing(get_settings().env)[0]


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a signed-in user, or an anonymous viewer (id None)."""

    user_id: int | None
    username: str | None
    role: str
    # The user's session version when this principal was read (0 for anonymous and tokens).
    session_version: int = 0

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "admin")


ANONYMOUS = Principal(None, None, "viewer")


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, user.role, user.session_version)


def create_user(session: Session, *, username: str, password: str, role: str) -> User:
    errors = []
    if role not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    if (
        not username
        or len(username) > 80
        or not username.isascii()
        or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        errors.append(FieldError("username", "letters, digits, '.', '-' and '_' only, 1 to 80"))
    errors += _password_errors(password)
    if errors:
        raise invalid(*errors)
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"User {username} already exists.")
    user = User(username=username, password_hash=password_hasher().hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def _password_errors(password: str) -> list[FieldError]:
    if len(password) < 12:
        return [FieldError("password", "must be at least 12 characters")]
    return []


def _existing_user(session: Session, *, username: str) -> User:
    user = get_user(session, username=username)
    if user is None:
        raise NotFound(f"No user {username}.")
    return user


def end_sessions(session: Session, *, user_id: int) -> None:
    """End every dashboard session of the user, on every device (API tokens are untouched)."""
    table = table_of(User)
    session.execute(
        sa.update(User)
        .where(table.c.id == user_id)
        .values(session_version=table.c.session_version + 1)
    )


def set_password(session: Session, *, username: str, password: str) -> User:
    """A new password; the user's sessions end."""
    user = _existing_user(session, username=username)
    if errors := _password_errors(password):
        raise invalid(*errors)
    user.password_hash = password_hasher().hash(password)
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, *, username: str, active: bool) -> User:
    """Disable (or enable again) a user; either way the user's sessions end."""
    user = _existing_user(session, username=username)
    user.is_active = active
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, *, username: str, role: str) -> User:
    """A new role; the user's sessions end, so that none keeps what the old role allowed."""
    if role not in ROLES:
        raise invalid(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    user = _existing_user(session, username=username)
    user.role = role
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, username: str, name: str = "api") -> str:
    """Make a new API token for the user; the token is returned once and stored only hashed."""
    user = get_user(session, username=username)
    if user is None:
        raise NotFound(f"No user {username}.")
    assert user.id is not None  # read from its table
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            prefix=token[:10],
            token_hash=hash_token(token),
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, *, token_or_prefix: str) -> int:
    """Revoke by the whole token or by its shown prefix; returns how many were revoked."""
    condition = (
        col(ApiToken.token_hash) == hash_token(token_or_prefix)
        if len(token_or_prefix) > 16
        else col(ApiToken.prefix) == token_or_prefix
    )
    # `exec`, the same call as `execute`, types an UPDATE's result as one with a row count.
    result = session.exec(
        sa.update(ApiToken)
        .where(condition, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def authenticate_token(connection: sa.Connection, *, token: str) -> Principal | None:
    # On every API write: a Core select on a bare connection, no session, no ORM bookkeeping,
    # and built once (a select built for each call costs more to key for the compiled-SQL
    # cache than the lookup costs to run).
    found = connection.execute(_TOKEN_OWNER, {"token_hash": hash_token(token)})
    row = found.first()
    return Principal(row.id, row.username, row.role) if row else None


_TOKEN_OWNER = (
    sa.select(col(User.id), col(User.username), col(User.role))
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .where(
        col(ApiToken.token_hash) == sa.bindparam("token_hash"),
        col(ApiToken.revoked_at).is_(None),
        col(User.is_active).is_(True),
    )
)


def principal_for_session(
    session: Session, *, user_id: int, session_version: int | None
) -> Principal | None:
    """The signed-in user of a dashboard session, unless the user is disabled or the session
    was ended (signed out, new password, new role) since it began."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != session_version:
        return None
    return _principal(user)


def check_login_allowed(session: Session, *, keys: list[str], limit: int, window: int) -> None:
    since = utcnow() - dt.timedelta(seconds=window)
    for key in keys:
        count = session.execute(
            sa.select(sa.func.count())
            .select_from(LoginAttempt)
            .where(col(LoginAttempt.key) == key, col(LoginAttempt.at) >= since)
        ).scalar_one()
        if count >= limit:
            raise RateLimited(
                "Too many failed sign-ins. Wait a minute and try again.", retry_after=window
            )


def verify_password(session: Session, *, username: str, password: str) -> Principal | None:
    """The user, if the password is theirs (as slow for an unknown user as for a known one)."""
    user = get_user(session, username=username)
    hasher, unknown_user_hash = _password_hashing(get_settings().env)
    try:
        hasher.verify(user.password_hash if user else unknown_user_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _principal(user) if user is not None and user.is_active else None


def record_failed_login(session: Session, *, keys: list[str]) -> None:
    now = utcnow()
    for key in keys:
        session.add(LoginAttempt(key=key, at=now))
    session.flush()


def reserve_login_attempt(
    session: Session, *, keys: list[str], limit: int, window: int
) -> list[int]:
    """Count a sign-in against every key before its password is checked (in a write
    transaction, so that sign-ins queue here across every worker): guesses sent at once cannot
    all pass the limit while the first ones are being hashed. The attempts' ids, for
    `forget_login_attempt` when the password turns out right or was never checked."""
    check_login_allowed(session, keys=keys, limit=limit, window=window)
    now = utcnow()
    # Attempts older than the window count for nothing: each sign-in clears them away, so the
    # table holds at most the last window's failures.
    since = now - dt.timedelta(seconds=window)
    session.execute(sa.delete(LoginAttempt).where(table_of(LoginAttempt).c.at < since))
    attempts = [LoginAttempt(key=key, at=now) for key in keys]
    session.add_all(attempts)
    session.flush()
    return [attempt.id for attempt in attempts if attempt.id is not None]


def forget_login_attempt(session: Session, *, ids: list[int]) -> None:
    """Take back a reserved attempt: only failures count against the limit."""
    session.execute(sa.delete(LoginAttempt).where(table_of(LoginAttempt).c.id.in_(ids)))


# argon2 takes tens of megabytes and a good part of a core for each check: a worker runs a few at
# once, and a sign-in that waits longer than a few seconds for its turn is told to come back.
PASSWORD_CHECKS_AT_ONCE = 4
PASSWORD_CHECK_WAIT_SECONDS = 5.0
_password_checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)


@contextmanager
def password_check_turn() -> Iterator[None]:
    if not _password_checks.acquire(timeout=PASSWORD_CHECK_WAIT_SECONDS):
        raise Busy("Too many sign-ins at once; try again in a moment.", retry_after=2)
    try:
        yield
    finally:
        _password_checks.release()
