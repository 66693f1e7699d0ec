"""Shared fixtures for the Python reference tests (run through run_pytest.py)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "cosim", "reference"))

import bpe_tokenizer  # noqa: E402
import smollm2_ref  # noqa: E402

FRANCE = "What is the capital of France?"


@pytest.fixture(scope="session")
def model_path():
    path = os.environ.get("KILN_MODEL") or smollm2_ref.default_model_path()
    if not os.path.exists(path):
        pytest.skip(f"{path} not cached")
    return path


@pytest.fixture(scope="session")
def reader(model_path):
    from gguf import GGUFReader
    return GGUFReader(model_path)


@pytest.fixture(scope="session")
def tokenizer(reader):
    return bpe_tokenizer.BPETokenizer.from_gguf_reader(reader)


@pytest.fixture(scope="session")
def model32(model_path, reader):
    return smollm2_ref.LlamaReference(model_path, "fp32", reader=reader)


@pytest.fixture(scope="session")
def model64(model32):
    return model32.with_dtype("fp64")


@pytest.fixture(scope="session")
def france_ids(reader, tokenizer):
    system = bpe_tokenizer.default_system_prompt(reader.fields["tokenizer.chat_template"].contents())
    return tokenizer.encode(bpe_tokenizer.chatml_prompt(FRANCE, system))
