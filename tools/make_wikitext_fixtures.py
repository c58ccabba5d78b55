#!/usr/bin/python3
"""A WikiText-style sample and what the notebook's Python makes of it, to pin rnnlab's WikiText2 to Python.

Run from the repository root with any Python 3:  /usr/bin/python3 tools/make_wikitext_fixtures.py
Writes to rnnlab-core/src/test/resources/org/rnnlab/text/
  wikitext_sample.raw         : bytes in wiki.train.raw's style, plus every edge the rules must get right
  wikitext_sample.joined.txt  : "\n".join(rows), the rows made as Hugging Face's wikitext builder makes them
  wikitext_sample.lower.txt   : the same, .lower(), as the notebook lowercases it
The rows come from the builder's own loop (datasets/wikitext/wikitext.py, _generate_examples): the file opened with
open(path, encoding="utf-8"), one row per line, a line that strip() empties stored as "". The text is made up.
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab",
                   "text")

SAMPLE = (
    "\ufeff \n"                                              # a BOM: Python's utf-8 codec keeps it as a character
    " = Sample Article = \n"
    " \n"                                                    # WikiText's blank line: strip() empties it
    " The ship ΝΑΥΣ sailed 3 @,@ 000 km ; ΟΔΟΣ , ΣΑΣ and Σ . \n"  # final sigma depends on the next letter
    " \u0130stanbul , the Kelvin sign \u212a , \u212b and \u1e9e lowercase oddly . \n"   # İ -> i + U+0307
    " \t\u3000\u00a0\u2007\u202f\x85 \n"                      # blank by Python's isspace, not by Java's
    "\x1c\x1d\x1e\x1f\n"                                     # blank too (Python counts these as whitespace)
    " \u200b \n"                                             # zero-width space is not whitespace: kept
    " = = Saved on Windows = = \r\n"                         # universal newlines: CRLF reads as "\n"
    " a line ending in a lone CR \r"                         # ... and so does a lone CR
    " \u2028 and \x85 and \x0c do not end a line in a file \n"
    " emoji 😀 count as one character \n"
    "\n"
    " the last line has no newline"
)


def main():
    os.makedirs(OUT, exist_ok=True)
    raw = os.path.join(OUT, "wikitext_sample.raw")
    with open(raw, "wb") as f:
        f.write(SAMPLE.encode("utf-8"))

    rows = []
    with open(raw, encoding="utf-8") as f:
        for row in f:
            rows.append(row if row.strip() else "")
    joined = "\n".join(rows)

    for name, text in (("wikitext_sample.joined.txt", joined), ("wikitext_sample.lower.txt", joined.lower())):
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print("rows: %d, joined: %d characters" % (len(rows), len(joined)))


if __name__ == "__main__":
    main()
