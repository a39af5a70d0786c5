"""Against a real appliance (the packaged jar, SoftHSM, ``ca init``; see appliance.py): enrollment, refusals,
renewal, the registry, the CA's renewal window, and a uvicorn service whose 5-minute certificate renews under
httpx and requests clients doing mTLS against it."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional, Set

import httpx
import pytest
import requests
from cryptography import x509

from appliance import Appliance
from hsmca_client import PKIClient, PKIClientError

HERE = Path(__file__).resolve().parent


def eventually(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout  # only so that a hang fails
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("never: " + what)
        time.sleep(0.1)


def serial_of(der: bytes) -> str:
    return format(x509.load_der_x509_certificate(der).serial_number, "x")


def test_enroll_refuse_renew_register(appliance: Appliance, tmp_path: Path) -> None:
    token = appliance.token("py-api", ["py-api.example.test", "localhost"], ["127.0.0.1"])
    pki = PKIClient(appliance.url, "py-api", install_token=token, ca_bundle=appliance.root, cert_dir=tmp_path)
    info = pki.request_certificate("py-api.example.test", san_dns=["localhost"], san_ip=["127.0.0.1"], validity="10m")
    status, stored = appliance.call("GET", "/api/v1/certificates/" + info["serial"])
    assert status == 200 and stored["service"] == "py-api"
    assert sorted(stored["dns_names"]) == ["localhost", "py-api.example.test"] and stored["ip_addresses"] == ["127.0.0.1"]
    assert info["days_until_expiry"] == 0 and info["not_after"] == stored["not_after"].replace(".000", "")

    again = PKIClient(appliance.url, "py-api", install_token=token, ca_bundle=appliance.root, cert_dir=tmp_path / "b")
    with pytest.raises(PKIClientError) as e:
        again.request_certificate("py-api.example.test")
    assert (e.value.code, e.value.status, e.value.message) == ("token_used", 401,
                                                               "this install token has already been used")
    other = PKIClient(appliance.url, "py-api", ca_bundle=appliance.root, cert_dir=tmp_path / "c",
                      install_token=appliance.token("py-api", ["py-api.example.test"]))
    with pytest.raises(PKIClientError) as e:
        other.request_certificate("evil.example.test")
    assert e.value.code == "name_not_allowed" and e.value.status == 403 and "evil.example.test" in e.value.message

    window = pki.poll(None)
    assert window is not None and window[0].start is not None and not window[0].renew_now and window[1]
    assert pki.poll(window[1]) is None, "unchanged: a 304 for the ETag"

    renewed = pki.renew_certificate()
    assert renewed["serial"] != info["serial"]
    assert (renewed["san_dns"], renewed["san_ip"]) == (info["san_dns"], info["san_ip"])
    status, seen = appliance.call("GET", "/api/v1/services/py-api")
    assert status == 200 and seen["last_seen"] is not None, "its polls of the renewal window were seen"

    answer = pki.register_service(service_name="Py API", endpoints=["https://py-api.example.test:8001",
                                                                    "wss://py-api.example.test:8001/ws/jobs"],
                                  health_check_url="https://py-api.example.test:8001/health",
                                  metadata={"version": "1.0.0", "workers": {"io": 36, "cpu": 36}})
    assert answer["service_id"] == "py-api" and answer["display_name"] == "Py API"
    status, registered = appliance.call("GET", "/api/v1/services/py-api")
    assert status == 200 and registered["current_certificate"]["serial"] == renewed["serial"]
    assert registered["endpoints"] == ["https://py-api.example.test:8001", "wss://py-api.example.test:8001/ws/jobs"]
    assert registered["metadata"] == {"version": "1.0.0", "workers": {"io": 36, "cpu": 36}}


def test_containers_enroll_on_their_own_with_an_enrollment_key(appliance: Appliance, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    status, created = appliance.call("POST", "/api/v1/enroll-keys", {
        "service": "py-shop", "allowed_dns": ["*.py-shop.svc.cluster.local"], "max_uses": 2, "max_validity": "1d"})
    assert status == 201 and created["key"].startswith("hek_"), created
    monkeypatch.setenv("PKI_ENROLL_KEY", created["key"])
    serials = []
    for n in (1, 2):  # two containers that start fresh, each with an empty folder and the same secret
        pki = PKIClient(appliance.url, "py-shop", ca_bundle=appliance.root, cert_dir=tmp_path / ("c%d" % n))
        info = pki.request_certificate("cart-%d.py-shop.svc.cluster.local" % n)
        serials.append(info["serial"])
        status, stored = appliance.call("GET", "/api/v1/certificates/" + info["serial"])
        assert status == 200 and stored["service"] == "py-shop"
    assert len(set(serials)) == 2

    third = PKIClient(appliance.url, "py-shop", ca_bundle=appliance.root, cert_dir=tmp_path / "c3")
    with pytest.raises(PKIClientError) as e:
        third.request_certificate("cart-3.py-shop.svc.cluster.local")
    assert (e.value.code, e.value.status) == ("enroll_key_exhausted", 403)
    status, page = appliance.call("GET", "/api/v1/enroll-keys?service=py-shop")
    assert status == 200 and [(k["uses"], k["state"]) for k in page["enroll_keys"]] == [(2, "exhausted")]


def test_auto_renewal_follows_the_appliances_window(appliance: Appliance, tmp_path: Path) -> None:
    token = appliance.token("py-window", ["py-window.example.test"])
    with PKIClient(appliance.url, "py-window", install_token=token, ca_bundle=appliance.root,
                   cert_dir=tmp_path) as pki:
        first = pki.request_certificate("py-window.example.test", validity="5m")["serial"]
        polls: List[Optional[str]] = []
        poll = pki.poll

        def counting(etag: Optional[str]) -> Any:
            polls.append(etag)
            return poll(etag)

        pki.poll = counting  # type: ignore[method-assign]
        pki.enable_auto_renewal(check_interval_hours=0.5 / 3600)
        eventually(lambda: len(polls) >= 4, "several polls")
        renew_after = datetime.datetime.fromisoformat(pki.get_certificate_info()["renew_after"].replace("Z", "+00:00"))
        assert renew_after > datetime.datetime.now(datetime.timezone.utc), "the window opens later (2/3 of 5 minutes)"
        assert pki.get_certificate_info()["serial"] == first, "nothing renewed before the window"
        assert polls[-1] is not None, "later polls send the ETag back (a 304 while nothing changed)"
        appliance.renew_early("py-window")  # bin/appliance cert renew-early --service py-window
        eventually(lambda: pki.get_certificate_info()["serial"] != first, "renewed once the CA moved the window")
        status, current = appliance.call("GET", "/api/v1/certificates/" + pki.get_certificate_info()["serial"])
        assert status == 200 and current["service"] == "py-window"


class Loop(threading.Thread):
    """Requests over new connections, one after the other, recording the serial each handshake presented."""

    def __init__(self, name: str, request: Callable[[], str]) -> None:
        super().__init__(name=name, daemon=True)
        self.request = request
        self.serials: List[str] = []
        self.failures: List[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.serials.append(self.request())
            except Exception as e:  # noqa: BLE001 - every failed request counts
                self.failures.append(repr(e))

    def after(self, serial: str) -> int:
        return sum(1 for s in self.serials if s != serial)


def test_uvicorn_serves_the_renewed_certificate_without_a_restart(appliance: Appliance, tmp_path: Path) -> None:
    server_token = appliance.token("hot-api", ["localhost"], ["127.0.0.1"])
    caller = PKIClient(appliance.url, "hot-caller", ca_bundle=appliance.root, cert_dir=tmp_path / "caller",
                       install_token=appliance.token("hot-caller", ["hot-caller.example.test"]))
    caller.request_certificate("hot-caller.example.test", validity="10m")
    port_file = tmp_path / "port"
    log = (tmp_path / "hot-server.log").open("wb")
    server = subprocess.Popen([sys.executable, str(HERE / "hot_server.py"), appliance.url, "hot-api",
                               str(appliance.root), str(tmp_path / "server"), str(port_file)],
                              env=dict(os.environ, PKI_INSTALL_TOKEN=server_token), stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    loops: List[Loop] = []
    try:
        eventually(lambda: port_file.is_file() and port_file.read_text().strip() != "", "the server's port")
        url = "https://localhost:%s/" % port_file.read_text().strip()
        h_verify, h_cert = caller.get_httpx_config()
        r_verify, r_cert = caller.get_requests_config()

        def with_httpx() -> str:
            with httpx.Client(verify=h_verify, cert=h_cert, timeout=30) as client:  # a new connection each time
                response = client.get(url)
                assert response.status_code == 200 and response.json()["service"] == "hot-api", response.text
                ssl_object = response.extensions["network_stream"].get_extra_info("ssl_object")
                return serial_of(ssl_object.getpeercert(True))

        def with_requests() -> str:
            with requests.Session() as session:
                response = session.get(url, verify=r_verify, cert=r_cert, stream=True, timeout=30)
                try:
                    served = serial_of(response.raw.connection.sock.getpeercert(binary_form=True))
                    assert response.status_code == 200 and response.json()["service"] == "hot-api", response.text
                    return served
                finally:
                    response.close()

        def up() -> bool:
            try:
                with_httpx()
                return True
            except (httpx.HTTPError, OSError):
                assert server.poll() is None, "the server exited: " + (tmp_path / "hot-server.log").read_text()
                return False

        eventually(up, "the service answers")
        first = with_httpx()
        loops = [Loop("httpx", with_httpx), Loop("requests", with_requests)]
        for loop in loops:
            loop.start()
        eventually(lambda: all(len(loop.serials) >= 10 for loop in loops), "requests before the renewal")
        appliance.renew_early("hot-api")  # the CA opens the window now; the service renews at its next poll
        eventually(lambda: all(loop.after(first) >= 20 for loop in loops), "both clients see the new certificate")
    finally:
        for loop in loops:
            loop.stop.set()
        for loop in loops:
            loop.join(60)
        pid_alive_before_stop = server.poll() is None
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()
    assert pid_alive_before_stop, "one process throughout: no restart"
    print("hot reload: %s" % ", ".join("%s %d requests (%d after the renewal)" % (loop.name, len(loop.serials),
                                                                               loop.after(first)) for loop in loops))
    for loop in loops:
        assert loop.failures == [], "%s: %d failed requests: %s" % (loop.name, len(loop.failures), loop.failures[:3])
        served: Set[str] = set(loop.serials)
        assert first in served and len(served) == 2, "%s saw %s" % (loop.name, served)
    renewed = (set(loops[0].serials) - {first}).pop()
    status, new = appliance.call("GET", "/api/v1/certificates/" + renewed)
    assert status == 200 and new["service"] == "hot-api"
    status, old = appliance.call("GET", "/api/v1/certificates/" + first)
    lifetime = datetime.datetime.fromisoformat(old["not_after"].replace("Z", "+00:00")) - \
        datetime.datetime.fromisoformat(old["not_before"].replace("Z", "+00:00"))
    assert lifetime <= datetime.timedelta(minutes=7), "a 5-minute certificate (the appliance backdates a little)"
    text = (tmp_path / "hot-server.log").read_text()
    assert "renewed as %s" % renewed in text, text[-2000:]


def test_example_usage_runs(appliance: Appliance, tmp_path: Path) -> None:
    """example_usage.py as against `make run` (it makes its own token with the admin credential, as an admin)."""
    env = dict(os.environ, PKI_SERVER_URL=appliance.url, PKI_CA_BUNDLE=str(appliance.root),
               PKI_ADMIN_DIR=str(appliance.admin_cert.parent), PKI_CERT_DIR=str(tmp_path / "pki_client"),
               EXAMPLE_RUN_SECONDS="1", PYTHONPATH=str(HERE.parent / "src"))
    env.pop("PKI_INSTALL_TOKEN", None)
    for run in (1, 2):  # the second run finds the certificate the first one got
        done = subprocess.run([sys.executable, str(HERE.parent / "example_usage.py")], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = done.stdout.decode()
        assert done.returncode == 0, out
        assert "mTLS round trip: 200" in out, out
        assert ("Requesting a certificate" in out) == (run == 1), out
