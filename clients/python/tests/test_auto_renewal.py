"""The background thread against the fake CA: the CA's window, a CA that is down, a revoked certificate, and
several processes (workers) sharing one folder."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path
from typing import Callable, List

import pytest

from hsmca_client import PKIClient, client as client_module
from hsmca_client.policy import RenewalPolicy
from fakeca import FakeCA

FILES = ("cert.pem", "key.pem", "chain.pem", "ca_chain.pem")
TICK_HOURS = 0.1 / 3600  # the CA asked every 0.1 s


def eventually(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Polls; the deadline is only there so that a hang fails."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("never: " + what)
        time.sleep(0.02)


def enrolled(ca: FakeCA, tmp_path: Path, service: str = "api") -> PKIClient:
    pki = PKIClient(ca.url, service, install_token=ca.token(service, "api.example.test"), ca_bundle=ca.root_pem,
                    cert_dir=tmp_path)
    pki.request_certificate("api.example.test")
    return pki


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "RenewalPolicy", functools.partial(RenewalPolicy, backoff_base=0.05,
                                                                          backoff_cap=0.2))


def test_follows_the_cas_window_and_renews_when_it_says_so(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    first = pki.get_certificate_info()["serial"]
    ctx = pki.get_ssl_context()
    with pki:
        pki.enable_auto_renewal(check_interval_hours=TICK_HOURS)
        eventually(lambda: fake_ca.count("GET", "/api/v1/certificates/current") >= 5, "five polls")
        assert pki.get_certificate_info()["serial"] == first, "the window (at 2/3 of an hour) is not open yet"
        assert pki.get_certificate_info()["renew_after"] is not None
        fake_ca.renew_early(first)  # an admin: bin/appliance cert renew-early --serial ...
        eventually(lambda: pki.get_certificate_info()["serial"] != first, "renewed after renew-early")
        second = pki.get_certificate_info()["serial"]
        assert ctx.hsmca_serial == second  # type: ignore[attr-defined]
        eventually(lambda: fake_ca.count("GET", "/api/v1/certificates/current") >= 12, "polls go on")
        assert pki.get_certificate_info()["serial"] == second, "the new certificate's window is its own"
    assert not pki.get_certificate_info()["auto_renewal"]


def test_while_the_ca_is_down_the_files_are_kept_and_it_retries(fake_ca: FakeCA, tmp_path: Path,
                                                                fast_backoff: None) -> None:
    pki = enrolled(fake_ca, tmp_path)
    folder = pki.cert_dir
    before = {f: (folder / f).read_bytes() for f in FILES}
    first = pki.get_certificate_info()["serial"]
    pki._clock = lambda: time.time() + 50 * 60  # 50 minutes on: past 2/3 of the hour, still valid
    fake_ca.mode = "down"
    pki.enable_auto_renewal(check_interval_hours=TICK_HOURS)
    try:
        renewer = pki._renewer
        assert renewer is not None
        eventually(lambda: renewer.failures >= 4, "retries with backoff")
        assert {f: (folder / f).read_bytes() for f in FILES} == before, "the files in use are untouched"
        assert pki.get_certificate_info()["serial"] == first
        assert renewer.running
        fake_ca.mode = "up"
        eventually(lambda: pki.get_certificate_info()["serial"] != first, "renewed once the CA is back")
        eventually(lambda: renewer.failures == 0, "the failure count reset after the renewal")
        assert (folder / "cert.pem").read_bytes() != before["cert.pem"]
    finally:
        pki.disable_auto_renewal()


def test_a_revoked_certificate_stops_the_thread(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    fake_ca.revoke(pki.get_certificate_info()["serial"])
    pki.enable_auto_renewal(check_interval_hours=TICK_HOURS)
    renewer = pki._renewer
    assert renewer is not None
    eventually(lambda: not renewer.running, "stopped")
    assert renewer.stopped_because is not None and renewer.stopped_because.code == "certificate_revoked"
    pki.disable_auto_renewal()


def test_workers_sharing_a_folder_spend_one_token_and_renew_once(fake_ca: FakeCA, tmp_path: Path) -> None:
    """uvicorn --workers N: each process runs the startup handler with the same token."""
    token = fake_ca.token("api", "api.example.test")
    workers = [PKIClient(fake_ca.url, "api", install_token=token, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
               for _ in range(4)]
    serials: List[str] = []
    errors: List[BaseException] = []

    def start(pki: PKIClient) -> None:
        try:
            serials.append(pki.request_certificate("api.example.test")["serial"])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=start, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(set(serials)) == 1 and len(serials) == 4
    assert fake_ca.count("POST", "/api/v1/certificates") == 1
    contexts = [w.get_ssl_context() for w in workers]
    for w in workers:
        w.enable_auto_renewal(check_interval_hours=TICK_HOURS)
    try:
        fake_ca.renew_early(serials[0])  # every worker sees renew_now at its next poll
        eventually(lambda: len({c.hsmca_serial for c in contexts}) == 1  # type: ignore[attr-defined]
                   and contexts[0].hsmca_serial != serials[0], "every worker serves the renewed certificate")
        time.sleep(0.5)
        renewals = fake_ca.count("POST", "/api/v1/certificates/renew")
        assert renewals == 1, "one worker renewed; the others took up its certificate (%d renewals)" % renewals
    finally:
        for w in workers:
            w.disable_auto_renewal()
