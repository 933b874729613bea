"""The course's text corpus: whole modules of Python's standard library, shipped as data.

Assignment a7 and lecture 09 train character-level language models on real text. The text
is ``autograder/data/corpus/cpython_stdlib.txt``: the ``MODULES`` below, whole and
unchanged, from CPython ``CPYTHON_VERSION``'s ``Lib/`` folder, concatenated in that
order, each preceded by one header line ``HEADER.format(...)``, e.g.::

    # ===== CPython 3.11.7 Lib/textwrap.py =====

The modules are pure ASCII (none of their characters is above ``~``), so the vocabulary
is small (under 100 characters). The licence is the PSF licence of that CPython,
``autograder/data/corpus/LICENSE-CPython.txt`` (copied from the installation the text
came from); ``README.md`` beside them says the same. Nothing is downloaded at run time;
the text ships in the ``autograder`` package (also in the student kit's wheel), so the
notebooks, the self-check and the grader's sandbox all read the same file.

    from autograder.corpus import load_corpus, split_corpus
    text = load_corpus()                    # 127 KB of Python source, one str
    train, valid, test = split_corpus(text) # 80 % / 10 % / 10 %, in this order

``split_corpus`` cuts the text at fixed fractions, never shuffled: held-out text is text
the model has not read, and the test part is the text after the validation part.

Rebuild (a maintainer, with CPython 3.11.7's ``Lib`` folder)::

    python -m autograder.corpus /path/to/lib/python3.11

Stdlib only: the module is imported by the notebooks and by the self-check.
"""
from __future__ import annotations

import sys
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"
CORPUS_FILE = CORPUS_DIR / "cpython_stdlib.txt"
LICENSE_FILE = CORPUS_DIR / "LICENSE-CPython.txt"
CPYTHON_VERSION = "3.11.7"
#: the modules of ``Lib/``, in the order they are concatenated (all pure ASCII)
MODULES = ("textwrap.py", "bisect.py", "string.py", "queue.py", "graphlib.py", "colorsys.py", "reprlib.py",
           "abc.py", "numbers.py", "operator.py", "sched.py", "contextlib.py")
HEADER = "# ===== CPython {version} Lib/{name} =====\n"
#: where ``split_corpus`` cuts: train = [0, 0.8), valid = [0.8, 0.9), test = [0.9, 1)
SPLIT = (0.8, 0.9)


def load_corpus() -> str:
    """The whole corpus as one string (newlines ``\\n``)."""
    if not CORPUS_FILE.is_file():
        raise FileNotFoundError(f"the course corpus is missing: expected {CORPUS_FILE} (it ships with the "
                                "autograder package; reinstall the package or the student kit's wheel)")
    return CORPUS_FILE.read_text(encoding="utf-8")


def split_corpus(text: str, fractions: tuple[float, float] = SPLIT) -> tuple[str, str, str]:
    """(train, valid, test): ``text`` cut at ``fractions`` of its length, in order.

    The three parts concatenate back to ``text``.
    """
    a, b = fractions
    if not 0.0 < a < b < 1.0:
        raise ValueError(f"split_corpus: fractions must satisfy 0 < a < b < 1, got {fractions}")
    i, j = int(len(text) * a), int(len(text) * b)
    return text[:i], text[i:j], text[j:]


def build_corpus(lib_dir: Path) -> str:
    """The corpus text from a CPython ``Lib`` folder (``MODULES`` with their header lines)."""
    lib_dir = Path(lib_dir)
    parts = []
    for name in MODULES:
        path = lib_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"build_corpus: expected the module {path} in the CPython Lib folder {lib_dir}")
        source = path.read_text(encoding="utf-8")
        if any(ord(ch) > 126 or (ord(ch) < 32 and ch != "\n") for ch in source):
            raise ValueError(f"build_corpus: {name} is not plain printable ASCII; the corpus keeps to it")
        parts.append(HEADER.format(version=CPYTHON_VERSION, name=name) + source)
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m autograder.corpus LIB_DIR   (CPython's Lib folder, e.g. /usr/lib/python3.11)",
              file=sys.stderr)
        return 2
    lib = Path(argv[0])
    version = ".".join(map(str, sys.version_info[:3]))
    if version != CPYTHON_VERSION:
        print(f"warning: this Python is {version}; the header lines name {CPYTHON_VERSION}", file=sys.stderr)
    try:
        text = build_corpus(lib)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    CORPUS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {CORPUS_FILE} ({len(text)} characters, {len(set(text))} distinct)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
