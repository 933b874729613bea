"""The shipped text corpus (autograder/corpus.py, autograder/data/corpus/): what it is and
where it came from, checked against the CPython installation itself."""
import sys
import sysconfig
from pathlib import Path

import pytest

from autograder import corpus

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAME_PYTHON = ".".join(map(str, sys.version_info[:3])) == corpus.CPYTHON_VERSION


def test_the_corpus_is_the_named_modules_whole_each_after_its_header_line():
    """Cut at the header lines, the text is exactly the modules' files, in MODULES' order."""
    text = corpus.load_corpus()
    headers = [ln for ln in text.split("\n") if ln.startswith("# ===== CPython ")]
    assert headers == [corpus.HEADER.format(version=corpus.CPYTHON_VERSION, name=m).rstrip("\n")
                       for m in corpus.MODULES]
    if not SAME_PYTHON:
        pytest.skip(f"the modules are compared with CPython {corpus.CPYTHON_VERSION}'s own files")
    expected = "".join(corpus.HEADER.format(version=corpus.CPYTHON_VERSION, name=m)
                       + (STDLIB / m).read_text(encoding="utf-8") for m in corpus.MODULES)
    assert text == expected


def test_the_corpus_is_100_to_200_kb_of_printable_ascii():
    text = corpus.load_corpus()
    assert 100_000 <= len(text.encode("utf-8")) <= 200_000
    assert all(32 <= ord(ch) <= 126 or ch == "\n" for ch in text)
    assert len(set(text)) < 100


def test_the_licence_beside_it_is_cpythons_own():
    shipped = corpus.LICENSE_FILE.read_text(encoding="utf-8")
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in shipped
    if not SAME_PYTHON or not (STDLIB / "LICENSE.txt").is_file():
        pytest.skip("compared with the LICENSE.txt of the CPython the text came from")
    assert shipped == (STDLIB / "LICENSE.txt").read_text(encoding="utf-8")
    readme = (corpus.CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    assert corpus.CPYTHON_VERSION in readme and all(m in readme for m in corpus.MODULES)


def test_split_cuts_in_order_at_80_and_90_percent():
    text = "".join(chr(65 + k % 26) for k in range(1000))
    train, valid, test = corpus.split_corpus(text)
    assert (len(train), len(valid), len(test)) == (800, 100, 100)
    assert train + valid + test == text
    with pytest.raises(ValueError, match="0 < a < b < 1"):
        corpus.split_corpus(text, (0.9, 0.8))


def test_build_refuses_a_folder_without_the_modules(tmp_path):
    with pytest.raises(FileNotFoundError, match="textwrap.py"):
        corpus.build_corpus(tmp_path)
    assert corpus.main([str(tmp_path)]) == 2
    assert corpus.main([]) == 2


def test_the_package_data_ships_the_corpus():
    """pyproject's package data and the student kit's wheel both include data/corpus/*."""
    from autograder import kit

    repo = Path(__file__).resolve().parent.parent
    assert '"data/corpus/*"' in (repo / "pyproject.toml").read_text()
    assert '"data/corpus/*"' in kit._pyproject()
