"""Settings of the tracker, read once from TRACKER_ environment variables (and an optional .env)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "tracker.db"
MIN_SECRET_LENGTH = 32
# A tag URI's tagging entity (RFC 4151): a DNS name or an email address, a comma, a date.
_TAGGING_ENTITY = re.compile(
    r"(?:[A-Za-z0-9._%+-]+@)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r",[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"
)
# An origin as browsers send it: http or https, a host name (or IPv4, or [IPv6]), a port.
_ORIGIN = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # Signs session cookies and CSRF tokens. Outside production one is generated once and kept
    # in var/secret_key so that every worker agrees; production refuses to start without one.
    secret_key: str = ""
    # Public base URL used in absolute links (feeds, the CSV's links, reports, embeds). Not set:
    # `tracker serve` makes it http://HOST:PORT of what it listens on (8000 is the port it
    # listens on by default).
    base_url: str = "http://127.0.0.1:8000"
    # The tagging entity of the feeds' ids (`tag:` URIs, RFC 4151: a domain name or an email
    # address the tracker's owner held on a date, then that date), so that an entry keeps its
    # id when the tracker moves to another host name. Set it once, never change it.
    feed_authority: str = "tracker.invalid,2026"
    # The language of the feeds' text (`xml:lang`).
    feed_language: str = "en-GB"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    web_dir: Path = PROJECT_ROOT / "web"
    # Alembic's scripts; an installed (non-editable) tracker is told where they are.
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    # Login attempts allowed per client address and per username in a window.
    login_attempts: int = 5
    login_window_seconds: int = 60
    # Largest request body accepted, in bytes.
    max_body_bytes: int = 1024 * 1024
    # Host names the tracker answers to, comma-separated ("tracker.example.org,*.example.org");
    # other Host headers get 400. Empty: any host.
    trusted_hosts: str = ""
    # Addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed,
    # comma-separated ("10.0.0.5,10.0.0.6"; "*" for any). Empty: no proxy, the client's own
    # address is the one sign-ins are counted against.
    trusted_proxies: str = ""
    # Seconds a client has to send a request's head (from connecting, or from its first byte on
    # a kept-alive connection), then its body; past them it gets 408 and is disconnected.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    # Seconds a SQLite writer waits for the lock before giving up.
    sqlite_busy_timeout_seconds: float = 30.0
    # Heavy public reads (the whole table as CSV) running at once in a worker; past it, 503.
    heavy_reads_at_once: int = 2
    # Uploads read at once in a worker, each in a child process of its own; the rest wait.
    extract_concurrency: int = 2
    # Where finished CSV exports are kept (by ETag), and how many: a folder of this tracker's
    # own, made with mode 0700 and checked before each use (service/private_folder.py); one
    # that is a link, another user's or writable by others is not used (exports are then built
    # each time). Not set: one folder per database (see _export_folder_of_its_own).
    export_cache_dir: Path = PROJECT_ROOT / "var" / "exports"
    export_cache_files: int = 16
    # Bodies kept in each worker's response cache, keyed by (request, data version).
    response_cache_entries: int = 512
    # Origins whose pages may read the public API with GET and HEAD, comma-separated
    # ("https://news.example.org,https://example.com:8443"); writes stay same-origin. Empty: none.
    cors_origins: str = ""
    # Logs: `text` lines or one JSON object a line; one line per request on `tracker.access`.
    log_format: Literal["text", "json"] = "text"
    access_log: bool = False
    # Who may read /metrics: nobody (`off`, a 404), a bearer of `metrics_token` (`token`), or
    # anyone who can reach the tracker (`public`: for a private network, or behind a proxy that
    # keeps /metrics to itself).
    metrics: Literal["off", "token", "public"] = "off"
    metrics_token: str = ""
    # Where the workers of one `tracker serve --workers N` pool their counts (a folder a run).
    metrics_dir: Path = PROJECT_ROOT / "var" / "metrics"

    @model_validator(mode="after")
    def _metrics_token_is_safe(self) -> Settings:
        if self.metrics == "token" and len(self.metrics_token) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"TRACKER_METRICS=token needs TRACKER_METRICS_TOKEN of at least "
                f"{MIN_SECRET_LENGTH} characters: it has {len(self.metrics_token)}"
            )
        return self

    @model_validator(mode="after")
    def _export_folder_of_its_own(self) -> Settings:
        # Beside a SQLite database's file (var/tracker-exports for var/tracker.db); for another
        # database, under var/, named after it: two trackers never share one, nor evict each
        # other's files.
        if "export_cache_dir" not in self.model_fields_set:
            self.export_cache_dir = default_export_cache_dir(self.database_url)
        return self

    @model_validator(mode="after")
    def _secret_is_safe(self) -> Settings:
        if not self.secret_key:
            if self.env == "production":
                raise ValueError("TRACKER_SECRET_KEY must be set in production")
            self.secret_key = _local_secret(PROJECT_ROOT / "var" / "secret_key")
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the secret key must be at least {MIN_SECRET_LENGTH} characters "
                "(TRACKER_SECRET_KEY, or var/secret_key when it is not set): "
                f"it has {len(self.secret_key)}"
            )
        return self

    @model_validator(mode="after")
    def _cors_origins_are_origins(self) -> Settings:
        for origin in self.cors_origin_list:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"TRACKER_CORS_ORIGINS: {origin!r} is not an origin: write each as "
                    "scheme://host[:port] in lowercase, e.g. https://example.org "
                    "(no path, no trailing slash)"
                )
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @model_validator(mode="after")
    def _feed_authority_is_a_tagging_entity(self) -> Settings:
        if not _TAGGING_ENTITY.fullmatch(self.feed_authority):
            raise ValueError(
                f"TRACKER_FEED_AUTHORITY: {self.feed_authority!r} is not a tagging entity: write "
                "a domain name (or an email address) and a date it was held on, e.g. "
                "news.example.org,2026 or news.example.org,2026-05-01 (RFC 4151)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def trusted_host_names(self) -> list[str]:
        return [name.strip() for name in self.trusted_hosts.split(",") if name.strip()]

    @property
    def served_over_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def secure_cookies(self) -> bool:
        return self.served_over_https


def _local_secret(path: Path) -> str:
    """The secret kept in `path`, made on first use. It is written whole to a private temporary
    file beside it, then linked into place: several workers starting at once agree on one
    secret, and none ever reads a half-written or empty file."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another worker's secret is there first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()


def served_base_url(host: str, port: int) -> str:
    """The base URL of a server listening on `host` and `port` (one listening on every address
    is reached at localhost on its own machine)."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def default_export_cache_dir(database_url: str) -> Path:
    """The CSV export cache's folder of a database when none is configured."""
    match = re.fullmatch(r"sqlite(?:\+\w+)?:///(?!:memory:)([^?]+)(?:\?.*)?", database_url)
    if match:
        database = Path(match.group(1))
        return database.with_name(f"{database.stem}-exports")
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return PROJECT_ROOT / "var" / f"exports-{digest}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
