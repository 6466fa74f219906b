"""The studio's ASGI app: `create_app(db)` gives a Starlette app over one campaign store.
`letterworld serve` runs it with uvicorn on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import auth
from .jobs import Jobs
from .web import COOKIE, CSP, PAGES, Studio, render_plain


class SecurityHeaders:
    """A Content-Security-Policy without inline script on every response, and no framing or
    MIME sniffing: message text is untrusted, and a page must never run what it shows."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                            (b"cache-control", b"no-store")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _safe_next(url: str) -> str:
    """Only a path on this site (no `//evil.example`, no scheme)."""
    p = urlparse(url)
    return url if url.startswith("/") and not url.startswith("//") and not p.scheme and not p.netloc else "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


async def login_page(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    nxt = _safe_next(request.query_params.get("next", "/"))
    if request.method == "GET":
        return render_plain("login.html", next=nxt, error="")
    form = await request.form(max_files=0, max_fields=10)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    nxt = _safe_next(str(form.get("next", "/")))

    def attempt():
        with studio.store() as store:
            return auth.login(store, name, password, _client(request))

    try:
        token, _ = await run_in_threadpool(attempt)
    except auth.AuthError as exc:
        status = 429 if "too many" in str(exc) else 403 if "disabled" in str(exc) else 401
        return render_plain("login.html", status=status, next=nxt, error=str(exc))
    resp = RedirectResponse(nxt, status_code=303)
    resp.set_cookie(COOKIE, token, max_age=auth.SESSION_HOURS * 3600, httponly=True, samesite="strict",
                    secure=studio.secure_cookies, path="/")
    return resp


async def logout_page(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    token = request.cookies.get(COOKIE, "")
    form = await request.form(max_files=0, max_fields=4)

    def end():
        with studio.store() as store:
            found = auth.session_user(store, token)
            if found and auth.csrf_ok(found[1], str(form.get("csrf", ""))):
                auth.logout(store, token)
                return True
            return False

    if not await run_in_threadpool(end):
        return Response("missing or wrong CSRF token", status_code=403)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


def create_app(db: str | Path, *, config: str | Path | None = None, folder: str | Path | None = None,
               secure_cookies: bool = False, embedder=None) -> Starlette:
    """The studio over the campaign store `db`; `folder` (default: the store's folder) is where
    uploads and exports go and the only place downloads come from."""
    from . import pages  # noqa: F401  registers every page

    db = Path(db)
    studio = Studio(db=db, config_path=Path(config) if config else None,
                    folder=Path(folder) if folder else db.parent, secure_cookies=secure_cookies)
    studio._embedder = embedder  # tests share one loaded model; None: loaded on first need
    studio.jobs = Jobs(studio)
    with studio.store():  # create or migrate before the first request
        pass
    static = Path(__file__).parent / "static"
    routes = [Route("/login", login_page, methods=["GET", "POST"]), Route("/logout", logout_page, methods=["POST"]),
              Mount("/static", StaticFiles(directory=static), name="static"), *PAGES]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.studio = studio
    return app
