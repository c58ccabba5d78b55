#!/usr/bin/env python3
"""Writes a large deterministic UTF-8 text for measuring rnnlab on corpora bigger than memory.

  python3 tools/big_corpus.py --bytes 1G --out /tmp/big.txt

Lines of words drawn from a fixed list with a seeded generator, some with accents, some code-like with brackets
and indentation, so that the vocabulary has about 90 characters (one byte per id) and the text is not one
repeated block. Only the standard library; about 40 s per GB. Nothing it writes is committed.
"""
import argparse
import random

WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which but have an "
         "they you were her she there one all we their can has been if more when will would who so no "
         "niño canción está árbol über café naïve façade").split()
CODE = ["if (x > 0) {", "    return f(x[i]);", "}", "for (int i = 0; i < n; i++) {", "    s += \"a, b\";", "# done"]


def size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bytes", default="1G", help="size, e.g. 200M or 1G (default 1G)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    target = size(a.bytes)
    rng = random.Random(a.seed)
    written = 0
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        while written < target:
            lines = []
            for _ in range(2000):
                if rng.random() < 0.2:
                    lines.append(rng.choice(CODE))
                else:
                    words = rng.choices(WORDS, k=rng.randint(3, 14))
                    words[0] = words[0].capitalize()
                    lines.append(" ".join(words) + rng.choice(".,;:?!"))
            block = ("\n".join(lines) + "\n").encode("utf-8")
            if written + len(block) > target:  # the last block: cut at a line break, never inside a character
                block = block[: block.rfind(b"\n", 0, target - written) + 1]
                if not block:
                    break
            f.write(block.decode("utf-8"))
            written += len(block)
    print(f"{a.out}: {written} bytes")


if __name__ == "__main__":
    main()
