"""`letterworld serve` (the studio) and `letterworld user ...` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .cli_common import CONFIG, DB, echo, fail, open_store

user_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Studio accounts: add, list, disable.")


def _password(stdin: bool) -> str:
    if stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("password", hide_input=True)
    if typer.prompt("again", hide_input=True) != first:
        fail("the two passwords differ")
    return first


@user_app.command("add")
def user_add(name: str = typer.Argument(..., help="login name"),
             role: str = typer.Option(..., "--role", help="admin, moderator, translator, campaigner or designer"),
             db: Path = DB, password_stdin: bool = typer.Option(False, "--password-stdin",
                                                                help="read the password from stdin")) -> None:
    """Add a studio account; the password is read from a prompt (or stdin) and stored as an Argon2 hash.

    Example: letterworld user add ana --role moderator --db campaign.db"""
    from .studio import auth

    with open_store(db, must_exist=False) as store:
        try:
            auth.add_user(store, name, role, _password(password_stdin), actor="cli")
        except auth.AuthError as exc:
            fail(str(exc))
    echo(f"user {name} ({role}) added")


@user_app.command("list")
def user_list(db: Path = DB) -> None:
    """Accounts, their roles and whether they are disabled.

    Example: letterworld user list --db campaign.db"""
    from .studio import auth

    with open_store(db) as store:
        rows = auth.users(store)
    if not rows:
        echo("no accounts yet: letterworld user add NAME --role admin")
    for r in rows:
        echo(f"{r['name']:<20} {r['role']:<11} {'disabled' if r['disabled'] else 'active':<9} "
             f"added {r['created_at']} by {r['created_by']}")


@user_app.command("disable")
def user_disable(name: str = typer.Argument(...), db: Path = DB,
                 enable: bool = typer.Option(False, "--enable", help="enable the account again")) -> None:
    """Disable an account (its sessions end at once), or --enable it again.

    Example: letterworld user disable ana --db campaign.db"""
    from .studio import auth

    with open_store(db) as store:
        try:
            auth.set_disabled(store, name, not enable, actor="cli")
        except auth.AuthError as exc:
            fail(str(exc))
    echo(f"user {name} {'enabled' if enable else 'disabled'}")


def serve(db: Path = DB, config: Optional[Path] = CONFIG,
          host: str = typer.Option("127.0.0.1", help="address to listen on (only this machine by default)"),
          port: int = typer.Option(8000, help="port"),
          folder: Optional[Path] = typer.Option(None, help="campaign folder for uploads and exports "
                                                           "(default: the store's folder)"),
          secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                              help="mark cookies Secure (behind a TLS reverse proxy)")) -> None:
    """Start the studio, the web app for moderators, translators, campaigners and designers.

    Example: letterworld serve --db campaign.db --config campaign.toml"""
    import uvicorn

    from .studio import create_app

    with open_store(db) as store:
        if not store.db.execute("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0").fetchone():
            echo("no admin account yet: letterworld user add NAME --role admin --db " + str(db), err=True)
    app = create_app(db, config=config, folder=folder, secure_cookies=secure_cookies)
    echo(f"letterworld studio on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True, forwarded_allow_ips="127.0.0.1")
