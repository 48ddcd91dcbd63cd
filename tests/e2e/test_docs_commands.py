"""The commands of README.md and docs/ run as written (issue 18).

A fenced ``bash`` block right after a ``<!-- runnable -->`` line is run line by line, in
order, in a scratch folder that holds the repository's ``examples/``, with this
environment's ``bin`` first on ``PATH`` (what ``source .venv/bin/activate`` does): every
line must exit 0. One test per block; a later line may read what an earlier one wrote
(``salesforge runs compare -1 -2`` compares the runs before it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- runnable -->"
FENCE = re.compile(r"^```(bash|console|sh)?\s*$")


def runnable_blocks(path: Path) -> list[tuple[str, list[str]]]:
    """(``file:line``, command lines) of each block marked runnable in ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        start = number + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start >= len(lines) or not FENCE.match(lines[start]) \
                or lines[start].strip() == "```":
            raise AssertionError(f"{path.name}:{number + 1}: {MARKER} must precede a "
                                 "```bash block")
        body = []
        for text in lines[start + 1:]:
            if text.startswith("```"):
                break
            if text.strip() and not text.lstrip().startswith("#"):
                body.append(text)
        blocks.append((f"{path.relative_to(ROOT)}:{start + 1}", body))
    return blocks


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCKS = [block for document in DOCUMENTS for block in runnable_blocks(document)]


def test_the_readme_tour_and_experiments_are_marked_runnable():
    places = [place for place, _ in BLOCKS if place.startswith("README.md")]
    assert len(places) >= 2, places
    commands = [line for place, body in BLOCKS for line in body]
    assert any("examples/penjualan.csv" in line for line in commands)
    assert any("examples/promo_plan.csv" in line for line in commands)
    # brackets are quoted for the shell in every documented command
    for document in DOCUMENTS:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*(\$ )?salesforge ", line):
                bare = re.findall(r"(?<![\S'\"])[\w.+]+=\[[^\s]*", line)
                assert not bare, f"{document.name}:{number}: quote {bare} for the shell"


def test_a_marker_must_precede_a_shell_block(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"{MARKER}\nsalesforge run\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="must precede"):
        runnable_blocks(page)


@pytest.mark.slow
@pytest.mark.parametrize("place, commands", BLOCKS, ids=[place for place, _ in BLOCKS])
def test_documented_commands_run_as_written(tmp_path, place, commands):
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                f"{os.environ.get('PATH', '')}", SALESFORGE_LOG_LEVEL="WARNING")
    for command in commands:
        done = subprocess.run(["bash", "-c", f"set -eo pipefail; {command}"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, (f"{place}: `{command}` exited {done.returncode}:\n"
                                      f"{done.stderr[-3000:]}")
