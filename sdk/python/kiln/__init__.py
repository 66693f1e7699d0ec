"""Kiln NPU SDK for Python (docs/python.md).

    import numpy as np, kiln
    dev = kiln.Device()                          # $KILN_BACKEND, else "fast"
    a = dev.upload(np.random.randn(64, 32), "bf16")
    b = dev.upload(np.random.randn(32, 16), "bf16")
    c = kiln.gemm(dev, a, b)                     # FP32 [64][16] on the device
    print(c.download())

The compiled extension (kiln._kiln) holds the device, matrices, command
buffers and model classes; this package adds the kernel functions that build,
run and wait for one command buffer, and small helpers.
"""
from enum import IntEnum

try:
    from . import _kiln
except ImportError as e:  # the package was found but not the build's extension
    raise ImportError(
        "kiln: the compiled extension kiln._kiln is missing or does not load "
        f"({e}). Build it with `make build` (or `make python`) and import kiln from "
        "<build>/python (the build writes kiln.pth, or set PYTHONPATH).") from e

from ._kiln import (  # noqa: F401  (re-exported API)
    AttentionShape, Buffer, CommandBuffer, Device, Error, GgufError, GgufFile, KvCache,
    LlamaConfig, LlamaLayerWeights, Matrix, RopeTable, Tokenizer, TokenizerError,
    UNIT_ALL, UNIT_DMA, UNIT_TC, UNIT_VU, bf16_bits, bf16_to_float, make_rope_table, to_bf16,
)
from .kernels import (  # noqa: F401
    argmax, attention, decoder_layer, embedding, gemm, mlp, residual_add, rmsnorm, rope, softmax,
)
from .llm import HAVE_LLAMA, find_model, greedy_generate  # noqa: F401

if HAVE_LLAMA:
    from ._kiln import LlamaHparams, LlamaModel, default_model_path, llama_hparams  # noqa: F401


class Status(IntEnum):
    """kiln_status codes (driver/include/kiln/kiln.h), the `status` of kiln.Error."""
    OK = 0
    INVALID_ARGUMENT = 1
    OUT_OF_MEMORY = 2
    OUT_OF_RANGE = 3
    TIMEOUT = 4
    DEVICE = 5
    BACKEND = 6
    BUSY = 7
    HALTED = 8


# The extension turns a status code into this enum when it raises kiln.Error.
Error._status_type = Status

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("IntEnum",)]
