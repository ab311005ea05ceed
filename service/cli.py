"""The `tracker` command: serve, migrate, seed, manage users and tokens, export and import."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.config import get_settings, served_base_url
from service.errors import TrackerError

if TYPE_CHECKING:
    from sqlmodel import Session

    from service.accounts.models import User

app = typer.Typer(help="Accountability tracker.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
suggestions_app = typer.Typer(help="Suggested claims of the sources.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(suggestions_app, name="suggestions")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes.")] = False,
) -> None:
    """Serve the tracker with uvicorn. X-Forwarded-For and X-Forwarded-Proto are believed only
    from the addresses in TRACKER_TRUSTED_PROXIES (none by default): otherwise any client, one
    on this machine included, could pick the address its sign-ins are counted against."""
    import uvicorn

    from service.web.server import DeadlineHttpProtocol, check_uvicorn

    try:
        check_uvicorn()
    except RuntimeError as exc:
        raise _fail(str(exc)) from None
    if "base_url" not in get_settings().model_fields_set:
        # No TRACKER_BASE_URL: absolute links (feeds, the CSV, embeds) name the address served
        # here. Set in the environment, so that every worker process reads the same.
        os.environ["TRACKER_BASE_URL"] = served_base_url(host, port)
        get_settings.cache_clear()
    trusted = get_settings().trusted_proxies.strip()
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
        access_log=False,
        # Deadlines for reading each request (service/web/server.py).
        http=DeadlineHttpProtocol,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up (to the newest schema by default)."""
    from service import migrate

    migrate.upgrade(revision=revision)
    typer.echo(f"database upgraded to {revision}")
    if revision == "head":
        # Suggestions are stored with the method that computed them: a new method's come now,
        # not on a request.
        computed = _recompute(every=False)
        if computed:
            typer.echo(f"suggestions computed for {computed} sources")


def _recompute(*, every: bool) -> int:
    from service.db import write_session
    from service.sources import suggestions

    with write_session() as session:
        return suggestions.refresh(session, every=every)


@suggestions_app.command("recompute")
def suggestions_recompute(
    every: Annotated[
        bool, typer.Option("--all", help="Every source, not only those computed otherwise.")
    ] = False,
) -> None:
    """Compute the suggested claims of the sources whose suggestions are missing or were made
    by another version of the method (of every source with --all)."""
    typer.echo(f"suggestions computed for {_recompute(every=every)} sources")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument()] = "-1",
    force: Annotated[
        bool, typer.Option("--force", help="Go down even where rows are lost on the way.")
    ] = False,
) -> None:
    """Migrate the database down (one step by default; `base` empties it). Every step's losses
    are counted first: if any step would lose rows or values (replies, withheld names, which
    would make the names public again, links, audit entries, whole tables...), nothing is done
    and each is named, unless --force; a step that would make a draft public is refused even
    then."""
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    from service import migrate

    try:
        migrate.downgrade(revision=revision, force=force)
    except migrate.DowngradeLoses as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except (CommandError, RevisionError) as exc:  # no such revision, or not below this one
        raise _fail(str(exc)) from None
    typer.echo(f"database downgraded to {revision}")


@app.command()
def seed() -> None:
    """Load the archived sources, actors and items from seeds/ (idempotent)."""
    from service import seeds
    from service.db import write_session

    try:
        with write_session() as session:
            report = seeds.load(session, seeds_dir=get_settings().seeds_dir)
    except TrackerError as exc:
        raise _fail(exc.detail) from None
    typer.echo(f"seed loaded: {report}")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _password(from_stdin: bool) -> str:
    """The password: a line of standard input with --password-stdin; asked for twice, unseen,
    at a terminal; never an argument (it would stay in the shell's history and `ps`)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if _interactive():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    raise _fail("give --password-stdin and the password on standard input", 2)


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="Username (public: shown on every change).")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user. The password is asked for at a terminal, or read from standard input
    with --password-stdin; never from the command line.
    The username is public: every change the user makes is shown as made by it."""
    from service.accounts import service as accounts
    from service.db import write_session

    password = _password(password_stdin)
    try:
        with write_session() as session:
            user = accounts.create_user(session, username=name, password=password, role=role)
            typer.echo(f"created {user.role} {user.username}")
    except TrackerError as exc:
        raise _fail(exc.detail) from None


