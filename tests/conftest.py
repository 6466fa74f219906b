import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("LETTERWORLD_NO_PROGRESS", "1")

import pytest  # noqa: E402

from letterworld.store import Store  # noqa: E402


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "campaign.db") as s:
        yield s


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, embedder):
    """The README's demo through `run`, with its translation sheet (no slides: tested elsewhere).
    Shared by every test module that reads the demo's store; tests copy the store to change it."""
    from letterworld.pipeline import demo_config, demo_inputs, demo_translations, run

    out = tmp_path_factory.mktemp("demo-run")
    return run(demo_inputs(), out, demo_config(), auto_approve=True, embedder=embedder, render=False,
               translation_sheets=demo_translations())


@pytest.fixture(scope="session")
def embedder():
    from letterworld.embedding import load_embedder

    return load_embedder()


from hypothesis import settings as _hypothesis_settings  # noqa: E402

# the same examples on every run (CI must not turn red by chance); explore with --hypothesis-seed
_hypothesis_settings.register_profile("letterworld", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.load_profile("letterworld")


# -- the studio ---------------------------------------------------------------------------
STUDIO_ROLES = ("admin", "moderator", "translator", "campaigner", "designer")


def studio_password(name: str) -> str:
    return f"password-of-{name}"


@pytest.fixture(scope="session")
def studio_template_db(demo_run, tmp_path_factory):
    """The demo's store with one account per role (named after the role) and a second
    moderator, `mod2`. Made once: Argon2 hashing is slow on purpose."""
    import shutil

    from letterworld.studio import auth

    db = tmp_path_factory.mktemp("studio") / "campaign.db"
    shutil.copy(demo_run.db, db)
    with Store(db) as s:
        for role in STUDIO_ROLES:
            auth.add_user(s, role, role, studio_password(role), actor="test")
        auth.add_user(s, "mod2", "moderator", studio_password("mod2"), actor="test")
    return db


@pytest.fixture
def studio_db(studio_template_db, tmp_path):
    """A copy of `studio_template_db` for one test; the campaign folder is tmp_path."""
    import shutil

    db = tmp_path / "campaign.db"
    shutil.copy(studio_template_db, db)
    return db


@pytest.fixture
def studio_app(studio_db, embedder):
    from letterworld.pipeline import DEMO_DIR
    from letterworld.studio import create_app

    return create_app(studio_db, config=DEMO_DIR / "campaign.toml", embedder=embedder)


@pytest.fixture
def studio_login(studio_app):
    """`studio_login("moderator")`: a TestClient signed in as that account, and its CSRF token."""
    import re

    from starlette.testclient import TestClient

    def login(name: str):
        client = TestClient(studio_app, base_url="http://127.0.0.1")
        r = client.post("/login", data={"name": name, "password": studio_password(name), "next": "/"})
        assert r.status_code == 200, r.text[:300]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)
        return client, csrf

    return login
