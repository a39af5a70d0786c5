"""TLS contexts that follow renewals: the same SSLContext reloaded, never a connection with a half-loaded pair."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path
from typing import List

import httpx
import pytest
import requests

from hsmca_client import PKIClient
from fakeca import FakeCA
from tls_util import AsyncioTlsServer, HttpsServer, handshake, peer_serial


def enrolled(ca: FakeCA, tmp_path: Path, service: str = "api", name: str = "api.example.test") -> PKIClient:
    pki = PKIClient(ca.url, service, install_token=ca.token(service, name, "127.0.0.1"), ca_bundle=ca.root_pem,
                    cert_dir=tmp_path)
    pki.request_certificate(name, san_ip=["127.0.0.1"])
    return pki


def trusting(ca: FakeCA) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca.root_pem))


def test_new_handshakes_get_the_renewed_certificate_from_the_same_context(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    ctx = pki.get_ssl_context()
    server = AsyncioTlsServer(ctx)
    try:
        first = pki.get_certificate_info()["serial"]
        assert handshake(server.port, trusting(fake_ca), "api.example.test") == first
        second = pki.renew_certificate()["serial"]
        assert handshake(server.port, trusting(fake_ca), "api.example.test") == second
        assert ctx.hsmca_serial == second  # type: ignore[attr-defined]
    finally:
        server.close()


def test_a_context_made_before_the_first_certificate_is_filled_in(fake_ca: FakeCA, tmp_path: Path) -> None:
    """The notes build the context before uvicorn's startup handler requests the certificate."""
    pki = PKIClient(fake_ca.url, "api", install_token=fake_ca.token("api", "api.example.test"),
                    ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    ctx = pki.get_ssl_context()
    assert ctx.hsmca_serial is None  # type: ignore[attr-defined]
    serial = pki.request_certificate("api.example.test")["serial"]
    server = AsyncioTlsServer(ctx)
    try:
        assert handshake(server.port, trusting(fake_ca), "api.example.test") == serial
    finally:
        server.close()


@pytest.mark.parametrize("server_kind", ["asyncio", "threads"])
def test_reloads_under_concurrent_handshakes_never_break_one(fake_ca: FakeCA, tmp_path: Path, server_kind: str) -> None:
    """load_cert_chain swaps the certificate, then the key, letting other threads run in between: without the
    context's lock a connection made then gets the new certificate and no key (checked: with the lock taken out,
    50 of the first 243 (asyncio) and 317 (threads) connections failed)."""
    pki = enrolled(fake_ca, tmp_path)
    first = pki.get_certificate_info()["serial"]
    second = pki.renew_certificate()["serial"]
    pairs = [(tmp_path / "api" / "releases" / s / "cert.pem", tmp_path / "api" / "releases" / s / "key.pem", s)
             for s in (first, second)]
    ctx = pki.get_ssl_context()
    server = AsyncioTlsServer(ctx) if server_kind == "asyncio" else HttpsServer(ctx)
    seen: List[str] = []
    failures: List[BaseException] = []
    done = threading.Event()

    def connect() -> None:
        client = trusting(fake_ca)
        while not done.is_set():
            try:
                seen.append(handshake(server.port, client, "api.example.test") if server_kind == "asyncio"
                            else _https_get(server.port, client))
            except Exception as e:  # noqa: BLE001 - every failure counts
                failures.append(e)

    threads = [threading.Thread(target=connect) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        reloads = 0
        deadline = time.monotonic() + 300  # a hang is the failure; the assertions below say which
        while (reloads < 500 or len(seen) < 300) and len(failures) < 50 and time.monotonic() < deadline:
            cert, key, serial = pairs[reloads % 2]
            ctx.hsmca_reload(cert, key, serial)  # type: ignore[attr-defined]
            reloads += 1
            time.sleep(0.001)  # let the handshakes through (the lock is not fair)
    finally:
        done.set()
        for t in threads:
            t.join(30)
        server.close()
    assert failures == [], "%d of %d connections failed: %r" % (len(failures), len(seen) + len(failures), failures[:3])
    assert set(seen) == {first, second}


def _https_get(port: int, client: ssl.SSLContext) -> str:
    """One HTTP request on a new connection; the serial the server presented."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as raw:
        with client.wrap_socket(raw, server_hostname="api.example.test") as tls:
            serial = peer_serial(tls)
            tls.sendall(b"GET / HTTP/1.0\r\nHost: api.example.test\r\n\r\n")
            answer = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
    assert answer.startswith(b"HTTP/1.0 200") and answer.endswith(b"hello\n"), answer
    return serial


def test_mtls_with_httpx_requests_and_the_client_context(fake_ca: FakeCA, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    api = enrolled(fake_ca, tmp_path, "api", "localhost")
    caller = enrolled(fake_ca, tmp_path, "caller", "caller.example.test")
    server = HttpsServer(api.get_ssl_context(client_auth=True))
    url = "https://localhost:%d/" % server.port
    try:
        verify, cert = caller.get_httpx_config()
        with httpx.Client(verify=verify, cert=cert) as client:
            assert client.get(url).text == "hello\n"
        with httpx.Client(verify=caller.get_client_ssl_context()) as client:
            assert client.get(url).status_code == 200
        verify, cert = caller.get_requests_config()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
        assert requests.get(url, verify=verify, cert=cert).text == "hello\n", "per request: always"
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify (psf/requests#3829): the notes'
        # session form works where they are unset (the README says so)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        session = requests.Session()
        session.verify, session.cert = verify, cert
        assert session.get(url).text == "hello\n"
        with pytest.raises((httpx.HTTPError, ssl.SSLError, OSError)):
            with httpx.Client(verify=verify) as anonymous:  # no client certificate: the server requires one
                anonymous.get(url)
    finally:
        server.close()


def test_client_auth_accepts_a_peer_that_presents_only_its_certificate(fake_ca: FakeCA, tmp_path: Path) -> None:
    """With ca_bundle the root alone, a context made before the first certificate still learns the issuing CA, so a
    client sending its certificate without the chain (curl --cert leaf.pem) is accepted, after renewals too."""
    api = PKIClient(fake_ca.url, "api", install_token=fake_ca.token("api", "api.example.test"), ca_bundle=fake_ca.root_pem,
                    cert_dir=tmp_path)
    ctx = api.get_ssl_context(client_auth=True)
    api.request_certificate("api.example.test")
    api.renew_certificate()
    caller = enrolled(fake_ca, tmp_path, "caller", "caller.example.test")
    leaf_only = tmp_path / "leaf.pem"
    leaf_only.write_bytes((caller.cert_dir / "cert.pem").read_bytes().split(b"-----END CERTIFICATE-----")[0]
                          + b"-----END CERTIFICATE-----\n")
    client = trusting(fake_ca)
    client.load_cert_chain(str(leaf_only), str(caller.cert_dir / "key.pem"))
    server = HttpsServer(ctx)
    try:
        assert _https_get(server.port, client) == api.get_certificate_info()["serial"]
    finally:
        server.close()


def test_a_frontend_without_a_certificate_gets_the_ca_bundle_only(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = PKIClient(fake_ca.url, "frontend", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    verify, cert = pki.get_requests_config()
    assert Path(verify) == fake_ca.root_pem and cert is None
