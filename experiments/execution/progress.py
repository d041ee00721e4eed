"""Progress of an experiment: a bar on a terminal, plain periodic lines otherwise (logs, CI)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
LINE_EVERY_S = 10.0
LINE_EVERY_SHARE = 0.05
REDRAW_EVERY_S = 0.2


def _clock(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):  # NaN or unknown
        return "--:--"
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    """Counts finished and failed runs against the total and shows done/total, failures, rate and ETA.

    Args:
        total: Runs in the experiment (including those already done before a resume).
        done: Runs already done (resume).
        label: Shown before the counts.
        stream: Where to write (default stderr); a TTY gets a redrawn bar, anything else plain lines every
            ~5% of the runs or 10 s.
        enabled: False to stay silent.
    """

    def __init__(
        self, total: int, done: int = 0, label: str = "runs", stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.total, self.done, self.failed, self.label = total, done, 0, label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.done_at_start = done
        self._last_time = 0.0
        self._last_done = done
        self.estimated: float | None = None

    def estimate(self, per_run_s: float, runs: int, workers: int) -> str:
        """Print (and show with the progress from now on) the study's expected wall time: ``runs`` × the measured
        time per run ÷ ``workers``.

        Args:
            per_run_s: Seconds per run, measured on the first batch.
            runs: Runs this session has to do.
            workers: Workers running them in parallel.

        Returns:
            The line printed.
        """
        self.estimated = runs * per_run_s / max(1, workers)
        w = f"{workers} workers" if workers != 1 else "1 worker"
        line = f"estimate: {runs} runs × {per_run_s:.2f} s per run ÷ {w} ≈ {_clock(self.estimated)}"
        if self.enabled:
            self._write(("\r\033[K" if self.tty else "") + line + "\n")
        return line

    def update(self, ok: bool) -> None:
        """Count one finished run."""
        self.done += 1
        self.failed += 0 if ok else 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last_time >= REDRAW_EVERY_S or self.done == self.total:
                self._write("\r" + self.text(now))
                self._last_time = now
        elif (
            now - self._last_time >= LINE_EVERY_S
            or self.done - self._last_done >= max(1, LINE_EVERY_SHARE * self.total)
            or self.done == self.total
        ):
            self._write(self.text(now) + "\n")
            self._last_time, self._last_done = now, self.done

    def text(self, now: float | None = None) -> str:
        """The current status line."""
        now = time.monotonic() if now is None else now
        elapsed = now - self.start
        ran = self.done - self.done_at_start
        rate = ran / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        share = self.done / self.total if self.total else 1.0
        fail = f", {self.failed} failed" if self.failed else ""
        counts = f"{self.done}/{self.total} {self.label}{fail}"
        est = f" (estimate {_clock(self.estimated)})" if self.estimated is not None else ""
        timing = f"{rate:.1f}/s, elapsed {_clock(elapsed)}{est}, ETA {_clock(eta)}"
        if not self.tty:
            return f"{counts} ({100 * share:.0f}%) {timing}"
        filled = int(BAR_WIDTH * share)
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {counts} {timing}"

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
