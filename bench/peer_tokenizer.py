#!/usr/bin/env python3
"""A plain-Python BERT WordPiece tokenizer: the peer our benchmark and differential tests
compare against. Same algorithm as google-research/bert tokenization.py (BasicTokenizer then
greedy longest-match-first WordPiece), written for this project; standard library only.

  python3 bench/peer_tokenizer.py --vocab VOCAB [--cased] --jsonl < in.jsonl > out.jsonl
  python3 bench/peer_tokenizer.py --vocab VOCAB [--cased] --bench FILE [--max-mb N]
"""
import argparse
import json
import sys
import time
import unicodedata


def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


CJK_RANGES = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
              (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def is_cjk(ch):
    cp = ord(ch)
    return any(a <= cp <= b for a, b in CJK_RANGES)


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab[line.strip()] = i
    return vocab


class Tokenizer:
    def __init__(self, vocab, lower=True, max_chars=200):
        self.vocab = vocab
        self.lower = lower
        self.max_chars = max_chars
        self.unk = "[UNK]"

    def basic(self, text):
        cleaned = []
        for ch in text:
            if ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch):
                continue
            cleaned.append(" " if is_whitespace(ch) else ch)
        spaced = "".join(" %s " % ch if is_cjk(ch) else ch for ch in cleaned)
        pieces = []
        for word in spaced.split():
            if self.lower:
                word = unicodedata.normalize("NFD", word.lower())
                word = "".join(ch for ch in word if unicodedata.category(ch) != "Mn")
            current = []
            for ch in word:
                if is_punctuation(ch):
                    if current:
                        pieces.append("".join(current))
                        current = []
                    pieces.append(ch)
                else:
                    current.append(ch)
            if current:
                pieces.append("".join(current))
        return " ".join(pieces).split()

    def wordpiece(self, word):
        if len(word) > self.max_chars:
            return [self.unk]
        out = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = piece
                    break
                end -= 1
            if found is None:
                return [self.unk]
            out.append(found)
            start = end
        return out

    def tokenize(self, text):
        return [p for w in self.basic(text) for p in self.wordpiece(w)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--cased", action="store_true")
    ap.add_argument("--jsonl", action="store_true")
    ap.add_argument("--bench")
    ap.add_argument("--max-mb", type=float, default=0)
    args = ap.parse_args()
    tok = Tokenizer(load_vocab(args.vocab), lower=not args.cased)
    if args.jsonl:
        for line in sys.stdin:
            tokens = tok.tokenize(json.loads(line)["text"])
            sys.stdout.write(json.dumps({"tokens": tokens, "ids": [tok.vocab.get(t) for t in tokens]}) + "\n")
        return
    if args.bench:
        limit = int(args.max_mb * 1e6) if args.max_mb else None
        with open(args.bench, "rb") as f:
            raw = f.read(limit) if limit else f.read()
        # the same bytes the TypeScript side reads; a character cut at the end becomes U+FFFD
        data = raw.decode("utf-8", errors="replace")
        lines = data.split("\n")
        t0 = time.perf_counter()
        n = 0
        for line in lines:
            n += len([tok.vocab[t] for t in tok.tokenize(line)])
        dt = time.perf_counter() - t0
        mb = len(raw) / 1e6
        print(json.dumps({"impl": "python", "mb": mb, "seconds": dt, "tokens": n}))


if __name__ == "__main__":
    main()
