"""Shared pytest fixtures. Keep this file small: fixtures used by one file live in it."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded numpy Generator, so every test sees the same random numbers on every run."""
    return np.random.default_rng(231)
