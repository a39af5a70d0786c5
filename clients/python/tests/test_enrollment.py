"""Enrollment and renewal against the fake CA: keys made here, refusals with the CA's code, renewal over mTLS."""

from __future__ import annotations

import json
import stat
import traceback
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from hsmca_client import CAUnavailableError, CertificateNotFoundError, PKIClient, PKIClientError
from fakeca import FakeCA


def client(ca: FakeCA, tmp_path: Path, service: str = "api", token: "str | None" = None) -> PKIClient:
    return PKIClient(ca.url, service, install_token=token, ca_bundle=ca.root_pem, cert_dir=tmp_path / "certs")


def public(path: Path) -> bytes:
    pem = path.read_bytes()
    if b"PRIVATE KEY" in pem:
        key = serialization.load_pem_private_key(pem, None)
        return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    cert = x509.load_pem_x509_certificate(pem)
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_enroll_writes_the_four_files_and_the_key_never_leaves(fake_ca: FakeCA, tmp_path: Path) -> None:
    token = fake_ca.token("api", "api.example.test", "localhost", "127.0.0.1")
    pki = client(fake_ca, tmp_path, token=token)
    info = pki.request_certificate("api.example.test", san_dns=["localhost"], san_ip=["127.0.0.1"])
    folder = tmp_path / "certs" / "api"
    assert info["cert_dir"] == str(folder)
    for name in ("cert.pem", "key.pem", "chain.pem", "ca_chain.pem"):
        assert (folder / name).is_file(), name
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), None)
    assert key.curve.name == "secp256r1"  # type: ignore[attr-defined]
    assert public(folder / "cert.pem") == public(folder / "key.pem")
    presented = (folder / "cert.pem").read_bytes().count(b"BEGIN CERTIFICATE")
    assert presented == 2, "cert.pem: the certificate then the issuing CA (what a TLS peer is sent)"
    assert (folder / "chain.pem").read_bytes().count(b"BEGIN CERTIFICATE") == 2
    assert fake_ca.root_pem.read_bytes().strip() in (folder / "ca_chain.pem").read_bytes()
    assert info["san_dns"] == ["api.example.test", "localhost"] and info["san_ip"] == ["127.0.0.1"]
    sent = b"".join(fake_ca.bodies)
    assert b"PRIVATE KEY" not in sent and b"CERTIFICATE REQUEST" in sent, "only the CSR leaves the host"


def test_a_refused_enrollment_raises_the_cas_code_and_message(fake_ca: FakeCA, tmp_path: Path) -> None:
    token = fake_ca.token("api", "api.example.test")
    client(fake_ca, tmp_path / "a", token=token).request_certificate("api.example.test")
    with pytest.raises(PKIClientError) as e:
        client(fake_ca, tmp_path / "b", token=token).request_certificate("api.example.test")
    assert (e.value.code, e.value.status, e.value.message) == ("token_used", 401, "this install token has already been used")
    assert not e.value.retryable
    with pytest.raises(PKIClientError) as e:
        client(fake_ca, tmp_path / "c", token=fake_ca.token("api", "api.example.test")).request_certificate("other.test")
    assert e.value.code == "name_not_allowed" and "other.test" in e.value.message
    assert not (tmp_path / "c" / "certs" / "api" / "cert.pem").exists(), "nothing written for a refusal"
    with pytest.raises(PKIClientError) as e:
        client(fake_ca, tmp_path / "d").request_certificate("api.example.test")
    assert e.value.code == "no_token"


