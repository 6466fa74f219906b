"""`letterworld user add|list|disable` and `letterworld serve`'s defaults."""

import inspect

from typer.testing import CliRunner

from letterworld.cli import app
from letterworld.cli_studio import serve
from letterworld.store import Store
from letterworld.studio import auth


def test_user_commands_hash_the_password_and_disable_ends_sessions(tmp_path):
    db = tmp_path / "campaign.db"
    run = CliRunner().invoke
    r = run(app, ["user", "add", "ana", "--role", "moderator", "--db", str(db), "--password-stdin"],
            input="a good long password\n")
    assert r.exit_code == 0, r.output
    r = run(app, ["user", "add", "ana", "--role", "moderator", "--db", str(db), "--password-stdin"], input="x" * 12 + "\n")
    assert r.exit_code == 2 and "exists" in r.output
    r = run(app, ["user", "add", "bo", "--role", "boss", "--db", str(db), "--password-stdin"], input="x" * 12 + "\n")
    assert r.exit_code == 2 and "unknown role" in r.output
    with Store(db) as s:
        token, _ = auth.login(s, "ana", "a good long password", "test")
        assert auth.session_user(s, token)[0].name == "ana"
    listed = run(app, ["user", "list", "--db", str(db)]).output
    assert "ana" in listed and "moderator" in listed and "active" in listed
    assert run(app, ["user", "disable", "ana", "--db", str(db)]).exit_code == 0
    with Store(db) as s:
        assert auth.session_user(s, token) is None
    assert "disabled" in run(app, ["user", "list", "--db", str(db)]).output


def test_serve_listens_only_on_this_machine_by_default():
    assert inspect.signature(serve).parameters["host"].default.default == "127.0.0.1"
