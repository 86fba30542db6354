"""The ``>>>`` examples of docs/keitai.md run as doctests: the guide shows what the code does."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "keitai.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 2, m.group(1))
        for m in _BLOCK.finditer(text)
        if ">>>" in m.group(1)
    ]


def test_the_guide_has_examples():
    assert len(_examples()) >= 5


@pytest.mark.parametrize(("line", "source"), _examples(), ids=lambda v: str(v)[:12])
def test_example_runs_as_shown(line, source):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, f"docs/keitai.md:{line}", str(DOC), line - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_the_fitting_examples_run_as_shown():
    from portal.keitai import fitting

    result = doctest.testmod(fitting, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2
    assert result.failed == 0
