"""A fake appliance for unit tests: the REST calls the client makes, over real TLS (and mTLS), with a real CA made
here. It follows the appliance's rules where the client depends on them (one-time tokens, names from the grant,
renewal by the holder over mTLS, the renewal window at 2/3..5/6 with an ETag, error bodies), and can be made to fail
(connections cut, 503, revoked) or to refuse the registry's nested metadata as today's appliance does."""

from __future__ import annotations

import datetime
import hashlib
import http.server
import ipaddress
import json
import re
import ssl
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = datetime.timezone.utc


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def make_ca(cn: str) -> Tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def parse_validity(text: str) -> float:
    m = re.fullmatch(r"(\d+)([mhd])", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * {"m": 60, "h": 3600, "d": 86400}[m.group(2)]


class Token:
    def __init__(self, service: str, names: List[str]) -> None:
        self.service = service
        self.names = set(names)
        self.used = False


class Issued:
    def __init__(self, cert: x509.Certificate, service: str, names: Set[str]) -> None:
        self.cert = cert
        self.service = service
        self.names = names
        self.revoked = False
        self.renew_now = False


class FakeCA:
    def __init__(self, directory: Path, lifetime: float = 3600.0) -> None:
        self.dir = directory
        self.lifetime = lifetime
        self.root_key, self.root = make_ca("Fake Root")
        self.issuing_key, issuing = make_ca("Fake Issuing")
        now = datetime.datetime.now(UTC)
        self.issuing = (x509.CertificateBuilder().subject_name(issuing.subject).issuer_name(self.root.subject)
                        .public_key(self.issuing_key.public_key()).serial_number(x509.random_serial_number())
                        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=300))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                        .sign(self.root_key, hashes.SHA256()))
        self.root_pem = directory / "root.pem"
        self.root_pem.write_text(_pem(self.root))
        self.tokens: Dict[str, Token] = {}
        self.issued: Dict[str, Issued] = {}
        self.services: Dict[str, Dict[str, Any]] = {}
        self.requests: List[Tuple[str, str, Optional[str]]] = []  # method, path, client certificate serial
        self.bodies: List[bytes] = []
        self.mode = "up"  # "down": connections cut at once; "unavailable": 503
        self.lock = threading.Lock()
        self._server = self._start()
        self.port = self._server.server_address[1]
        self.url = "https://localhost:%d" % self.port

    # ----- admin side ----------------------------------------------------------------------------------------------

    def token(self, service: str, *names: str, prefix: str = "hct") -> str:
        """A credential of the appliance's form: hct_ (install token) or hek_ (enrollment key) _<16 hex>_<43>."""
        digest = hashlib.sha256(repr((service, names, len(self.tokens))).encode()).hexdigest()
        t = "%s_%s_%s" % (prefix, digest[:16], (digest * 2)[16:59])
        self.tokens[t] = Token(service, list(names))
        return t

    def enroll_key(self, service: str, *names: str) -> str:
        return self.token(service, *names, prefix="hek")

    def workload_token(self, service: str, *names: str) -> str:
        """A JWT-shaped credential (the fake does not verify it; the appliance's tests do)."""
        t = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIlcyJ9.%s" % hashlib.sha256(repr((service, len(self.tokens))).encode()) \
            .hexdigest()
        self.tokens[t] = Token(service, list(names))
        return t

    def renew_early(self, serial: str) -> None:
        self.issued[serial].renew_now = True

    def revoke(self, serial: str) -> None:
        self.issued[serial].revoked = True

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p == path)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ----- issuing -------------------------------------------------------------------------------------------------

    def _issue(self, csr: x509.CertificateSigningRequest, service: str, allowed: Set[str],
               lifetime: float) -> Tuple[int, Dict[str, Any]]:
        if not csr.is_signature_valid:
            return 400, {"error": "csr_signature_invalid", "message": "the CSR's signature does not verify"}
        try:
            san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
            names += [str(n) for n in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            names = []
        for n in names:
            if n not in allowed:
                return 403, {"error": "name_not_allowed", "message": "the name %s is not allowed" % n}
        now = datetime.datetime.now(UTC)
        sans: List[x509.GeneralName] = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        cert = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(self.issuing.subject)
                .public_key(csr.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(seconds=60))
                .not_valid_after(now + datetime.timedelta(seconds=lifetime))
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                               critical=False)
                .sign(self.issuing_key, hashes.SHA256()))
        serial = format(cert.serial_number, "x")
        self.issued[serial] = Issued(cert, service, set(names))
        return 201, {"serial": serial, "certificate_pem": _pem(cert), "chain_pem": _pem(self.issuing) + _pem(self.root),
                     "not_before": cert.not_valid_before.isoformat() + "Z",
                     "not_after": cert.not_valid_after.isoformat() + "Z", "profile": "tls-server-client"}

    def _lifetime(self, body: Dict[str, Any]) -> float:
        if body.get("validity"):
            return parse_validity(str(body["validity"]))
        if body.get("validity_days"):
            return int(body["validity_days"]) * 86400.0
        return self.lifetime

    def handle(self, method: str, path: str, headers: Any, body: bytes,
               peer: Optional[x509.Certificate]) -> Tuple[int, Dict[str, Any], Dict[str, str]]:
        holder = self.issued.get(format(peer.serial_number, "x")) if peer is not None else None
        with self.lock:
            self.requests.append((method, path, format(peer.serial_number, "x") if peer is not None else None))
            self.bodies.append(body)
        if self.mode == "unavailable":
            return 503, {"error": "store_unavailable", "message": "the store does not answer"}, {"Retry-After": "1"}
        try:
            data = json.loads(body.decode()) if body else {}
        except ValueError:
            return 400, {"error": "bad_request", "message": "unparseable JSON"}, {}
        if method == "POST" and path == "/api/v1/certificates":
            auth = headers.get("Authorization", "")
            token = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if token is None:
                return 401, {"error": "token_invalid", "message": "unknown install token"}, {}
            if token.used:
                return 401, {"error": "token_used", "message": "this install token has already been used"}, {}
            csr = x509.load_pem_x509_csr(str(data.get("csr", "")).encode())
            status, answer = self._issue(csr, token.service, token.names, self._lifetime(data))
            if status == 201:
                token.used = True
            return status, answer, {}
        if holder is None:
            return 401, {"error": "client_certificate_required", "message": "a client certificate is required"}, {}
        now = datetime.datetime.now(UTC)
        if holder.revoked:
            return 403, {"error": "certificate_revoked", "message": "the certificate is revoked"}, {}
        if path == "/api/v1/certificates/renew" and method == "POST":
            if holder.cert.not_valid_after.replace(tzinfo=UTC) <= now:
                return 403, {"error": "certificate_expired", "message": "expired: enroll again"}, {}
            csr = x509.load_pem_x509_csr(str(data.get("csr", "")).encode())
            status, answer = self._issue(csr, holder.service, holder.names, self._lifetime(data))
            return status, answer, {}
        if path == "/api/v1/certificates/current" and method == "GET":
            return self._current(holder, headers)
        if path == "/api/v1/services" and method == "POST":
            if data.get("service") != holder.service:
                return 403, {"error": "not_your_service", "message": "not your service"}, {}
            created = data["service"] not in self.services
            self.services[data["service"]] = data
            return (201 if created else 200), {**data, "registered_at": now.isoformat()}, {}
        return 404, {"error": "not_found", "message": path}, {}

    def _current(self, holder: Issued, headers: Any) -> Tuple[int, Dict[str, Any], Dict[str, str]]:
        nb = holder.cert.not_valid_before.replace(tzinfo=UTC)
        na = holder.cert.not_valid_after.replace(tzinfo=UTC)
        life = na - nb
        start, end = nb + life * 2 / 3, nb + life * 5 / 6
        now = datetime.datetime.now(UTC)
        if holder.renew_now:
            start, end = now - datetime.timedelta(seconds=1), now + (end - start) / 4
        answer = {"serial": format(holder.cert.serial_number, "x"), "status": "valid", "service": holder.service,
                  "profile": "tls-server-client", "not_before": nb.isoformat(), "not_after": na.isoformat(),
                  "days_until_expiry": (na - now).days, "renew_after": start.isoformat(),
                  "renew_before": end.isoformat(), "renew_now": now >= start}
        tag = '"%s"' % hashlib.sha256(repr((answer["serial"], answer["renew_after"], answer["renew_now"])).encode()).hexdigest()[:16]
        if headers.get("If-None-Match") == tag:
            return 304, {}, {"ETag": tag}
        return 200, answer, {"ETag": tag}

    # ----- the server ----------------------------------------------------------------------------------------------

    def _start(self) -> http.server.ThreadingHTTPServer:
        server_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(UTC)
        server_cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(self.issuing.subject)
                       .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
                       .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                                   x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                      critical=False)
                       .sign(self.issuing_key, hashes.SHA256()))
        (self.dir / "fake-ca-server.pem").write_text(_pem(server_cert) + _pem(self.issuing))
        (self.dir / "fake-ca-server.key").write_bytes(server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (self.dir / "fake-ca-trust.pem").write_text(_pem(self.issuing) + _pem(self.root))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.dir / "fake-ca-server.pem"), str(self.dir / "fake-ca-server.key"))
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(str(self.dir / "fake-ca-trust.pem"))
        ca = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                der = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
                peer = x509.load_der_x509_certificate(der) if der else None
                status, answer, extra = ca.handle(self.command, self.path, self.headers, body, peer)
                raw = json.dumps(answer).encode() if status != 304 else b""
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(raw)

            do_GET = _serve
            do_POST = _serve

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def process_request(self, request: Any, client_address: Any) -> None:
                if ca.mode == "down":  # the CA is not there: the connection is cut before TLS
                    request.close()
                    return
                super().process_request(request, client_address)

            def finish_request(self, request: Any, client_address: Any) -> None:
                try:
                    tls = ctx.wrap_socket(request, server_side=True)  # handshake in the request's own thread
                except (ssl.SSLError, OSError):
                    request.close()
                    return
                try:
                    super().finish_request(tls, client_address)
                finally:
                    tls.close()

        server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, name="fake-ca", daemon=True).start()
        return server
