"""The terminal progress bar of `newsfacts run`: on a real rich console, and in real runs of
the command on a pseudo-terminal and on pipes."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from webserver import NewsSite

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


# --------------------------------------------------------------------------- a real run


CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # cursor moves, erases, colours
HIDE_CURSOR, ERASE_LINE = "\x1b[?25l", "\x1b[2K"  # what a live bar writes, and nothing else does
BAR_LINE = re.compile(r"^(fetch|parse|extract) +[━╸╺]+ +\d+%", re.MULTILINE)  # "parse ━━━╸  40%"


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Iterator[Path]:
    """A sources file of the test site's feed and news sitemap: a fetch stage, then the rest."""
    with NewsSite() as site:
        path = tmp_path_factory.mktemp("progress") / "sources.toml"
        path.write_text(textwrap.dedent(f"""\
            [[sources]]
            name = "test-feed"
            feed = "{site.url('/feed.atom')}"
            allow_hosts = ["127.0.0.1"]

            [[sources]]
            name = "test-sitemap"
            sitemap = "{site.url('/sitemap-news.xml')}"
            allow_hosts = ["127.0.0.1"]
            """), encoding="utf-8")
        yield path


def run_cli(sources: Path, folder: Path, *, stdout_tty: bool, stderr_tty: bool) -> tuple[str, str]:
    """Run `newsfacts run` with stdout and stderr on a pseudo-terminal or a pipe; return both.

    When both are terminals they are one terminal, as in a shell: both strings are its output.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "COLUMNS", "LINES")}
    env |= {"PREFECT_HOME": str(folder / "prefect"), "PYTHONUTF8": "1", "TERM": "xterm-256color",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    command = [sys.executable, "-m", "flows.cli", "run", "--sources", str(sources),
               "--db", str(folder / "w.duckdb"), "--report", str(folder / "r.html")]
    master = terminal = None
    if stdout_tty or stderr_tty:
        master, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, env=env, cwd=folder,
        stdout=terminal if stdout_tty else subprocess.PIPE,
        stderr=terminal if stderr_tty else subprocess.PIPE,
    )
    drawn: list[bytes] = []
    reader = None
    if master is not None:
        os.close(terminal)  # the child holds it now; EOF (EIO) once every holder has exited

        def read() -> None:
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                drawn.append(chunk)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
    try:
        out, err = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
        if reader is not None:
            reader.join(timeout=60)
            os.close(master)
    screen = b"".join(drawn).decode("utf-8", "replace")
    assert process.returncode == 0, (screen + (err or b"").decode())[-3000:]
    return (screen if stdout_tty else out.decode()), (screen if stderr_tty else err.decode())


def stages_drawn(screen: str) -> list[str]:
    """Return the stage labels the bar drew, in order, each once."""
    labels = [m.group(1) for m in BAR_LINE.finditer(CSI.sub("", screen.replace("\r", "\n")))]
    return list(dict.fromkeys(labels))


def summary_line(text: str) -> str:
    (line,) = [line for line in CSI.sub("", text).splitlines() if line.startswith("run ")]
    return line


@pytest.mark.slow
def test_a_run_on_a_terminal_shows_each_stage_then_clears_the_bar(
    sources: Path, tmp_path: Path
) -> None:
    screen, _ = run_cli(sources, tmp_path, stdout_tty=True, stderr_tty=True)
    # each stage is drawn as it starts (add_task refreshes), in the flow's order
    assert stages_drawn(screen) == ["fetch", "parse", "extract"], screen[-2000:]
    assert HIDE_CURSOR in screen and ERASE_LINE in screen
    # transient: the bar is gone (cursor back, line erased) before the summary is printed
    assert screen.rindex(ERASE_LINE) < screen.index(summary_line(screen).split(":")[0])
    assert "(ok, " in summary_line(screen)


@pytest.mark.slow
def test_the_bar_is_drawn_on_stderr_so_piped_output_stays_plain(
    sources: Path, tmp_path: Path
) -> None:
    out, screen = run_cli(sources, tmp_path, stdout_tty=False, stderr_tty=True)
    assert stages_drawn(screen) == ["fetch", "parse", "extract"], screen[-2000:]
    assert HIDE_CURSOR in screen
    # `newsfacts run | tee log`: the summary, and not one control sequence, on the pipe
    assert "\x1b" not in out and "(ok, " in summary_line(out)


@pytest.mark.slow
def test_without_a_terminal_no_bar_is_drawn(sources: Path, tmp_path: Path) -> None:
    out, err = run_cli(sources, tmp_path, stdout_tty=False, stderr_tty=False)
    assert "(ok, " in summary_line(out)
    for text in (out, err):
        assert HIDE_CURSOR not in text and ERASE_LINE not in text
        assert not BAR_LINE.search(text)
