"""Docs that tests keep true."""

import re
from pathlib import Path

from typer.main import get_command

from wijkmix.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands():
    cmd = get_command(app)
    names = []
    for name, sub in cmd.commands.items():  # type: ignore[attr-defined]
        if hasattr(sub, "commands"):
            names += [f"{name} {n}" for n in sub.commands]
        else:
            names.append(name)
    return names


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None
    lines = [ln for ln in block.group(1).splitlines() if ln.strip()]
    assert len(lines) == 2
    assert "wijkmix demo" in lines[0] and "pip install" in lines[0]
    assert lines[1] == "bash scripts/test.sh"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci


def test_every_cli_command_is_documented_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if f"wijkmix {c}" not in text]
    assert not missing, f"commands missing from the README: {missing}"
