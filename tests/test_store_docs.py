"""The store examples of docs/store-format.md and docs/curating.md are stores `check` accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _blocks(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", text, flags=re.S)


EXAMPLES = [
    (name, number, block)
    for name in ("store-format.md", "curating.md")
    for number, block in enumerate(_blocks(name), 1)
]


def test_each_doc_has_its_examples():
    assert [(name, number) for name, number, _block in EXAMPLES] == [
        ("store-format.md", 1), ("store-format.md", 2), ("store-format.md", 3),
        ("curating.md", 1), ("curating.md", 2),
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "number", "block"), EXAMPLES,
                         ids=[f"{n}#{i}" for n, i, _b in EXAMPLES])  # fmt: skip
def test_every_store_example_in_the_docs_passes_check(run, tmp_path, name, number, block):
    path = tmp_path / "example.toml"
    path.write_text(block, encoding="utf-8")
    count = block.count("[[events]]")
    result = run("--store", str(path), "check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"ok: {count} event{'s' if count != 1 else ''} in {path}\n", "",
    )  # fmt: skip
