import sys


class ProgressBar:
    """A progress bar for long commands: redrawn in place on a terminal, a line per tenth
    otherwise (logs and CI)."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30) -> None:
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self._last_tenth = -1
        self._draw()

    def advance(self, items: int = 1) -> None:
        self.done = min(self.total, self.done + items)
        self._draw()

    def finish(self) -> None:
        self.done = self.total
        self._draw()
        if self._interactive:
            self.stream.write("\n")
        self.stream.flush()

    @property
    def _interactive(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def _draw(self) -> None:
        fraction = self.done / self.total if self.total else 1.0
        if self._interactive:
            filled = round(self.width * fraction)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} ({fraction:.0%})")
        else:
            tenth = int(fraction * 10)
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({fraction:.0%})\n")
        self.stream.flush()
