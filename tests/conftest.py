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
def embedder():
    from letterworld.embedding import load_embedder

    return load_embedder()


from hypothesis import settings as _hypothesis_settings  # noqa: E402

# the same examples on every run (CI must not turn red by chance); explore with --hypothesis-seed
_hypothesis_settings.register_profile("letterworld", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.load_profile("letterworld")
