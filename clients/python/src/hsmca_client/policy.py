"""When to renew and how to retry: the Java client's ``RenewalPolicy``, with the notes' two overrides."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from .store import Credentials

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class Window:
    """What the CA says about the certificate in use (``GET /api/v1/certificates/current``)."""

    start: Optional[float]
    end: Optional[float]
    renew_now: bool
    status: Optional[str] = None


@dataclass(frozen=True)
class RenewalPolicy:
    """By default, as the Java client: at 2/3 of the lifetime (up to 5 % of it earlier, stable per certificate) or
    at a random point in the first half of the CA's window, whichever comes first, and at once when the CA says so
    (``renew_now``: an admin ran ``cert renew-early``). The CA is polled every 5 minutes (a 304 while nothing changed).

    ``renew_before`` (seconds; the notes' ``renew_before_days``) replaces that: renew this long before expiry,
    whatever the window says, except ``renew_now``, which always wins (it is how an admin answers a key compromise).
    It never makes a renewal due before half the lifetime: a threshold longer than the certificate lives would
    otherwise renew on every check. ``poll_interval`` (the notes' ``check_interval_hours``) replaces the 5 minutes.
    Failures back off exponentially from ``backoff_base`` up to ``backoff_cap``, with up to 20 % jitter.
    """

    fraction: float = 2.0 / 3.0
    jitter: float = 0.05
    renew_before: Optional[float] = None
    poll_interval: float = 5 * MINUTE
    backoff_base: float = 5.0
    backoff_cap: float = 5 * MINUTE

    def __post_init__(self) -> None:
        if not 0 < self.fraction < 1:
            raise ValueError("the renewal fraction must be between 0 and 1")
        if not 0 <= self.jitter < self.fraction:
            raise ValueError("the jitter must be at least 0 and below the fraction")
        if self.renew_before is not None and not self.renew_before > 0:
            raise ValueError("renew_before_days must be positive")
        if not (self.poll_interval > 0 and self.backoff_base > 0 and self.backoff_cap >= self.backoff_base):
            raise ValueError("the check interval and backoff must be positive, the cap at least the base")

    def own_due(self, c: Credentials) -> float:
        """The moment this client's own rule says to renew (epoch seconds)."""
        life = c.lifetime
        if self.renew_before is not None:
            return max(c.not_after - self.renew_before, c.not_before + life / 2)
        r = random.Random(int(c.serial, 16))  # stable per certificate; differs across a fleet
        return c.not_before + life * self.fraction - life * self.jitter * r.random()

    def due(self, c: Credentials, window: Optional[Window]) -> float:
        """The moment to renew, given what the CA said (None: nothing yet)."""
        own = self.own_due(c)
        if window is None:
            return own
        if window.renew_now:
            return float("-inf")
        if self.renew_before is not None or window.start is None:
            return own
        end = window.end if window.end is not None and window.end >= window.start else window.start
        r = random.Random(int(c.serial, 16) ^ int(window.start * 1000))
        in_window = window.start + (end - window.start) * r.random() * 0.5
        return min(in_window, own)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The delay before retry ``attempt`` (1, 2, ...): base x 2^(attempt-1), capped, minus up to 20 %."""
        delay = self.backoff_base
        for _ in range(1, attempt):
            if delay >= self.backoff_cap:
                break
            delay *= 2
        delay = min(delay, self.backoff_cap)
        return delay - delay * 0.2 * rng.random()

    def retry_delay(self, attempt: int, rng: random.Random, left: float) -> float:
        """The backoff, but at most a quarter of the ``left`` seconds before expiry (at least one second), so a
        certificate of minutes (the ``short-lived`` profile) gets several tries."""
        return min(self.backoff(attempt, rng), max(1.0, left / 4))

    def next_poll(self, rng: random.Random, lifetime: Optional[float] = None) -> float:
        """The next poll: the interval minus up to 20 %; at least ten polls in a certificate's ``lifetime``."""
        delay = self.poll_interval - self.poll_interval * 0.2 * rng.random()
        return delay if lifetime is None else min(delay, max(1.0, lifetime / 10))
