#!/usr/bin/env python3
"""Independent FP32/FP64 reference forward pass of a Llama-architecture GGUF
model (written for SmolLM2-135M-Instruct), in numpy.

This is the "real math" side of Kiln's accuracy checks (see docs/accuracy.md):
it shares no code with the SDK. The `gguf` package reads the metadata and
dequantizes the tensors (Q4_1/Q8_0 -> float32); everything after that is
plain numpy in the chosen precision (--dtype fp32|fp64).

Usage (from the repository root):

  python3 cosim/reference/smollm2_ref.py --tokens 1,2,3 --n-new 32 --out logits.npz
  python3 cosim/reference/smollm2_ref.py --prompt "What is the capital of France?"
  PYTHONPATH=cosim/reference python3 -m smollm2_ref --prompt-ids-file ids.txt --dtype fp64 --out r.json

Output (--out): the greedy continuation token ids, and for every generated
step the logits of the last position (the distribution the step's token was
taken from): `.npz` (arrays) or `.json` (lists; large: vocab floats per step).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

# Single-threaded BLAS by default: the work per call is small (matrix-vector
# products while decoding) and on a loaded 2-core machine OpenBLAS threads
# made generation ~10x slower. Override with KILN_REF_THREADS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("KILN_REF_THREADS", "1"))

import numpy as np  # noqa: E402

try:
    from . import bpe_tokenizer  # type: ignore[no-redef]
except ImportError:  # run as a script or with cosim/reference on sys.path
    import bpe_tokenizer  # type: ignore[no-redef]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> str:
    """$KILN_MODEL, else the path scripts/fetch_model.sh caches the model at."""
    if os.environ.get("KILN_MODEL"):
        return os.environ["KILN_MODEL"]
    root = os.environ.get("KILN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "kiln")
    return os.path.join(root, "models", MODEL_FILE)


DTYPES = {"fp32": np.float32, "fp64": np.float64}


class LlamaConfig:
    def __init__(self, fields):
        def get(key, default=None):
            if key in fields:
                return fields[key].contents()
            if default is None:
                raise KeyError(f"GGUF metadata key {key!r} missing")
            return default

        arch = get("general.architecture")
        if arch != "llama":
            raise ValueError(f"general.architecture is {arch!r}; this reference implements 'llama'")
        p = "llama."
        self.n_layer = int(get(p + "block_count"))
        self.n_embd = int(get(p + "embedding_length"))
        self.n_ff = int(get(p + "feed_forward_length"))
        self.n_head = int(get(p + "attention.head_count"))
        self.n_head_kv = int(get(p + "attention.head_count_kv", self.n_head))
        self.head_dim = self.n_embd // self.n_head
        self.n_rot = int(get(p + "rope.dimension_count", self.head_dim))
        self.rope_base = float(get(p + "rope.freq_base", 10000.0))
        self.rms_eps = float(get(p + "attention.layer_norm_rms_epsilon"))
        self.n_ctx_train = int(get(p + "context_length"))
        if "llama.rope.scaling.type" in fields:
            kind = fields["llama.rope.scaling.type"].contents()
            if kind not in ("none",):
                raise ValueError(f"RoPE scaling {kind!r} is not implemented")
        self.bos_id = int(get("tokenizer.ggml.bos_token_id", -1))
        self.eos_id = int(get("tokenizer.ggml.eos_token_id", -1))

    def as_dict(self):
        return dict(self.__dict__)


class LlamaReference:
    """Weights dequantized once to float32 (the values the quantized format
    defines), then held in the working precision."""

    def __init__(self, model_path: str, dtype: str = "fp32", rope_pairing: str = "norm",
                 reader=None, weights32=None):
        from gguf import GGUFReader  # pinned in scripts/requirements.txt

        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {sorted(DTYPES)}")
        if rope_pairing not in ("norm", "neox"):
            raise ValueError("rope_pairing must be 'norm' or 'neox'")
        self.model_path = model_path
        self.reader = reader if reader is not None else GGUFReader(model_path)
        self.cfg = LlamaConfig(self.reader.fields)
        self.dtype_name = dtype
        self.dt = DTYPES[dtype]
        self.rope_pairing = rope_pairing
        w32 = weights32 if weights32 is not None else load_weights_f32(self.reader)
        self.weights32 = w32
        self.w = {k: v.astype(self.dt, copy=False) for k, v in w32.items()}
        self.tied_output = "output.weight" not in w32
        self.w_out = self.w["token_embd.weight"] if self.tied_output else self.w["output.weight"]
        c = self.cfg
        if c.n_head % c.n_head_kv:
            raise ValueError("head_count must be a multiple of head_count_kv")
        # RoPE inverse frequencies, computed in FP64 (then used in self.dt).
        self.inv_freq = c.rope_base ** (-np.arange(0, c.n_rot, 2, dtype=np.float64) / c.n_rot)
        self._tokenizer = None

    def with_dtype(self, dtype: str) -> "LlamaReference":
        """Same model (same dequantized weights), another working precision."""
        return LlamaReference(self.model_path, dtype, self.rope_pairing,
                              reader=self.reader, weights32=self.weights32)

    @property
    def tokenizer(self) -> bpe_tokenizer.BPETokenizer:
        if self._tokenizer is None:
            self._tokenizer = bpe_tokenizer.BPETokenizer.from_gguf_reader(self.reader)
        return self._tokenizer

    def chat_template(self) -> str | None:
        f = self.reader.fields
        return f["tokenizer.chat_template"].contents() if "tokenizer.chat_template" in f else None

    # -- building blocks ----------------------------------------------------
    def rmsnorm(self, x, weight):
        ms = np.mean(x * x, axis=-1, keepdims=True)
        return x / np.sqrt(ms + self.dt(self.cfg.rms_eps)) * weight

    def rope(self, x, positions):
        """x: (T, heads, head_dim), rotated in place of the first n_rot dims.

        norm: pairs (x[2i], x[2i+1])  -- llama.cpp LLAMA_ROPE_TYPE_NORM, the
              layout of GGUF llama Q/K tensors (converter permuted the rows).
        neox: pairs (x[i], x[i + n_rot/2]) -- HF rotate_half on HF weights;
              wrong for these GGUF tensors, kept only to demonstrate that.
        """
        n_rot = self.cfg.n_rot
        ang = np.outer(np.asarray(positions, dtype=np.float64), self.inv_freq)  # (T, n_rot/2)
        cos = np.cos(ang).astype(self.dt)[:, None, :]
        sin = np.sin(ang).astype(self.dt)[:, None, :]
        out = x.copy()
        if self.rope_pairing == "norm":
            a = x[..., 0:n_rot:2]
            b = x[..., 1:n_rot:2]
            out[..., 0:n_rot:2] = a * cos - b * sin
            out[..., 1:n_rot:2] = a * sin + b * cos
        else:
            h = n_rot // 2
            a = x[..., :h]
            b = x[..., h:n_rot]
            out[..., :h] = a * cos - b * sin
            out[..., h:n_rot] = a * sin + b * cos
        return out

    @staticmethod
    def silu(x):
        with np.errstate(over="ignore"):
            return x / (1 + np.exp(-x))

    # -- forward --------------------------------------------------------------
    def new_cache(self, max_len: int):
        c = self.cfg
        shape = (c.n_layer, c.n_head_kv, max_len, c.head_dim)
        return {"k": np.zeros(shape, self.dt), "v": np.zeros(shape, self.dt), "len": 0}

    def forward(self, token_ids, cache, all_logits: bool = False):
        """Runs tokens at positions cache['len'] ... and appends their K/V.
        Returns the logits of the last position (vocab,) in self.dt, or of
        every position (T, vocab) with all_logits=True."""
        c, w, dt = self.cfg, self.w, self.dt
        ids = np.asarray(token_ids, dtype=np.int64)
        T = len(ids)
        p0 = cache["len"]
        if p0 + T > cache["k"].shape[2]:
            raise ValueError("KV cache too small")
        pos = np.arange(p0, p0 + T)
        S = p0 + T  # keys visible after this call
        x = w["token_embd.weight"][ids]  # (T, D)
        n_rep = c.n_head // c.n_head_kv
        scale = dt(1.0 / math.sqrt(c.head_dim))
        # causal mask: query at position p0+t sees keys 0..p0+t
        mask = np.arange(S)[None, :] > pos[:, None]  # (T, S)
        for L in range(c.n_layer):
            pre = f"blk.{L}."
            h = self.rmsnorm(x, w[pre + "attn_norm.weight"])
            q = (h @ w[pre + "attn_q.weight"].T).reshape(T, c.n_head, c.head_dim)
            k = (h @ w[pre + "attn_k.weight"].T).reshape(T, c.n_head_kv, c.head_dim)
            v = (h @ w[pre + "attn_v.weight"].T).reshape(T, c.n_head_kv, c.head_dim)
            q = self.rope(q, pos)
            k = self.rope(k, pos)
            cache["k"][L, :, p0:S] = k.transpose(1, 0, 2)
            cache["v"][L, :, p0:S] = v.transpose(1, 0, 2)
            K = cache["k"][L, :, :S]  # (Hkv, S, hd)
            V = cache["v"][L, :, :S]
            # GQA: query head hq uses KV head hq // n_rep
            qg = q.transpose(1, 0, 2).reshape(c.n_head_kv, n_rep * T, c.head_dim)
            s = (qg @ K.transpose(0, 2, 1)).reshape(c.n_head_kv, n_rep, T, S) * scale
            s = np.where(mask[None, None], -np.inf, s)
            s = s - s.max(axis=-1, keepdims=True)
            e = np.exp(s)
            p = e / e.sum(axis=-1, keepdims=True)
            o = (p.reshape(c.n_head_kv, n_rep * T, S) @ V)  # (Hkv, n_rep*T, hd)
            o = o.reshape(c.n_head, T, c.head_dim).transpose(1, 0, 2).reshape(T, c.n_embd)
            x = x + o @ w[pre + "attn_output.weight"].T
            h = self.rmsnorm(x, w[pre + "ffn_norm.weight"])
            g = h @ w[pre + "ffn_gate.weight"].T
            u = h @ w[pre + "ffn_up.weight"].T
            x = x + (self.silu(g) * u) @ w[pre + "ffn_down.weight"].T
        cache["len"] = S
        if all_logits:
            return self.rmsnorm(x, w["output_norm.weight"]) @ self.w_out.T
        h = self.rmsnorm(x[-1:], w["output_norm.weight"])
        return (h @ self.w_out.T)[0]

    def generate(self, prompt_ids, n_new: int, stop_at_eos: bool = False):
        """Greedy decoding. Returns (generated ids, logits (steps, vocab))."""
        if len(prompt_ids) == 0:
            raise ValueError("empty prompt")
        cache = self.new_cache(len(prompt_ids) + n_new)
        logits = self.forward(prompt_ids, cache)
        out_ids, out_logits = [], []
        for step in range(n_new):
            tok = int(np.argmax(logits))
            out_ids.append(tok)
            out_logits.append(logits)
            if (stop_at_eos and tok == self.cfg.eos_id) or step == n_new - 1:
                break
            logits = self.forward([tok], cache)
        return out_ids, np.stack(out_logits) if out_logits else np.zeros((0, self.w_out.shape[0]), self.dt)


def load_weights_f32(reader) -> dict[str, np.ndarray]:
    from gguf.quants import dequantize

    out = {}
    for t in reader.tensors:
        a = dequantize(t.data, t.tensor_type)
        # GGUF dims are innermost-first; numpy wants outermost-first.
        shape = tuple(int(d) for d in reversed(list(t.shape)))
        out[t.name] = np.ascontiguousarray(a.reshape(shape), dtype=np.float32)
    return out


def parse_ids(text: str) -> list[int]:
    text = text.strip()
    if text.startswith("["):
        return [int(v) for v in json.loads(text)]
    return [int(v) for v in text.replace(",", " ").split()]


def build_prompt_ids(args, model: LlamaReference) -> list[int]:
    given = [a for a in (args.tokens, args.prompt_ids_file, args.prompt) if a is not None]
    if len(given) != 1:
        raise SystemExit("give exactly one of --tokens, --prompt-ids-file, --prompt")
    if args.tokens is not None:
        return parse_ids(args.tokens)
    if args.prompt_ids_file is not None:
        with open(args.prompt_ids_file) as f:
            return parse_ids(f.read())
    if args.raw:
        text = args.prompt
    else:
        system = args.system
        if system is None:
            tmpl = model.chat_template()
            system = bpe_tokenizer.default_system_prompt(tmpl) if tmpl else None
            if system is None:
                raise SystemExit("no default system prompt in tokenizer.chat_template: pass --system")
        text = bpe_tokenizer.chatml_prompt(args.prompt, system)
    return model.tokenizer.encode(text)


def write_out(path, result, logits):
    if path.endswith(".npz"):
        np.savez(path, prompt_ids=np.asarray(result["prompt_ids"], np.int64),
                 generated_ids=np.asarray(result["generated_ids"], np.int64),
                 logits=logits, meta=json.dumps(result))
    elif path.endswith(".json"):
        doc = dict(result)
        doc["logits"] = [row.tolist() for row in logits]
        with open(path, "w") as f:
            json.dump(doc, f)
    else:
        raise SystemExit("--out must end in .npz or .json")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model_path(),
                    help="GGUF file (default: the fetch_model.sh cache path)")
    ap.add_argument("--tokens", help="prompt token ids, e.g. 1,2,3")
    ap.add_argument("--prompt-ids-file", help="file with prompt token ids (comma/space separated or a JSON list)")
    ap.add_argument("--prompt", help="text prompt, tokenized by the reference BPE tokenizer")
    ap.add_argument("--raw", action="store_true", help="with --prompt: no chat template")
    ap.add_argument("--system", help="with --prompt: system prompt (default: the chat template's)")
    ap.add_argument("--n-new", type=int, default=32, help="tokens to generate greedily (default 32)")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="fp32")
    ap.add_argument("--rope-pairing", choices=["norm", "neox"], default="norm",
                    help="RoPE pair layout (norm is right for GGUF llama tensors; neox only for experiments)")
    ap.add_argument("--stop-at-eos", action="store_true", help="stop after generating the EOS token")
    ap.add_argument("--out", help="write results to FILE.npz or FILE.json")
    args = ap.parse_args(argv)

    if not os.path.exists(args.model):
        raise SystemExit(f"model not found: {args.model} (run scripts/fetch_model.sh)")
    t0 = time.time()
    model = LlamaReference(args.model, args.dtype, args.rope_pairing)
    t1 = time.time()
    prompt_ids = build_prompt_ids(args, model)
    gen, logits = model.generate(prompt_ids, args.n_new, args.stop_at_eos)
    t2 = time.time()
    try:
        text = model.tokenizer.decode(gen)
    except Exception as e:  # vocab without a usable tokenizer: ids only
        text = None
        print(f"warning: cannot decode ({e})", file=sys.stderr)
    result = {
        "model": os.path.abspath(args.model),
        "dtype": args.dtype,
        "rope_pairing": args.rope_pairing,
        "prompt_ids": [int(i) for i in prompt_ids],
        "generated_ids": [int(i) for i in gen],
        "generated_text": text,
        "logits_shape": list(logits.shape),
        "load_seconds": round(t1 - t0, 3),
        "generate_seconds": round(t2 - t1, 3),
    }
    if args.out:
        write_out(args.out, result, logits)
    print(f"prompt ({len(prompt_ids)} tokens): {','.join(map(str, prompt_ids))}")
    print(f"generated ({len(gen)} tokens, {args.dtype}): {','.join(map(str, gen))}")
    if text is not None:
        print(f"text: {text!r}")
    print(f"load {t1 - t0:.2f} s, generate {t2 - t1:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
