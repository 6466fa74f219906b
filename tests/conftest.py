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
