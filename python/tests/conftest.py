"""Shared fixtures: the bundled example tables and a fast training setting."""

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = {"model": "MOSTLY_AI/Small", "max_epochs": 2}
"""Training settings for tests: the pipeline, not the model's quality, is under test."""


@pytest.fixture
def titanic_path() -> Path:
    return EXAMPLES / "titanic.csv"


@pytest.fixture
def players_path() -> Path:
    return EXAMPLES / "baseball-players.csv"


@pytest.fixture
def batting_path() -> Path:
    return EXAMPLES / "baseball-batting.csv"


def prepare(engine, data, workspace, seed=None, **split_args):
    """split → analyze → encode of ``data`` into ``workspace`` (seeded when ``seed`` is given)."""
    if seed is not None:
        engine.set_random_state(seed)
    engine.split(data, workspace_dir=workspace, **split_args)
    engine.analyze(workspace_dir=workspace)
    engine.encode(workspace_dir=workspace)


def run_pipeline(engine, data, workspace, *, split_args=None, train_args=None, generate_args=None):
    """split → analyze → encode → train → generate on ``data``; returns generate's result."""
    prepare(engine, data, workspace, **(split_args or {}))
    engine.train(workspace_dir=workspace, **{**FAST, **(train_args or {})})
    return engine.generate(workspace_dir=workspace, **(generate_args or {}))
