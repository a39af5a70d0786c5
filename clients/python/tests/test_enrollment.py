"""Enrollment and renewal against the fake CA: keys made here, refusals with the CA's code, renewal over mTLS."""

from __future__ import annotations

import json
import stat
from pathlib import Path

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
    key = fake_ca.token("api", "api.example.test")
    pki = PKIClient(fake_ca.url, "api", enrollment_key=key, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert pki.request_certificate("api.example.test")["serial"]


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
