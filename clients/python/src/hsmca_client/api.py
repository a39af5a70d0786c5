"""The appliance's HTTPS API, as this client uses it (standard library only); every failure is a PKIClientError."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.parse
from pathlib import Path
from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

from .errors import CAUnavailableError, PKIClientError

MAX_ANSWER = 1 << 20  # the CA's answers are a few KiB; never read an unbounded body
Identity = Tuple[Path, Path]  # (certificate chain file, key file) presented over mTLS


class Answer(NamedTuple):
    status: int
    body: Dict[str, Any]
    etag: Optional[str]


def check_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise PKIClientError("the PKI server URL must be https://host[:port], not %r" % url, "invalid_url")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise PKIClientError("the PKI server URL has a bad port: %r" % url, "invalid_url") from None
    return parts


class CaApi:
    """One HTTPS connection per call: calls are rare (enrollment, renewal, a poll every few minutes)."""

    def __init__(self, url: str, trust: Path, timeout: float = 15.0) -> None:
        self.parts = check_url(url)
        self.url = url.strip().rstrip("/")
        self.trust = trust
        self.timeout = timeout

    def enroll(self, secret: str, csr: str, extra: Mapping[str, Any]) -> Dict[str, Any]:
        """``POST /api/v1/certificates`` with an install token (or enrollment key) as the bearer."""
        body = {"csr": csr, **extra}
        return self._expect(self._call("POST", "/api/v1/certificates", body, None,
                                       {"Authorization": "Bearer " + secret}), 201)

    def renew(self, identity: Identity, csr: str, extra: Mapping[str, Any]) -> Dict[str, Any]:
        """``POST /api/v1/certificates/renew`` over mTLS with the certificate held now."""
        body = {"csr": csr, "revoke_old": False, **extra}
        return self._expect(self._call("POST", "/api/v1/certificates/renew", body, identity), 201)

    def current(self, identity: Identity, etag: Optional[str]) -> Optional[Answer]:
        """``GET /api/v1/certificates/current``: the renewal window; None when unchanged since ``etag`` (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        answer = self._call("GET", "/api/v1/certificates/current", None, identity, headers)
        if answer.status == 304:
            return None
        self._expect(answer, 200)
        return answer

    def register(self, identity: Identity, body: Mapping[str, Any]) -> Dict[str, Any]:
        """``POST /api/v1/services`` over mTLS."""
        answer = self._call("POST", "/api/v1/services", body, identity)
        return self._expect(answer, 201 if answer.status == 201 else 200)

    def _context(self, identity: Optional[Identity]) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_verify_locations(cafile=str(self.trust))
        except (OSError, ssl.SSLError) as e:
            raise PKIClientError("cannot read the CA bundle %s: %s" % (self.trust, e), "invalid_ca_bundle") from None
        if identity is not None:
            ctx.load_cert_chain(str(identity[0]), str(identity[1]))
        return ctx

    def _call(self, method: str, path: str, body: Optional[Mapping[str, Any]], identity: Optional[Identity],
              headers: Optional[Mapping[str, str]] = None) -> Answer:
        all_headers = {"Accept": "application/json", "User-Agent": "hsmca-client"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        target = (self.parts.path.rstrip("/") or "") + path
        conn = http.client.HTTPSConnection(self.parts.hostname or "", self.parts.port or 443,
                                           timeout=self.timeout, context=self._context(identity))
        try:
            conn.request(method, target, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read(MAX_ANSWER + 1)
            etag = response.getheader("ETag")
            retry_after = response.getheader("Retry-After")
            status = response.status
        except ssl.SSLCertVerificationError as e:
            raise PKIClientError("TLS trust failure: the server at %s presents a certificate that does not chain to "
                                 "the CA bundle %s (%s)" % (self.url, self.trust, e.verify_message), "tls_trust") from None
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError) as e:
            # the connection was cut (a CA restarting, a proxy in front of a dead one): the CA is not there
            raise CAUnavailableError("the CA at %s closed the connection: %s" % (self.url, e), "unreachable") from None
        except ssl.SSLError as e:
            raise PKIClientError("TLS handshake with %s failed: %s" % (self.url, e.reason or e), "tls_handshake") from None
        except socket.timeout:
            raise CAUnavailableError("the CA at %s did not answer within %g s" % (self.url, self.timeout),
                                     "timeout") from None
        except (OSError, http.client.HTTPException) as e:
            raise CAUnavailableError("the CA at %s is unreachable: %s" % (self.url, e), "unreachable") from None
        except ValueError:
            # http.client refuses a header with a control character, quoting it: the bearer is a secret
            raise PKIClientError("the request to %s could not be sent: a header value is not valid (the value is not "
                                 "shown)" % self.url, "invalid_request") from None
        finally:
            conn.close()
        if len(raw) > MAX_ANSWER:
            raise PKIClientError("the CA's answer is larger than %d bytes" % MAX_ANSWER, "bad_answer", status)
        parsed: Dict[str, Any] = {}
        if raw.strip():
            try:
                value = json.loads(raw.decode("utf-8"))
                parsed = value if isinstance(value, dict) else {}
            except ValueError:
                parsed = {}
        answer = Answer(status, parsed, etag)
        if status == 503:
            raise CAUnavailableError(str(parsed.get("message") or "HTTP 503"), str(parsed.get("error") or "unavailable"),
                                     503, _seconds(retry_after))
        return answer

    @staticmethod
    def _expect(answer: Answer, status: int) -> Dict[str, Any]:
        if answer.status == status:
            return answer.body
        code = str(answer.body.get("error") or "http_%d" % answer.status)
        message = str(answer.body.get("message") or "HTTP %d" % answer.status)
        raise PKIClientError(message, code, answer.status)


def _seconds(value: Optional[str]) -> Optional[float]:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
