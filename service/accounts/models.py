"""Users and their API tokens (tokens are stored only as SHA-256 hashes)."""

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow

# viewer: reads (everyone, with no account); editor: changes items; admin: also users, sources.
ROLES: Final = ("viewer", "editor", "admin")

_roles = ", ".join(f"'{r}'" for r in ROLES)


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint(f"role IN ({_roles})", name="role_known"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    is_active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Stored in each dashboard session at sign-in; a session holding an older number is over.
    # Signing out, a new password, a new role, disabling or enabling the user move it on.
    session_version: int = 0


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=120)
    # Shown to the owner so that they can tell tokens apart; the token itself is never stored.
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, counted per key (client address or username) to rate-limit logins
    across every worker."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
