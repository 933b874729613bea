"""Shared pytest fixtures. Keep this file small: fixtures used by one file live in it."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded numpy Generator, so every test sees the same random numbers on every run."""
    return np.random.default_rng(231)


@pytest.fixture(scope="session")
def student_kit(tmp_path_factory):
    """``autograder student-kit`` built once, away from the checkout: (folder, build summary).
    Used by the kit's own tests and by the leak scan."""
    from autograder import kit

    out = tmp_path_factory.mktemp("student_kit")
    return out, kit.build(out)
