#!/usr/bin/env python3
"""chat: SmolLM2-135M-Instruct answering on the virtual NPU, greedy decoding.

Loads the GGUF (scripts/fetch_model.sh caches it; $KILN_MODEL overrides),
puts its weights on the device as BF16, encodes the prompt with the model's
chat template, and generates tokens one by one with kiln.LlamaModel (the
device's argmax picks each token). Exits 77 (skipped) when there is no model.
"""
import argparse
import sys
import time

import kiln

SKIP = 77


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default=None, help="fast (default, or $KILN_BACKEND) or rtl (very slow)")
    ap.add_argument("--model", default=None, help="GGUF path (default: $KILN_MODEL or the fetch_model.sh cache)")
    ap.add_argument("--prompt", default="What is the capital of France?")
    ap.add_argument("--tokens", type=int, default=8, help="new tokens to generate")
    args = ap.parse_args()

    if not kiln.HAVE_LLAMA:
        print("chat: this build of kiln has no LlamaModel (kiln_llm was not built)", file=sys.stderr)
        return 1
    path = args.model or kiln.find_model()
    if not path:
        print("chat: SKIP: no model file; run scripts/fetch_model.sh (or set KILN_MODEL)")
        return SKIP

    gguf = kiln.GgufFile(path)
    tok = kiln.Tokenizer(gguf)
    hp = kiln.llama_hparams(gguf)
    prompt = tok.encode_chat([{"role": "user", "content": args.prompt}])
    print(f"chat: {path}\n  {hp.n_layers} layers, hidden {hp.layer.hidden}, vocab {hp.vocab}; "
          f"prompt {len(prompt)} tokens")

    dev = kiln.Device(args.backend)
    t0 = time.time()
    model = kiln.LlamaModel(dev, gguf, max_ctx=len(prompt) + args.tokens)
    print(f"  weights on the {dev.backend} device in {time.time() - t0:.1f} s")

    print(f"user: {args.prompt}\nassistant: ", end="", flush=True)
    ids, device_ns = [], 0
    t0 = time.time()
    for nxt in kiln.greedy_generate(model, prompt, args.tokens, stop_ids=[tok.eos_id]):
        device_ns += model.last_stats["device_ns"]
        ids.append(nxt)
        if nxt != tok.eos_id:
            print(tok.decode([nxt]), end="", flush=True)
    print()
    print(f"  {len(ids)} tokens in {time.time() - t0:.1f} s host time, "
          f"{device_ns / 1e6:.2f} ms simulated device time")
    if not ids or not tok.decode(ids, skip_special=True).strip():
        print("chat: FAIL: no text generated")
        return 1
    print("chat: PASS")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except kiln.Error as e:
        print(f"chat: {e} (status {e.status_name})", file=sys.stderr)
        sys.exit(1)
