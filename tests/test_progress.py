"""The terminal progress bar of `newsfacts run`, drawn on a real rich console."""

from __future__ import annotations

import io

from rich.console import Console

from flows.progress import RunProgress


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80, color_system=None), out


def test_the_bar_follows_each_stage_and_leaves_the_screen_clean():
    console, out = _console()
    progress = RunProgress(True, console=console)
    assert progress.enabled
    progress.start("fetch", 3)
    for _ in range(3):
        progress.tick()
    assert progress.stage() == ("fetch", 3, 3)
    progress.start("parse", 2)  # a new stage replaces the old one
    progress.tick()
    assert progress.stage() == ("parse", 1, 2)
    progress.stop()
    assert not progress.enabled and progress.stage() is None
    drawn = out.getvalue()
    assert "parse" in drawn and "50%" in drawn  # it was drawn on the terminal...
    # ...and, being transient, erased at the end: the last thing written clears its line
    assert drawn.endswith("\x1b[2K")


def test_a_disabled_bar_draws_nothing_and_ignores_ticks():
    console, out = _console()
    progress = RunProgress(False, console=console)
    progress.start("extract", 5)
    progress.tick()
    progress.stop()
    assert not progress.enabled and progress.stage() is None
    assert out.getvalue() == ""
