"""The architecture's contracts, checked by import-linter: core imports no Qt and nothing from
gui; core's rooms import only the rooms below them (docs/adr/0005-layers-inside-core.md); only
core.demo and the CLI's demo wiring import the demo.

import-linter runs from this interpreter (it is a test dependency: never skipped), and every
contract pyproject.toml names must be reported kept, so a contract added there is checked
here without editing this file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter depends on tomli there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
# `lint-imports` is a console script; its module has no __main__, so call the command itself.
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command.main(args=['--no-cache'], prog_name='lint-imports'))"
)


def contract_names() -> list[str]:
    with open(REPO / "pyproject.toml", "rb") as file:
        config = tomllib.load(file)
    return [contract["name"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_every_contract_in_pyproject_is_kept():
    names = contract_names()
    assert names, "pyproject.toml names no import-linter contract"
    wide = {**os.environ, "COLUMNS": "400"}  # rich wraps the report at the terminal's width
    result = subprocess.run([sys.executable, "-c", LINT_IMPORTS], cwd=REPO, capture_output=True, text=True, env=wide)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    words = " ".join(report.split())  # a long name may still wrap: compare word by word
    assert f"{len(names)} kept, 0 broken" in words, report
    missing = [name for name in names if f"{' '.join(name.split())} KEPT" not in words]
    assert not missing, f"not reported kept: {missing}\n{report}"
