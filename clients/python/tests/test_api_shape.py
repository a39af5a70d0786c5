"""The notes' API, name for name: the calls the services were written against keep working as written."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import hsmca_client
from hsmca_client import CertificateNotFoundError, PKIClient, PKIClientError
from fakeca import FakeCA

P = inspect.Parameter


def params(fn: object) -> list:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
            if p.name != "self"]


def test_constructor_is_the_issues_signature() -> None:
    assert params(PKIClient.__init__) == [
        ("pki_server_url", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("service_id", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("install_token", P.KEYWORD_ONLY, None),
        ("enrollment_key", P.KEYWORD_ONLY, None),
        ("jwt_file", P.KEYWORD_ONLY, None),  # a workload token (keyword-only: the positional signature is the issue's)
        ("ca_bundle", P.KEYWORD_ONLY, None),
        ("cert_dir", P.KEYWORD_ONLY, None),
    ]


def test_methods_have_the_notes_names_and_parameters() -> None:
    names = lambda fn: [p[0] for p in params(fn) if p[1] != P.KEYWORD_ONLY]  # noqa: E731
    assert names(PKIClient.request_certificate) == ["common_name", "san_dns", "san_ip", "validity_days"]
    assert names(PKIClient.renew_certificate) == ["validity_days"]
    assert names(PKIClient.get_certificate_info) == []
    assert names(PKIClient.register_service) == ["service_name", "endpoints", "health_check_url", "metadata"]
    assert names(PKIClient.enable_auto_renewal) == ["check_interval_hours", "renew_before_days"]
    assert names(PKIClient.disable_auto_renewal) == []
    assert params(PKIClient.get_ssl_context) == [("client_auth", P.POSITIONAL_OR_KEYWORD, False)]
    for fn in (PKIClient.get_client_ssl_context, PKIClient.get_httpx_config, PKIClient.get_requests_config):
        assert params(fn) == []
    assert issubclass(CertificateNotFoundError, PKIClientError)
    assert hsmca_client.__version__ == "0.1.0"
    assert (Path(hsmca_client.__file__).parent / "py.typed").is_file()


def test_notes_calls_as_written(fake_ca: FakeCA, tmp_path: Path) -> None:
    """The notes' startup handler, call for call (with the token that replaces the shared CA password)."""
    token = fake_ca.token("veritas-backend", "veritas-backend.vcc.local", "veritas-backend", "localhost", "127.0.0.1")
    with PKIClient(pki_server_url=fake_ca.url, service_id="veritas-backend", install_token=token,
                   ca_bundle=fake_ca.root_pem, cert_dir=tmp_path / "pki_client") as pki:
        with pytest.raises(CertificateNotFoundError):
            pki.get_certificate_info()
        info = pki.request_certificate(common_name="veritas-backend.vcc.local", san_dns=["veritas-backend", "localhost"],
                                       san_ip=["127.0.0.1"])
        assert pki.get_certificate_info()["days_until_expiry"] == info["days_until_expiry"] == 0  # the fake's 1 h
        for key in ("certificate_id", "expires_at", "cert_file", "key_file", "serial", "not_after"):
            assert info[key]
        registered = pki.register_service(service_name="VERITAS Backend API",
                                          endpoints=["https://veritas-backend.vcc.local:8001"],
                                          health_check_url="https://veritas-backend.vcc.local:8001/health",
                                          metadata={"version": "1.0.0", "environment": "production"})
        assert registered["service_id"] == "veritas-backend" and registered["registered_at"]
        pki.enable_auto_renewal()
        assert pki.get_certificate_info()["auto_renewal"] is True
        ssl_context = pki.get_ssl_context(client_auth=False)
        assert ssl_context.verify_mode.name == "CERT_NONE"
        assert pki.get_client_ssl_context().verify_mode.name == "CERT_REQUIRED"
        verify, cert = pki.get_httpx_config()
        assert verify.endswith("ca_chain.pem") and cert is not None and cert[0].endswith("cert.pem")
        assert pki.get_requests_config() == (verify, cert)
        renewed = pki.renew_certificate(validity_days=2)
        assert renewed["serial"] != info["serial"]
        assert (tmp_path / "pki_client" / "veritas-backend" / "cert.pem").is_file()
    assert pki.get_certificate_info()["auto_renewal"] is False, "the with block stops auto-renewal"


def test_environment_names(fake_ca: FakeCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PKI_SERVER_URL", fake_ca.url)
    monkeypatch.setenv("SERVICE_ID", "covina-backend")
    monkeypatch.setenv("CERT_VALIDITY_DAYS", "7")
    monkeypatch.setenv("AUTO_RENEWAL_CHECK_HOURS", "6")
    monkeypatch.setenv("AUTO_RENEWAL_THRESHOLD_DAYS", "0.01")
    token = fake_ca.token("covina-backend", "covina-backend.vcc.local")
    pki = PKIClient(None, None, install_token=token, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert (pki.pki_server_url, pki.service_id) == (fake_ca.url, "covina-backend")
    info = pki.request_certificate("covina-backend.vcc.local")
    assert info["days_until_expiry"] == 6, "CERT_VALIDITY_DAYS asked 7 days"
    pki.enable_auto_renewal()
    try:
        assert pki._renewer is not None
        assert pki._renewer.policy.poll_interval == 6 * 3600
        assert pki._renewer.policy.renew_before == pytest.approx(0.01 * 86400)
    finally:
        pki.disable_auto_renewal()
    explicit = PKIClient(fake_ca.url, "other", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert explicit.service_id == "other", "an argument wins over the environment"


def test_bad_settings_are_errors_not_ignored(fake_ca: FakeCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PKIClientError) as e:
        PKIClient("http://ca:8443", "svc")
    assert e.value.code == "invalid_url"
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "Bad_Service")
    assert e.value.code == "invalid_service"
    with pytest.raises(PKIClientError) as e:
        PKIClient(fake_ca.url, "../escape")
    assert e.value.code == "invalid_service", "a service id is also a folder name: no way out of cert_dir"
    monkeypatch.setenv("AUTO_RENEWAL_CHECK_HOURS", "often")
    token = fake_ca.token("svc", "svc.example")
    pki = PKIClient(fake_ca.url, "svc", install_token=token, ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    pki.request_certificate("svc.example")
    with pytest.raises(PKIClientError) as e:
        pki.enable_auto_renewal()
    assert e.value.code == "invalid_setting"
    with pytest.raises(PKIClientError) as e:
        pki.enable_auto_renewal(check_interval_hours=-1)
    assert e.value.code == "invalid_setting"
