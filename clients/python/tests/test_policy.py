"""When to renew (the Java client's RenewalPolicy and AutoRenewer), with a fixed clock and a fake CA object."""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hsmca_client.errors import CAUnavailableError, PKIClientError
from hsmca_client.policy import DAY, RenewalPolicy, Window
from hsmca_client.renewer import AutoRenewer
from hsmca_client.store import Credentials

T0 = 1_800_000_000.0  # a fixed "now"
LIFE = 90 * DAY


def credentials(serial: int, not_before: float = T0, life: float = LIFE) -> Credentials:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "api")])
    nb = datetime.datetime.fromtimestamp(not_before, datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(nb).not_valid_after(nb + datetime.timedelta(seconds=life))
            .sign(key, hashes.SHA256()))
    return Credentials(key, cert, [], [], Path("c"), Path("k"))


def test_default_is_two_thirds_of_the_lifetime_minus_a_stable_jitter() -> None:
    policy = RenewalPolicy()
    dues = []
    for serial in range(1, 200):
        c = credentials(serial)
        due = policy.own_due(c)
        assert T0 + LIFE * (2 / 3 - 0.05) <= due <= T0 + LIFE * 2 / 3
        assert policy.own_due(c) == due, "stable for one certificate"
        dues.append(due)
    assert max(dues) - min(dues) > LIFE * 0.03, "spread across a fleet"


def test_the_cas_window_moves_it_earlier_never_later() -> None:
    policy = RenewalPolicy()
    c = credentials(7)
    early = Window(T0 + 10 * DAY, T0 + 20 * DAY, False)
    due = policy.due(c, early)
    assert T0 + 10 * DAY <= due <= T0 + 15 * DAY, "a random point in the first half of the window"
    late = Window(T0 + 80 * DAY, T0 + 85 * DAY, False)
    assert policy.due(c, late) == policy.own_due(c)
    assert policy.due(c, Window(T0 + 80 * DAY, T0 + 85 * DAY, True)) == float("-inf"), "renew_now: at once"


def test_renew_before_days_overrides_the_window_but_not_renew_now() -> None:
    policy = RenewalPolicy(renew_before=30 * DAY)
    c = credentials(7)
    assert policy.own_due(c) == T0 + 60 * DAY
    assert policy.due(c, Window(T0 + 10 * DAY, T0 + 20 * DAY, False)) == T0 + 60 * DAY
    assert policy.due(c, Window(T0 + 10 * DAY, T0 + 20 * DAY, True)) == float("-inf")
    short = credentials(8, life=20 * DAY)
    assert policy.own_due(short) == T0 + 10 * DAY, "a threshold longer than the lifetime renews at half-life, not in a loop"


def test_the_timing_holds_from_five_minutes_to_a_year() -> None:
    """The short-lived profile's certificates (minutes to days) renew after half their life and before expiry, retry
    within a quarter of what is left, and are polled at least ten times in their life, as long ones are."""
    rng = random.Random(7)
    for _ in range(300):
        life = rng.uniform(300, 400 * DAY)
        c = credentials(rng.randrange(1, 2**64), life=life)
        before = rng.choice([None, rng.uniform(1, 60 * DAY)])
        policy = RenewalPolicy(renew_before=before)
        due = policy.own_due(c)
        assert c.not_before + c.lifetime / 2 - 1e-3 <= due < c.not_after, (c.lifetime, before, due - T0)
        left = rng.uniform(0, life)
        retry = policy.retry_delay(rng.randint(1, 40), rng, left)
        assert 0 < retry <= max(1.0, left / 4), (retry, left)
        assert policy.next_poll(rng, life) <= max(1.0, life / 10)


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    policy = RenewalPolicy()
    rng = random.Random(1)
    delays = [policy.backoff(n, rng) for n in range(1, 10)]
    for n, d in enumerate(delays, 1):
        nominal = min(5 * 2 ** (n - 1), 300)
        assert nominal * 0.8 <= d <= nominal
    assert RenewalPolicy(poll_interval=3600).next_poll(rng) <= 3600


