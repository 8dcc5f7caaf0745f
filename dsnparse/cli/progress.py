"""What the main command tells on stderr besides errors: a progress line on long runs and the
closing summary (messages by kind, records by kind, unreadable inputs, limit hits)."""

from __future__ import annotations

import time
from collections import Counter
from typing import TextIO

from ..io.parallel import Parsed


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {n}" for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _many(n: int, word: str) -> str:
    return f"{n} {word}" if n != 1 else f"1 {word.removesuffix('s')}"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def progress_line(messages: int, done: int, total: int | None, elapsed: float) -> str:
    """``1,200 messages, 4.1 of 9.8 MB (42%), 300/s, about 14s left``; without a known total,
    the count and the rate only."""
    rate = messages / max(elapsed, 1e-9)
    line = f"{messages:,} messages, {rate:,.0f}/s"
    if total:
        share = min(done / total, 1.0)
        line = f"{messages:,} messages, {done / 1e6:,.1f} of {total / 1e6:,.1f} MB ({share:.0%}), {rate:,.0f}/s"
        if 0 < share < 1:
            line += f", about {_duration(elapsed * (1 - share) / share)} left"
    return line


class Progress:
    """A progress line rewritten in place on a terminal, at most twice a second."""

    INTERVAL = 0.5

    def __init__(self, out: TextIO, total: int | None):
        self.out = out
        self.total = total
        self.started = time.monotonic()
        self.shown = 0.0
        self.written = False

    def update(self, messages: int, done: int) -> None:
        """Show the count (and estimate) when half a second passed since the last line."""
        now = time.monotonic()
        if now - self.shown < self.INTERVAL:
            return
        self.shown = now
        self.out.write("\r" + progress_line(messages, done, self.total, now - self.started) + "\x1b[K")
        self.out.flush()
        self.written = True

    def clear(self) -> None:
        """Erase the progress line (before another line is written to the same stream)."""
        if self.written:
            self.out.write("\r\x1b[K")
            self.written = False
            self.shown = 0.0

    def end(self) -> None:
        """Leave the line (if one was shown) for what follows."""
        if self.written:
            self.out.write("\n")
            self.out.flush()


class Tally:
    """Counts for the summary line: messages and records kept apart, each by kind."""

    def __init__(self) -> None:
        self.messages: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.limits: Counter[str] = Counter()
        self.unreadable = 0
        self.unparsed = 0
        self.limited = 0

    def add(self, out: Parsed) -> None:
        """Count one outcome."""
        if out.unreadable:
            self.unreadable += 1
            return
        if out.error is not None:
            self.unparsed += 1
        self.messages[out.kind] += 1
        self.records.update(str(r.get("kind") or out.kind) for r in out.records)
        if out.limits:
            self.limited += 1
            self.limits.update(out.limits)

    def line(self) -> str:
        """``12 messages (failure 9, delay 3); 14 records (failure 11, delay 3); 1 unreadable; ...``."""
        total = sum(self.messages.values())
        parts = [_many(total, "messages") + (f" ({_counts(self.messages)})" if total else "")]
        n = sum(self.records.values())
        parts.append(_many(n, "records") + (f" ({_counts(self.records)})" if n else ""))
        parts.append(f"{self.unreadable} unreadable")
        if self.unparsed:
            parts.append(f"{self.unparsed} unparseable")
        parts.append(f"{self.limited} hit a limit" + (f" ({_counts(self.limits)})" if self.limited else ""))
        return "; ".join(parts)
