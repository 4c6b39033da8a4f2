"""The README's three-line Python start runs as written on the synthetic
store's orders.csv."""
import os

import pytest

import custops

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "README.md")


def _three_line_start():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    head = text.index("from an order file to segments in three lines")
    start = text.index("```python\n", head) + len("```python\n")
    return text[start:text.index("```", start)]


def test_readme_three_line_start(tmp_path, monkeypatch):
    if not os.path.exists(README):
        pytest.skip("README.md not in the source tree")
    code = _three_line_start()
    assert len(code.strip().splitlines()) == 3
    custops.synth_write(tmp_path, customers=300, seed=3)
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    store = scope["store"]
    counts = custops.rfm(store.features(custops.parse_time("2025-01-01 00:00")))["segment"].value_counts()
    assert counts.sum() == 300 and len(counts) > 3
