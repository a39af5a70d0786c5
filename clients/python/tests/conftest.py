"""Shared fixtures: a fake CA per test (unit tests) and one real appliance per session (end-to-end tests)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))  # the tests test the source tree (test_install.py the installed one)

from appliance import appliance  # noqa: E402,F401  (the session's real appliance, for the end-to-end tests)
from fakeca import FakeCA  # noqa: E402

ENV_NAMES = ("PKI_SERVER_URL", "SERVICE_ID", "CERT_VALIDITY_DAYS", "AUTO_RENEWAL_CHECK_HOURS",
             "AUTO_RENEWAL_THRESHOLD_DAYS", "PKI_INSTALL_TOKEN", "PKI_ENROLL_KEY", "PKI_ENROLL_KEY_FILE", "PKI_JWT_FILE",
             "PKI_CA_BUNDLE",
             "PKI_CERT_DIR")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set themselves."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    logging.getLogger("hsmca_client").setLevel(logging.DEBUG)


@pytest.fixture
def fake_ca(tmp_path: Path) -> Iterator[FakeCA]:
    ca_dir = tmp_path / "fake-ca"
    ca_dir.mkdir()
    ca = FakeCA(ca_dir)
    yield ca
    ca.close()