def test_enrollment_key_is_sent_like_a_token(fake_ca: FakeCA, tmp_path: Path) -> None:
    key = fake_ca.enroll_key("api", "api.example.test")
    pki = PKIClient(fake_ca.url, "api", enrollment_key=key, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert pki.request_certificate("api.example.test")["serial"]


def test_enrollment_key_from_a_file(fake_ca: FakeCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "enroll-key"
    key_file.write_text(fake_ca.enroll_key("api", "api.example.test") + "\n")
    monkeypatch.setenv("PKI_ENROLL_KEY_FILE", str(key_file))
    pki = PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "certs")
    assert pki.request_certificate("api.example.test")["serial"]
    monkeypatch.setenv("PKI_ENROLL_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "certs")
    assert e.value.code == "invalid_credential"


@pytest.mark.parametrize("spoil", [lambda k: k[:30] + "\n" + k[30:], lambda k: k + "\r\nX-Evil: 1", lambda k: k[:-1],
                                   lambda k: k.replace("hek_", "hct_"), lambda k: k[:-1] + "\u00e9"])
def test_a_malformed_enrollment_key_is_refused_without_showing_it(fake_ca: FakeCA, tmp_path: Path, spoil: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    key = fake_ca.enroll_key("api", "api.example.test")
    bad = spoil(key)
    secret = key[-43:-5]
    for make in (lambda: PKIClient(fake_ca.url, "api", enrollment_key=bad, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path),
                 lambda: _from_env(monkeypatch, "PKI_ENROLL_KEY", bad, fake_ca, tmp_path)):
        with pytest.raises(PKIClientError) as e:
            make()
        assert e.value.code == "invalid_credential"
        text = "".join(traceback.format_exception(e.type, e.value, e.tb))
        assert secret not in text and secret[:20] not in str(e.value), "the secret reaches the traceback"
    assert fake_ca.count("POST", "/api/v1/certificates") == 0, "nothing sent"


def _from_env(monkeypatch: pytest.MonkeyPatch, name: str, value: str, ca: FakeCA, tmp_path: Path) -> PKIClient:
    monkeypatch.setenv(name, value)
    try:
        return PKIClient(ca.url, "api", ca_bundle=ca.root_pem, cert_dir=tmp_path)
    finally:
        monkeypatch.delenv(name)


def test_a_token_and_a_key_at_once_are_refused(fake_ca: FakeCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = fake_ca.token("api", "api.example.test")
    key = fake_ca.enroll_key("api", "api.example.test")
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "api", install_token=token, enrollment_key=key, ca_bundle=fake_ca.root_pem,
                  cert_dir=tmp_path)
    assert e.value.code == "invalid_credential"
    monkeypatch.setenv("PKI_INSTALL_TOKEN", token)
    for name, value in (("PKI_ENROLL_KEY", key), ("PKI_ENROLL_KEY_FILE", str(tmp_path / "not-read"))):
        monkeypatch.setenv(name, value)
        with pytest.raises(PKIClientError) as e:
            PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
        assert e.value.code == "invalid_credential" and "not both" in e.value.message
        monkeypatch.delenv(name)
    # an argument goes before the environment, as pki-agent's options do
    pki = PKIClient(fake_ca.url, "api", enrollment_key=key, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert pki.request_certificate("api.example.test")["serial"]


def test_a_header_http_client_refuses_never_quotes_it(fake_ca: FakeCA, tmp_path: Path) -> None:
    from hsmca_client.api import CaApi

    api = CaApi(fake_ca.url, fake_ca.root_pem)
    with pytest.raises(PKIClientError) as e:
        api.enroll("hek_secretsecret\nX: y", "csr", {})
    assert e.value.code == "invalid_request" and "secretsecret" not in str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_ca_down_or_untrusted(fake_ca: FakeCA, tmp_path: Path) -> None:
    token = fake_ca.token("api", "api.example.test")
    fake_ca.mode = "down"
    with pytest.raises(CAUnavailableError) as e:
        client(fake_ca, tmp_path, token=token).request_certificate("api.example.test")
    assert e.value.retryable and e.value.code == "unreachable"
    fake_ca.mode = "unavailable"
    with pytest.raises(CAUnavailableError) as e:
        client(fake_ca, tmp_path, token=token).request_certificate("api.example.test")
    assert (e.value.status, e.value.code, e.value.retry_after) == (503, "store_unavailable", 1.0)
    fake_ca.mode = "up"
    other = tmp_path / "other-root.pem"
    from fakeca import make_ca

    other.write_bytes(make_ca("Another Root")[1].public_bytes(serialization.Encoding.PEM))
    pki = PKIClient(fake_ca.url, "api", install_token=token, ca_bundle=other, cert_dir=tmp_path)
    with pytest.raises(PKIClientError) as e:
        pki.request_certificate("api.example.test")
    assert e.value.code == "tls_trust"
    assert not fake_ca.tokens[token].used


def test_renewal_uses_mtls_and_a_new_key_and_keeps_the_names(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = client(fake_ca, tmp_path, token=fake_ca.token("api", "api.example.test", "10.0.0.7"))
    first = pki.request_certificate("api.example.test", san_ip=["10.0.0.7"], validity="20m")
    folder = Path(first["cert_dir"])
    old_key = public(folder / "key.pem")
    second = pki.renew_certificate()
    assert second["serial"] != first["serial"]
    assert public(folder / "key.pem") != old_key, "a new key at each renewal"
    assert (second["common_name"], second["san_dns"], second["san_ip"]) == ("api.example.test", ["api.example.test"],
                                                                           ["10.0.0.7"])
    assert ("POST", "/api/v1/certificates/renew", first["serial"]) in fake_ca.requests, "authenticated by the old one"
    renew_body = json.loads(fake_ca.bodies[-1])
    assert renew_body["validity"] == "20m", "the lifetime asked at enrollment is asked again"
    assert public(folder / "cert.pem") == public(folder / "key.pem")


def test_expired_or_missing_certificate_is_not_found(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = client(fake_ca, tmp_path, token=fake_ca.token("api", "api.example.test"))
    with pytest.raises(CertificateNotFoundError) as e:
        pki.get_certificate_info()
    assert e.value.code == "certificate_not_found"
    with pytest.raises(CertificateNotFoundError):
        pki.renew_certificate()
    info = pki.request_certificate("api.example.test")
    pki._clock = lambda: 10 ** 10  # far in the future
    with pytest.raises(CertificateNotFoundError) as e:
        pki.get_certificate_info()
    assert e.value.code == "certificate_expired" and info["serial"] in e.value.message
    restarted = client(fake_ca, tmp_path)
    assert restarted.get_certificate_info()["serial"] == info["serial"], "a new process finds the certificate"


def test_revoked_certificate_cannot_renew(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = client(fake_ca, tmp_path, token=fake_ca.token("api", "api.example.test"))
    serial = pki.request_certificate("api.example.test")["serial"]
    fake_ca.revoke(serial)
    with pytest.raises(PKIClientError) as e:
        pki.renew_certificate()
    assert e.value.code == "certificate_revoked"
    assert pki.get_certificate_info()["serial"] == serial


def test_a_workload_token_is_read_from_its_file_at_each_use(fake_ca: FakeCA, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    jwt_file = tmp_path / "token"
    jwt_file.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c3RhbGU\n")  # expired meanwhile: the fake does not know it
    monkeypatch.setenv("PKI_JWT_FILE", str(jwt_file))
    pki = PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "a")
    # the kubelet replaced the token after the client was made: the new one is sent
    jwt_file.write_text(fake_ca.workload_token("api", "api.example.test"))
    assert pki.request_certificate("api.example.test")["serial"]
    jwt_file.write_text("hct_not-a-jwt")
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "b").request_certificate(
            "api.example.test")
    assert e.value.code == "invalid_credential" and "not-a-jwt" not in e.value.message
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "api", install_token=fake_ca.token("api", "api.example.test"),
                  ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "c")
    assert e.value.code == "invalid_credential"
