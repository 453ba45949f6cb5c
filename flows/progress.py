"""The terminal progress bar of `newsfacts run`: one bar per stage (fetch, parse, extract)."""

from __future__ import annotations

from typing import Any


class RunProgress:
    """A rich progress bar that shows one stage at a time; does nothing when disabled.

    ``console`` (a ``rich.console.Console``) is where the bar is drawn; by default a console on
    stderr, the stream whose terminal `newsfacts run` checks, so that piped output (the summary,
    on stdout) stays plain. The bar is transient: it disappears when the run ends.
    """

    def __init__(self, enabled: bool, console: Any = None) -> None:
        self._bar: Any = None
        self._task: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import Progress

            # rich's default console is stdout's: the bar would vanish with `newsfacts run | tee`
            self._bar = Progress(transient=True, console=console or Console(stderr=True))
            self._bar.start()

    @property
    def enabled(self) -> bool:
        """Return True while the bar is on screen."""
        return self._bar is not None

    def start(self, label: str, total: int) -> None:
        """Replace the current stage with a new one of ``total`` steps."""
        if self._bar is not None:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(label, total=total)

    def tick(self) -> None:
        """Advance the current stage by one step."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def stage(self) -> tuple[str, float, float | None] | None:
        """Return the current stage as (label, completed, total), or None when there is none."""
        if self._bar is None or self._task is None:
            return None
        task = self._bar.tasks[0]
        return task.description, task.completed, task.total

    def stop(self) -> None:
        """Take the bar off the screen."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
