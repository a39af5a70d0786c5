"""The background loop (the Java client's ``AutoRenewer``): polls the CA's renewal window, renews when due, backs
off while the CA is down (the files in use stay as they are), and stops for good on a revoked or expired
certificate, which cannot renew itself."""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Callable, Optional, Protocol, Tuple


from .errors import PKIClientError
from .policy import HOUR, RenewalPolicy, Window
from .store import Credentials

LOG = logging.getLogger("hsmca_client")
FINAL = ("certificate_revoked", "certificate_expired")
MAX_SLEEP = HOUR  # wake at least hourly: a suspended machine's monotonic sleep may not count the time it slept


class Renewable(Protocol):
    def credentials(self) -> Optional[Credentials]: ...

    def poll(self, etag: Optional[str]) -> Optional[Tuple[Window, Optional[str]]]: ...

    def renew_if_still_due(self, serial: str) -> Credentials: ...

    def sync(self) -> None: ...


class AutoRenewer:
    def __init__(self, client: Renewable, policy: RenewalPolicy, clock: Callable[[], float] = time.time,
                 rng: Optional[random.Random] = None) -> None:
        self.client = client
        self.policy = policy
        self.clock = clock
        self.rng = rng or random.Random()
        self.window: Optional[Window] = None
        self.etag: Optional[str] = None
        self.window_for: Optional[str] = None
        self.next_poll = float("-inf")
        self.failures = 0
        self.stopped_because: Optional[PKIClientError] = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # ----- the thread ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pki-auto-renewal", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Look again now (after a manual renewal, or in tests)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception as e:  # never let the thread die silently: log, back off, try again
                self.failures += 1
                wait = self.policy.backoff(self.failures, self.rng)
                LOG.error("auto-renewal: unexpected failure (retrying in %.0f s): %r", wait, e)
            if wait is None:
                return
            self._wake.wait(min(max(wait, 0.0), MAX_SLEEP))
            self._wake.clear()

    # ----- one round -----------------------------------------------------------------------------------------------

    def step(self) -> Optional[float]:
        """One round: the seconds until the next, or None to stop."""
        self.client.sync()  # another process (a worker sharing the folder) may have renewed
        c = self.client.credentials()
        if c is None:
            return self.policy.poll_interval
        now = self.clock()
        if now >= self.next_poll:
            try:
                self._poll(c)
            except PKIClientError as e:
                if self._final(e, c):
                    return None
                LOG.debug("auto-renewal: cannot read the renewal window: %s", e)
            self.next_poll = now + self.policy.next_poll(self.rng, c.lifetime)
        due = self.policy.due(c, self.window)
        if now < due:
            self.failures = 0
            return max(0.0, min(due - now, self.next_poll - now))
        try:
            self.client.renew_if_still_due(c.serial)
        except PKIClientError as e:
            if self._final(e, c):
                return None
            self.failures += 1
            left = c.not_after - self.clock()
            retry = self.policy.retry_delay(self.failures, self.rng, left)
            if e.retry_after is not None:
                retry = max(retry, min(e.retry_after, self.policy.backoff_cap, max(1.0, left / 4)))
            urgent = left < c.lifetime / 10 or left < HOUR
            LOG.log(logging.ERROR if urgent else logging.WARNING,
                    "auto-renewal of %s failed (attempt %d; %.0f s left before it expires; the files in use are kept; "
                    "retrying in %.0f s): %s", c.serial, self.failures, left, retry, e)
            return retry
        self.failures = 0
        self.window = None
        self.etag = None
        self.next_poll = self.clock()
        return 0.0

    def _poll(self, c: Credentials) -> None:
        if c.serial != self.window_for:
            self.etag = None
            self.window = None
            self.window_for = c.serial
        answer = self.client.poll(self.etag)
        if answer is not None:
            self.window, self.etag = answer

    def _final(self, e: PKIClientError, c: Credentials) -> bool:
        if e.code not in FINAL:
            return False
        self.stopped_because = e
        if e.code == "certificate_revoked":
            LOG.error("certificate %s is REVOKED; it cannot renew itself: request a certificate again with a new "
                      "install token", c.serial)
        else:
            LOG.error("certificate %s EXPIRED before it could be renewed: request a certificate again with a new "
                      "install token", c.serial)
        self._stop.set()
        return True
