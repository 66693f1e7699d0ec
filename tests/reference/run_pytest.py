#!/usr/bin/env python3
"""ctest entry point for the Python reference tests.

Exits 77 (ctest SKIP_RETURN_CODE) when the model is not cached, i.e. when the
reference.fetch_model test could not download it (no network); otherwise runs
pytest on the given arguments and returns its exit code.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "cosim", "reference"))

os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("KILN_REF_THREADS", "1"))

from smollm2_ref import default_model_path  # noqa: E402

model = os.environ.get("KILN_MODEL") or default_model_path()
if not os.path.exists(model):
    print(f"SKIP: {model} is not cached (scripts/fetch_model.sh could not fetch it)")
    sys.exit(77)

try:
    import pytest  # noqa: E402
except ImportError:
    print("pytest is not installed for this interpreter: run scripts/bootstrap.sh "
          f"(interpreter: {sys.executable})", file=sys.stderr)
    sys.exit(1)

sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", HERE, *sys.argv[1:]]))
