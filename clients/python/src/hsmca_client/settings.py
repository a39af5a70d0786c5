"""The environment names of the integration notes, read when the matching argument is not given."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional

from .errors import PKIClientError

PKI_SERVER_URL = "PKI_SERVER_URL"
SERVICE_ID = "SERVICE_ID"
CERT_VALIDITY_DAYS = "CERT_VALIDITY_DAYS"
AUTO_RENEWAL_CHECK_HOURS = "AUTO_RENEWAL_CHECK_HOURS"
AUTO_RENEWAL_THRESHOLD_DAYS = "AUTO_RENEWAL_THRESHOLD_DAYS"
# Not in the notes; the names docs/client.md gives pki-agent, and issue 25's enrollment key.
PKI_INSTALL_TOKEN = "PKI_INSTALL_TOKEN"
PKI_ENROLL_KEY = "PKI_ENROLL_KEY"
PKI_ENROLL_KEY_FILE = "PKI_ENROLL_KEY_FILE"
PKI_JWT_FILE = "PKI_JWT_FILE"
PKI_CA_BUNDLE = "PKI_CA_BUNDLE"
PKI_CERT_DIR = "PKI_CERT_DIR"


def text(name: str) -> Optional[str]:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def number(name: str, *, integer: bool = False) -> Optional[float]:
    """A positive number from the environment, or None when unset; a bad value is an error, never ignored."""
    value = text(name)
    if value is None:
        return None
    try:
        parsed = float(int(value)) if integer else float(value)
    except ValueError:
        raise PKIClientError("%s=%r is not a%s number" % (name, value, "n integer" if integer else ""),
                             "invalid_setting") from None
    if not parsed > 0 or parsed != parsed or parsed == float("inf"):
        raise PKIClientError("%s=%r must be a positive number" % (name, value), "invalid_setting")
    return parsed


def lifetime(validity_days: Optional[int], validity: Optional[str], asked: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The lifetime to ask: the argument, else CERT_VALIDITY_DAYS, else what was asked at enrollment (renewals)."""
    if validity:
        return {"validity": validity}
    if validity_days is not None:
        if isinstance(validity_days, bool) or not isinstance(validity_days, int) or validity_days <= 0:
            raise PKIClientError("validity_days must be a positive whole number of days", "invalid_validity")
        return {"validity_days": validity_days}
    env = number(CERT_VALIDITY_DAYS, integer=True)
    if env is not None:
        return {"validity_days": int(env)}
    if asked and asked.get("validity"):
        return {"validity": asked["validity"]}
    if asked and asked.get("validity_days"):
        return {"validity_days": int(asked["validity_days"])}
    return {}
