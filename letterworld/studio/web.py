"""What every studio page shares: the app's state, one way to declare a page (its path, the
permission it needs, CSRF on every write), templates with autoescaping, flashes, downloads
confined to the campaign folder.

A page is a plain function `fn(req) -> Response` run in a worker thread with its own store
connection (SQLite connections are per thread), registered with `@page(path, permission)`:

    @page("/queue", "moderate")
    def queue(req): return req.render("queue.html", items=...)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..config import Config, load_config
from ..store import ACTOR, Store
from . import auth

COOKIE = "letterworld_session"
MAX_UPLOAD = 50 * 1024 * 1024  # bytes: a message file or a translation sheet
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


@dataclass
class Studio:
    """One running studio: the campaign store, its settings and its folder (uploads, exports)."""

    db: Path
    config_path: Path | None = None
    folder: Path = Path(".")
    secure_cookies: bool = False
    flashes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    jobs: Any = None  # jobs.Jobs, the background stage runs
    _embedder: Any = None

    def config(self) -> Config:
        return load_config(self.config_path)

    def store(self) -> Store:
        return Store(self.db)

    def embedder(self):
        """The embedder, loaded once per studio (the compose and themes stages need it)."""
        with self.lock:
            if self._embedder is None:
                from ..embedding import load_embedder

                self._embedder = load_embedder(self.config().embed.model)
            return self._embedder

    def inside(self, path: Path) -> Path:
        """`path` resolved, refused unless it lies inside the campaign folder (downloads and
        uploads never leave it, whatever a name says: '../', absolute paths, links)."""
        root = self.folder.resolve()
        p = (root / path).resolve()
        if p != root and root not in p.parents:
            raise PermissionError(f"{path} is outside the campaign folder")
        return p


_env = Environment(loader=PackageLoader("letterworld.studio", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass
class Req:
    """One request as a page sees it."""

    request: Request
    studio: Studio
    store: Store
    user: auth.User
    csrf: str
    form: FormData | None
    token: str

    @property
    def query(self):
        return self.request.query_params

    def field(self, name: str, default: str = "") -> str:
        v = self.form.get(name) if self.form is not None else None
        return default if v is None or isinstance(v, UploadFile) else str(v)

    def fields(self, name: str) -> list[str]:
        return [str(v) for v in (self.form.getlist(name) if self.form is not None else []) if not isinstance(v, UploadFile)]

    def upload(self, name: str) -> UploadFile | None:
        v = self.form.get(name) if self.form is not None else None
        return v if isinstance(v, UploadFile) and v.filename else None

    @property
    def wants_json(self) -> bool:
        return self.request.headers.get("accept", "").startswith("application/json")

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("HX-Request") == "true"

    def flash(self, text: str, kind: str = "ok") -> None:
        self.studio.flashes.setdefault(self.token, []).append((kind, text))

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flashes = [] if self.htmx else self.studio.flashes.pop(self.token, [])
        html = _env.get_template(template).render(
            user=self.user, csrf=self.csrf, flashes=flashes, path=self.request.url.path,
            can=self.user.can, **context)
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str) -> Response:
        if self.htmx:  # htmx follows a redirect by loading the page
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    def download(self, path: Path, name: str | None = None) -> Response:
        return FileResponse(self.studio.inside(path), filename=name or path.name)


PAGES: list[Route] = []


def page(path: str, permission: str = "view", methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Register a studio page: signed in, `permission` checked on the server, and for every
    method but GET a CSRF token that matches the session's."""

    def deco(fn: Callable[[Req], Response]) -> Callable[[Req], Response]:
        async def endpoint(request: Request) -> Response:
            form = None
            if request.method != "GET":
                if int(request.headers.get("content-length") or 0) > MAX_UPLOAD:
                    return HTMLResponse("upload too large", status_code=413)
                form = await request.form(max_files=4, max_fields=20000, max_part_size=MAX_UPLOAD)
            try:
                return await run_in_threadpool(_handle, fn, request, form, permission)
            finally:
                if form is not None:
                    await form.close()

        PAGES.append(Route(path, endpoint, methods=list(methods), name=fn.__name__))
        return fn

    return deco


def _handle(fn: Callable[[Req], Response], request: Request, form: FormData | None, permission: str) -> Response:
    studio: Studio = request.app.state.studio
    token = request.cookies.get(COOKIE, "")
    with studio.store() as store:
        found = auth.session_user(store, token)
        if found is None:
            if request.method == "GET" and not request.headers.get("HX-Request"):
                return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
            return HTMLResponse("not signed in", status_code=401)
        user, csrf = found
        if not user.can(permission):
            return HTMLResponse(f"{user.role} accounts may not do this ({permission})", status_code=403)
        if request.method != "GET":
            given = (form.get("csrf") if form is not None else None) or request.headers.get("X-CSRF-Token")
            if not auth.csrf_ok(csrf, given if isinstance(given, str) else None):
                return HTMLResponse("missing or wrong CSRF token: reload the page", status_code=403)
        acting = ACTOR.set(user.name)  # every audit record of this request names the user
        try:
            return fn(Req(request, studio, store, user, csrf, form, token))
        finally:
            ACTOR.reset(acting)


def render_plain(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page for someone not signed in (the login form)."""
    return HTMLResponse(_env.get_template(template).render(user=None, csrf="", flashes=[], can=lambda p: False,
                                                            **context), status_code=status)
