"""The README is the manual: its commands must be the ones CI and the CLI really run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_the_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) >= 2
    install_and_run, install_and_test = commands[0], commands[1]
    assert install_and_run.endswith("newsfacts run")
    assert "pytest" in install_and_test and "[test]" in install_and_test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quick_start_commands()[1]
    assert test_command in ci.splitlines()


def test_every_documented_command_exists() -> None:
    from typer.main import get_command

    from flows.cli import app

    cli = get_command(app)
    documented = set(re.findall(r"^\| `newsfacts (\w+)", README, flags=re.MULTILINE))
    assert documented, "the README documents no command"
    assert documented <= set(cli.commands)  # type: ignore[attr-defined]


def test_every_shipped_check_is_documented() -> None:
    from warehouse.reconcile import list_checks

    for spec in list_checks():
        assert f"`{spec.name}`" in README, spec.name
