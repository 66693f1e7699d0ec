"""Shared fixtures: one device per test process (SystemC elaborates once)."""
import os
import zlib

import numpy as np
import pytest

import kiln


@pytest.fixture(scope="session")
def dev():
    return kiln.Device(os.environ.get("KILN_TEST_BACKEND", "fast"))


@pytest.fixture
def rng(request):
    # Seeded by the test's name, so a failure reproduces when run alone.
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))
