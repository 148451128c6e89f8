"""How many failed guesses someone may make before they must wait: a sliding window over failures only.

N failures within the last `window_seconds` block the key until the oldest of those N leaves the window
(the rest of the window). Successes are never recorded, so a busy door scanning real tickets is never
throttled; attempts refused while blocked are not recorded either, so a blocked person waits at most one
window, however often they try meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class AttemptPolicy:
    max_failures: int = 10
    window_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window_seconds <= 0:
            raise ValueError("an attempt policy needs at least one failure and a positive window")

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)

    def recent(self, failures: Iterable[datetime], now: datetime) -> list[datetime]:
        """The failures still inside the window ending at `now`, oldest first."""
        cutoff = now - self.window
        return sorted(f for f in failures if f > cutoff)

    def retry_after(self, failures: Iterable[datetime], now: datetime) -> float | None:
        """Seconds until the key may try again, or None when it may try now."""
        recent = self.recent(failures, now)
        if len(recent) < self.max_failures:
            return None
        wait = (recent[-self.max_failures] + self.window - now).total_seconds()
        return wait if wait > 0 else None


def whole_seconds(wait: float) -> int:
    """What a person is told: whole seconds, rounded up, never 0."""
    return max(math.ceil(wait), 1)
