"""Helpers for running a GGUF model with kiln.LlamaModel."""
import os

from . import _kiln

HAVE_LLAMA = bool(getattr(_kiln, "HAVE_LLAMA", False))

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def find_model():
    """Path of the SmolLM2 GGUF that scripts/fetch_model.sh caches, or None if
    it is not there: $KILN_MODEL, else ${KILN_CACHE:-~/.cache/kiln}/models/."""
    path = os.environ.get("KILN_MODEL")
    if not path:
        cache = os.environ.get("KILN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "kiln")
        path = os.path.join(cache, "models", MODEL_FILE)
    return path if os.path.isfile(path) else None


def greedy_generate(model, prompt_ids, max_new_tokens, stop_ids=()):
    """Yields up to max_new_tokens ids, each the device argmax of the logits
    after the prompt (one prefill pass) and then after each generated token
    (decode passes). Stops after yielding an id in stop_ids."""
    if max_new_tokens <= 0:
        return
    feed = list(prompt_ids)
    stop = set(stop_ids)
    for _ in range(max_new_tokens):
        model.forward(feed)
        nxt = model.last_argmax
        yield nxt
        if nxt in stop:
            return
        feed = [nxt]