@users_app.command("set-password")
def users_set_password(
    name: Annotated[str, typer.Argument(help="Username (public: shown on every change).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Give a user a new password (read from standard input); the user's sessions end."""
    from service.accounts import service as accounts

    password = _password(password_stdin)
    _change_user(
        lambda s: accounts.set_password(s, username=name, password=password), "new password for"
    )


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Disable a user: their sessions and API tokens stop working at once."""
    from service.accounts import service as accounts

    _change_user(lambda s: accounts.set_active(s, username=name, active=False), "disabled")


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Enable a disabled user again (they sign in afresh)."""
    from service.accounts import service as accounts

    _change_user(lambda s: accounts.set_active(s, username=name, active=True), "enabled")


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="Username (public: shown on every change).")],
    role: Annotated[str, typer.Argument(help="viewer, editor or admin.")],
) -> None:
    """Change a user's role; the user's sessions end."""
    from service.accounts import service as accounts

    _change_user(lambda s: accounts.set_role(s, username=name, role=role), f"role {role} for")


def _change_user(change: Callable[[Session], User], done: str) -> None:
    from service.db import write_session

    try:
        with write_session() as session:
            user = change(session)
            typer.echo(f"{done} {user.username} (their sessions have ended)")
    except TrackerError as exc:
        raise _fail(exc.detail) from None


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="Username the token acts for.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Create an API token for a user; the token is printed once, as the last line."""
    from service.accounts import service as accounts
    from service.db import write_session

    try:
        with write_session() as session:
            token = accounts.create_token(session, username=name, name=label)
    except TrackerError as exc:
        raise _fail(exc.detail) from None
    typer.echo(f"token for {name} (store it now; it is not shown again):")
    typer.echo(token)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token, or the prefix shown for it.")],
) -> None:
    """Revoke an API token at once."""
    from service.accounts import service as accounts
    from service.db import write_session

    with write_session() as session:
        count = accounts.revoke_token(session, token_or_prefix=token)
    if count == 0:
        raise _fail("no active token matches")
    typer.echo(f"revoked {count} token(s)")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="File to write the copy to (must not exist).")],
) -> None:
    """Copy the live SQLite database to PATH with SQLite's online backup API (consistent while
    the tracker runs). For PostgreSQL use pg_dump."""
    from service.system import backup as transfer

    settings = get_settings()
    try:
        transfer.backup_sqlite(
            settings.database_url, path, busy_timeout_seconds=settings.sqlite_busy_timeout_seconds
        )
    except TrackerError as exc:
        raise _fail(exc.detail) from None
    typer.echo(str(transfer.backup_report(path)))


@app.command("export")
def export_data(
    path: Annotated[
        Path | None, typer.Argument(help="File to write (standard output when omitted).")
    ] = None,
) -> None:
    """Write every table to JSON (ids, timestamps and order kept; the same data gives the same
    bytes). It holds password and token hashes: keep it private."""
    from service.db import get_engine
    from service.system import backup as transfer

    if path is None:
        transfer.export_json(get_engine(), sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    try:
        counts = transfer.write_export(get_engine(), path)
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror}") from None
    typer.echo(f"exported {sum(counts.values())} rows to {path}", err=True)


@app.command("import")
def import_data(
    path: Annotated[Path, typer.Argument(help="An export file (`-` for standard input).")],
) -> None:
    """Load an export into an empty, migrated database (run `tracker db upgrade` first). Its
    texts are checked as `tracker seed` checks them (each source's SHA-256, each quote at its
    offsets): the first mismatch is named and nothing is imported."""
    from service.db import get_engine
    from service.system import backup as transfer

    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None
    try:
        counts = transfer.import_json(get_engine(), data)
    except TrackerError as exc:
        raise _fail(exc.detail) from None
    shown = ", ".join(f"{name}: {count}" for name, count in counts.items())
    typer.echo(f"imported {sum(counts.values())} rows ({shown})")


@app.command()
def report(
    url: Annotated[str, typer.Option(help="The tracker to read, e.g. https://tracker.example.")],
    since: Annotated[
        str | None, typer.Option(help="The last N days, today included (e.g. 7d; the default).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="The first day (UTC), e.g. 2026-01-01.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="The last day (UTC); by default today.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder to write report.md and report.html to.")] = (
        Path(".")
    ),
) -> None:
    """Write the report of a window of days (report.md and a self-contained report.html) from
    any tracker's public JSON API. Answers are kept in OUT/.cache and asked for again with
    If-None-Match."""
    from service.reports import remote
    from service.reports.window import window_of, window_since

    if since is not None and (start is not None or end is not None):
        raise _fail("give --since or --from/--to, not both")
    try:
        if start is None and end is None:
            window = window_since(since or "7d")
        else:
            window = window_of(start, end)
    except TrackerError as exc:
        raise _fail(exc.detail) from None
    reader = remote.Reader(url, cache_dir=out / ".cache")
    try:
        made = remote.report_from(reader, window)
        md, page = remote.write(made, base_url=url, out=out)
    except remote.Unreachable as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write to {out}: {exc.strerror}") from None
    typer.echo(f"wrote {md} and {page} ({window.start} to {window.end})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
