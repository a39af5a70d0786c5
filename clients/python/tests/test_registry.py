"""register_service: the notes' call (nested metadata, WebSocket endpoints), sent as given."""

from __future__ import annotations

from pathlib import Path

import pytest

from hsmca_client import CertificateNotFoundError, PKIClient, PKIClientError
from fakeca import FakeCA

NOTES_CALL = dict(
    service_name="Covina Ingestion Backend",
    endpoints=["https://covina-ingestion.vcc.local:45679", "wss://covina-ingestion.vcc.local:45679/ws/jobs"],
    health_check_url="https://covina-ingestion.vcc.local:45679/health",
    metadata={"version": "3.4.4", "type": "ingestion-backend", "workers": {"io": 36, "cpu": 36}},
)


def enrolled(ca: FakeCA, tmp_path: Path) -> PKIClient:
    pki = PKIClient(ca.url, "covina-ingestion", install_token=ca.token("covina-ingestion", "covina-ingestion.vcc.local"),
                    ca_bundle=ca.root_pem, cert_dir=tmp_path)
    pki.request_certificate("covina-ingestion.vcc.local")
    return pki


def test_the_notes_call_is_sent_as_given(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    pki.register_service(**NOTES_CALL)  # type: ignore[arg-type]
    stored = fake_ca.services["covina-ingestion"]
    assert stored["metadata"]["workers"] == {"io": 36, "cpu": 36}
    assert stored["endpoints"] == NOTES_CALL["endpoints"]
    assert fake_ca.count("POST", "/api/v1/services") == 1


def test_a_refusal_is_raised_with_the_cas_code(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    pki.service_id = "someone-else"
    with pytest.raises(PKIClientError) as e:
        pki.register_service("Someone Else", metadata={"nested": {"a": 1}})
    assert (e.value.code, e.value.status) == ("not_your_service", 403)
    assert fake_ca.count("POST", "/api/v1/services") == 1


def test_registering_needs_a_certificate(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = PKIClient(fake_ca.url, "svc", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    with pytest.raises(CertificateNotFoundError):
        pki.register_service("Svc")
