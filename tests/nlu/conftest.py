"""One trained model per test session: training takes seconds, not milliseconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.model import NLUModel


@pytest.fixture(scope="session")
def model(nlu_model_path: Path) -> NLUModel:
    """The session's trained model (deterministic: the same as NLUModel.train(seed=0))."""
    return NLUModel.load(nlu_model_path)


@pytest.fixture(scope="session")
def model_file(model: NLUModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nlu") / "model.pkl"
    model.save(path)
    return path
