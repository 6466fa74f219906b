"""Accounts, roles, sessions, CSRF and login rate limiting for the studio.

Passwords are hashed with Argon2id (argon2-cffi, memory-hard: a stolen store does not give
passwords up cheaply); a session cookie holds a random token of which only the SHA-256 is
stored; every session has its own CSRF token, which every write must send back (a form field
or the `X-CSRF-Token` header); failed logins are counted per account and per client and
refused for a while after too many."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..store import Store, now

ROLES = ("admin", "moderator", "translator", "campaigner", "designer")
# what each kind of work needs; admin may do everything
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ROLES,
    "moderate": ("admin", "moderator"),
    "translate": ("admin", "translator", "campaigner"),
    "compose": ("admin", "campaigner"),
    "design": ("admin", "designer", "campaigner"),
    "pipeline": ("admin", "campaigner"),
    "users": ("admin",),
}
SESSION_HOURS = 12
MAX_FAILURES = 5  # per account (or per client) in FAILURE_WINDOW seconds
FAILURE_WINDOW = 300
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory defaults


class AuthError(ValueError):
    """A login, account or permission problem, worded for the person who hit it."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool

    def can(self, permission: str) -> bool:
        return not self.disabled and self.role in PERMISSIONS[permission]


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise AuthError(f"{name!r}: a user name is 1-64 letters, digits and . _ - @")
    if name.startswith("rule"):
        raise AuthError("user names starting with 'rule' are reserved for automatic rules")
    return name


def add_user(store: Store, name: str, role: str, password: str, *, actor: str) -> User:
    name = _check_name(name)
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password has at least {MIN_PASSWORD} characters")
    with store.transaction(immediate=True):
        if store.db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AuthError(f"user {name!r} exists; `letterworld user list` shows who")
        store.db.execute("INSERT INTO users VALUES (?,?,?,?,?,?)", (name, role, _hasher.hash(password), 0, now(), actor))
        store.audit("user-add", f"user:{name}", detail={"role": role}, actor=actor)
    return User(name, role, False)


def users(store: Store) -> list[dict]:
    return [dict(r) for r in store.db.execute(
        "SELECT name, role, disabled, created_at, created_by FROM users ORDER BY name")]


def set_disabled(store: Store, name: str, disabled: bool, *, actor: str) -> None:
    with store.transaction(immediate=True):
        if store.db.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name)).rowcount == 0:
            raise AuthError(f"no user {name!r}")
        if disabled:  # a disabled account's sessions end at once
            store.db.execute("DELETE FROM sessions WHERE user = ?", (name,))
        store.audit("user-disable" if disabled else "user-enable", f"user:{name}", actor=actor)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(store: Store, name: str, password: str, client: str) -> tuple[str, str]:
    """A new session for a correct name and password: (cookie token, CSRF token). Refused, with
    the same words whether the name exists or not, after MAX_FAILURES failures in a row."""
    t = time.time()
    recent = store.db.execute("SELECT count(*) FROM login_failures WHERE (name = ? OR client = ?) AND at >= ?",
                              (name, client, t - FAILURE_WINDOW)).fetchone()[0]
    if recent >= MAX_FAILURES:
        raise AuthError(f"too many failed logins; try again in {FAILURE_WINDOW // 60} minutes")
    row = store.db.execute("SELECT password_hash, disabled FROM users WHERE name = ?", (name,)).fetchone()
    try:  # verified outside any write lock: Argon2 takes a while on purpose
        ok = row is not None and _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row["disabled"]:
        with store.transaction():  # committed before refusing: it counts for the limit
            store.db.execute("DELETE FROM login_failures WHERE at < ?", (t - FAILURE_WINDOW,))
            store.db.execute("INSERT INTO login_failures (name, client, at) VALUES (?,?,?)", (name, client, t))
            store.audit("login-failed", f"user:{name}", detail={"client": client}, actor=name or "?")
        raise AuthError("wrong name or password" if not ok else "this account is disabled")
    with store.transaction():
        store.db.execute("DELETE FROM login_failures WHERE name = ?", (name,))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (datetime.now(timezone.utc) + timedelta(hours=SESSION_HOURS)).replace(microsecond=0).isoformat()
        store.db.execute("INSERT INTO sessions VALUES (?,?,?,?,?)", (_digest(token), name, csrf, now(), expires))
        store.audit("login", f"user:{name}", detail={"client": client}, actor=name)
    return token, csrf


def session_user(store: Store, token: str | None) -> tuple[User, str] | None:
    """The live session's user and CSRF token, or None (no cookie, expired, disabled)."""
    if not token:
        return None
    row = store.db.execute(
        "SELECT u.name, u.role, u.disabled, s.csrf FROM sessions s JOIN users u ON u.name = s.user "
        "WHERE s.token_hash = ? AND s.expires_at > ?", (_digest(token), now())).fetchone()
    if row is None or row["disabled"]:
        return None
    return User(row["name"], row["role"], False), row["csrf"]


def logout(store: Store, token: str) -> None:
    with store.transaction():
        store.db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)