def test_bad_policies_are_refused() -> None:
    for kwargs in ({"fraction": 1.0}, {"renew_before": 0}, {"poll_interval": 0}, {"backoff_cap": 1}):
        with pytest.raises(ValueError):
            RenewalPolicy(**kwargs)  # type: ignore[arg-type]


class FakeClient:
    """What the renewer calls, scripted: the CA's answers and renewals."""

    def __init__(self, c: Credentials) -> None:
        self.c = c
        self.windows: List[Optional[Tuple[Window, Optional[str]]]] = []
        self.renew_errors: List[PKIClientError] = []
        self.renewed: List[str] = []
        self.polls: List[Optional[str]] = []
        self.next_serial = 100

    def credentials(self) -> Credentials:
        return self.c

    def poll(self, etag: Optional[str]) -> Optional[Tuple[Window, Optional[str]]]:
        self.polls.append(etag)
        return self.windows.pop(0) if self.windows else None

    def renew_if_still_due(self, serial: str) -> Credentials:
        if self.renew_errors:
            raise self.renew_errors.pop(0)
        self.renewed.append(serial)
        self.next_serial += 1
        self.c = credentials(self.next_serial, not_before=clock.now)
        return self.c

    def sync(self) -> None:
        pass


class Clock:
    now = T0


clock = Clock()


def renewer(c: Credentials, policy: RenewalPolicy = RenewalPolicy()) -> Tuple[AutoRenewer, FakeClient]:
    clock.now = T0
    fake = FakeClient(c)
    return AutoRenewer(fake, policy, lambda: clock.now, random.Random(3)), fake


def test_waits_until_due_polling_cheaply_then_renews() -> None:
    r, fake = renewer(credentials(5))
    fake.windows = [(Window(T0 + 60 * DAY, T0 + 75 * DAY, False), '"e1"')]
    wait = r.step()
    assert wait is not None and 0 < wait <= 300, "next: the next poll"
    assert fake.polls == [None]
    clock.now += wait
    r.step()
    assert fake.polls == [None, '"e1"'], "the ETag is sent back: a 304 while nothing changed"
    assert not fake.renewed
    clock.now = r.policy.due(fake.c, r.window)
    assert r.step() == 0.0 and fake.renewed == [format(5, "x")]
    assert r.window is None, "the new certificate's window is asked afresh"


def test_renews_at_once_when_the_ca_says_so() -> None:
    r, fake = renewer(credentials(5))
    fake.windows = [(Window(T0 - 1, T0 + 5, True), '"e2"')]
    assert r.step() == 0.0 and fake.renewed


def test_backs_off_while_the_ca_is_down_and_recovers() -> None:
    r, fake = renewer(credentials(5), RenewalPolicy(renew_before=DAY))
    clock.now = T0 + 89.2 * DAY  # due
    fake.renew_errors = [CAUnavailableError("down", "unreachable") for _ in range(4)]
    waits = [r.step() for _ in range(4)]
    assert [w is not None for w in waits] == [True] * 4
    assert waits[0] is not None and waits[3] is not None and waits[3] > waits[0] * 4, "exponential: %r" % waits
    assert r.failures == 4 and not fake.renewed
    assert r.step() == 0.0 and fake.renewed and r.failures == 0


def test_a_retry_after_is_respected() -> None:
    r, fake = renewer(credentials(5), RenewalPolicy(renew_before=DAY))
    clock.now = T0 + 89.2 * DAY
    fake.renew_errors = [CAUnavailableError("busy", "store_unavailable", 503, retry_after=60)]
    wait = r.step()
    assert wait is not None and wait >= 60


@pytest.mark.parametrize("code", ["certificate_revoked", "certificate_expired"])
def test_stops_for_good_when_renewal_cannot_help(code: str) -> None:
    r, fake = renewer(credentials(5), RenewalPolicy(renew_before=DAY))
    clock.now = T0 + 89.2 * DAY
    fake.renew_errors = [PKIClientError("no", code, 403)]
    assert r.step() is None
    assert r.stopped_because is not None and r.stopped_because.code == code
