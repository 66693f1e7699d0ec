"""Minimal GPT-2 byte-level BPE tokenizer built from a GGUF file's vocabulary.

Independent of the Kiln SDK: it exists so the Python reference can take text
prompts and turn ids back into text, and so the C++ tokenizer has something to
be compared with. It reads tokenizer.ggml.{tokens,token_type,merges} and
implements, for tokenizer.ggml.pre == "smollm" (and plain "gpt2"):

1. special (CONTROL, token_type 3) tokens such as <|im_start|> are matched
   literally in the text first and map straight to their ids;
2. pre-tokenisation: for "smollm" every digit is split off on its own
   (\\p{N}), then each piece is split with the GPT-2 regex
   's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
   (the `regex` package provides \\p{L}/\\p{N}, Python's `re` does not);
3. each piece's UTF-8 bytes are mapped to printable characters with GPT-2's
   bytes_to_unicode table, and BPE merges are applied by rank (lowest first);
4. a byte whose single-byte symbol is not in the vocabulary becomes the
   unknown token (tokenizer.ggml.unknown_token_id), as in llama.cpp;
5. decoding joins token strings and maps the characters back to bytes.
"""

from __future__ import annotations

import regex

GPT2_PATTERN = (r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+"
                r"|\s+(?!\S)|\s+")
DIGIT_PATTERN = r"\p{N}"

TOKEN_TYPE_NORMAL = 1
TOKEN_TYPE_CONTROL = 3
TOKEN_TYPE_USER_DEFINED = 4


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character map.

    Bytes that are already printable (and not space) map to themselves; the
    other 68 bytes map, in byte order, to code points 256, 257, ...
    """
    printable = (list(range(ord("!"), ord("~") + 1))
                 + list(range(ord("\xa1"), ord("\xac") + 1))
                 + list(range(ord("\xae"), ord("\xff") + 1)))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


class BPETokenizer:
    def __init__(self, tokens: list[str], token_types: list[int], merges: list[str],
                 pre: str = "smollm", unk_id: int | None = None):
        if pre not in ("smollm", "gpt2", "default"):
            raise ValueError(f"unsupported pre-tokenizer {pre!r} (supported: smollm, gpt2)")
        self.tokens = list(tokens)
        self.token_types = list(token_types)
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        self.unk_id = unk_id
        self.ranks = {}
        for rank, m in enumerate(merges):
            a, b = m.split(" ", 1)
            self.ranks[(a, b)] = rank
        self.split_digits = pre == "smollm"
        self.byte_enc = bytes_to_unicode()
        self.byte_dec = {c: b for b, c in self.byte_enc.items()}
        self.gpt2_re = regex.compile(GPT2_PATTERN)
        self.digit_re = regex.compile(DIGIT_PATTERN)
        specials = [t for t, ty in zip(self.tokens, self.token_types)
                    if ty in (TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED) and t]
        # Longest first so that a special token that prefixes another loses.
        specials.sort(key=len, reverse=True)
        self.special_re = (regex.compile("|".join(regex.escape(s) for s in specials))
                           if specials else None)
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_gguf_reader(cls, reader) -> "BPETokenizer":
        f = reader.fields
        model = f["tokenizer.ggml.model"].contents()
        if model != "gpt2":
            raise ValueError(f"tokenizer.ggml.model is {model!r}, only 'gpt2' (byte-level BPE) is supported")
        pre = f["tokenizer.ggml.pre"].contents() if "tokenizer.ggml.pre" in f else "default"
        unk = int(f["tokenizer.ggml.unknown_token_id"].contents()) if "tokenizer.ggml.unknown_token_id" in f else None
        return cls(f["tokenizer.ggml.tokens"].contents(),
                   f["tokenizer.ggml.token_type"].contents(),
                   f["tokenizer.ggml.merges"].contents(), pre, unk)

    # -- encoding ---------------------------------------------------------
    def pre_tokenize(self, text: str) -> list[str]:
        pieces = [text]
        if self.split_digits:
            pieces = []
            pos = 0
            for m in self.digit_re.finditer(text):
                if m.start() > pos:
                    pieces.append(text[pos:m.start()])
                pieces.append(m.group())
                pos = m.end()
            if pos < len(text):
                pieces.append(text[pos:])
        out = []
        for p in pieces:
            out.extend(self.gpt2_re.findall(p))
        return out

    def _bpe(self, piece: str) -> list[int]:
        hit = self._cache.get(piece)
        if hit is not None:
            return hit
        word = [self.byte_enc[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            best = None
            best_rank = None
            for i in range(len(word) - 1):
                r = self.ranks.get((word[i], word[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            merged = word[best] + word[best + 1]
            # merge every occurrence of this pair, left to right
            new = []
            i = 0
            a, b = word[best], word[best + 1]
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    new.append(merged)
                    i += 2
                else:
                    new.append(word[i])
                    i += 1
            word = new
        ids = []
        for w in word:
            if w in self.vocab:
                ids.append(self.vocab[w])
                continue
            # Byte fallback: a symbol missing from the vocab is emitted byte by
            # byte; a byte whose symbol is missing (SmolLM2 lacks 21, e.g.
            # 0x04, 0xC0, 0xF1-0xFF) becomes the unknown token (llama.cpp
            # behaviour; Hugging Face's tokenizer drops such bytes instead).
            for c in w:
                if c in self.vocab:
                    ids.append(self.vocab[c])
                elif self.unk_id is not None:
                    ids.append(self.unk_id)
                else:
                    raise KeyError(f"byte symbol {c!r} is not in the vocabulary and there is no unknown token")
        self._cache[piece] = ids
        return ids

    def encode(self, text: str, parse_special: bool = True) -> list[int]:
        ids: list[int] = []
        segments: list[tuple[str, bool]] = []
        if parse_special and self.special_re is not None:
            pos = 0
            for m in self.special_re.finditer(text):
                if m.start() > pos:
                    segments.append((text[pos:m.start()], False))
                segments.append((m.group(), True))
                pos = m.end()
            if pos < len(text):
                segments.append((text[pos:], False))
        else:
            segments = [(text, False)]
        for seg, special in segments:
            if special:
                ids.append(self.vocab[seg])
            else:
                for piece in self.pre_tokenize(seg):
                    ids.extend(self._bpe(piece))
        return ids

    # -- decoding ---------------------------------------------------------
    def decode_bytes(self, ids, skip_special: bool = False) -> bytes:
        out = bytearray()
        for i in ids:
            t = self.tokens[i]
            if self.token_types[i] in (TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED):
                if not skip_special:
                    out += t.encode("utf-8")
                continue
            out += bytes(self.byte_dec[c] for c in t)
        return bytes(out)

    def decode(self, ids, skip_special: bool = False) -> str:
        return self.decode_bytes(ids, skip_special).decode("utf-8", errors="replace")


def chatml_prompt(user: str, system: str) -> str:
    """The ChatML text SmolLM2's chat template produces for one user turn with
    add_generation_prompt=True."""
    return (f"<|im_start|>system\n{system}<|im_end|>\n"
            f"<|im_start|>user\n{user}<|im_end|>\n"
            f"<|im_start|>assistant\n")


def default_system_prompt(chat_template: str) -> str | None:
    """Extracts the default system prompt from SmolLM2's Jinja chat template
    (the text between '<|im_start|>system\\n' and '<|im_end|>' in the branch
    used when the first message is not a system message)."""
    m = regex.search(r"<\|im_start\|>system\n(.*?)<\|im_end\|>", chat_template, flags=regex.S)
    return m.group(1) if m else None
