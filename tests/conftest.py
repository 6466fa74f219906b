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
