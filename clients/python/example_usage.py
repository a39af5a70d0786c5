"""hsmca-client, step by step, against the appliance `make run` starts (https://localhost:8443).

    make run                                   # in another terminal
    python3 clients/python/example_usage.py    # from the repository (or with hsmca-client installed)

It plays the admin once (an install token made with make run's admin credential, var/admin/), then does what a
service does: a certificate for `example-service` (names localhost and 127.0.0.1; the key made here, 0600),
registration, auto-renewal, an HTTPS server with mutual TLS from the same certificate, and a call to it.
Run it again: the certificate in pki_client/example-service/ is found and kept.

Settings: PKI_SERVER_URL, SERVICE_ID, PKI_CA_BUNDLE (var/ca/root.pem), PKI_INSTALL_TOKEN (else one is made with
PKI_ADMIN_DIR, var/admin), PKI_CERT_DIR (pki_client), EXAMPLE_RUN_SECONDS (how long to stay; Ctrl-C otherwise).
"""

from __future__ import annotations

import http.client
import http.server
import json
import logging
import os
import ssl
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
try:
    import hsmca_client  # noqa: F401  (installed)
except ImportError:
    sys.path.insert(0, str(HERE / "src"))  # or from the repository

from hsmca_client import CertificateNotFoundError, PKIClient, PKIClientError  # noqa: E402

URL = os.getenv("PKI_SERVER_URL", "https://localhost:8443")
SERVICE = os.getenv("SERVICE_ID", "example-service")
ROOT = Path(os.getenv("PKI_CA_BUNDLE", str(REPO / "var" / "ca" / "root.pem")))
ADMIN = Path(os.getenv("PKI_ADMIN_DIR", str(REPO / "var" / "admin")))


def step(title: str) -> None:
    print("\n" + "=" * 60 + "\n" + title + "\n" + "=" * 60)


def install_token() -> str:
    """What the admin does: `bin/appliance token create --service example-service --dns localhost --ip 127.0.0.1`."""
    token = os.getenv("PKI_INSTALL_TOKEN")
    if token:
        return token
    ctx = ssl.create_default_context(cafile=str(ROOT))
    ctx.load_cert_chain(str(ADMIN / "admin.crt.pem"), str(ADMIN / "admin.key.pem"))
    host, _, port = URL.split("//", 1)[1].partition(":")
    conn = http.client.HTTPSConnection(host, int(port or 443), context=ctx, timeout=30)
    body = {"service": SERVICE, "allowed_dns": ["localhost"], "allowed_ips": ["127.0.0.1"],
            "profile": "tls-server-client", "ttl_seconds": 600}
    conn.request("POST", "/api/v1/install-tokens", json.dumps(body), {"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    if "token" not in answer:
        raise SystemExit("cannot make an install token: %s" % answer)
    print("  (as the admin) made a one-time install token for %s" % SERVICE)
    return str(answer["token"])


def serve(pki: PKIClient) -> http.server.ThreadingHTTPServer:
    """An HTTPS server with mutual TLS, serving the certificate pki keeps renewed (no restart at renewal)."""
    ctx = pki.get_ssl_context(client_auth=True)

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            peer = self.connection.getpeercert()  # type: ignore[attr-defined]
            body = ("hello %s\n" % dict(x[0] for x in peer["subject"]).get("commonName")).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):  # type: ignore[no-untyped-def]
            sock, addr = self.socket.accept()
            return ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    server = Server(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="  %(levelname)s %(name)s: %(message)s")
    print("hsmca-client example: %s as %s (trusting %s)" % (URL, SERVICE, ROOT))

    step("Step 1: check the certificate")
    pki = PKIClient(URL, SERVICE, ca_bundle=ROOT)
    try:
        info = pki.get_certificate_info()
        print("Certificate found: %s, expires in %d days" % (info["serial"], info["days_until_expiry"]))
    except CertificateNotFoundError:
        step("Step 2: request a certificate")
        print("Requesting a certificate...")
        pki = PKIClient(URL, SERVICE, ca_bundle=ROOT, install_token=install_token())
        info = pki.request_certificate(common_name="localhost", san_dns=["localhost"], san_ip=["127.0.0.1"])
        print("  - Certificate ID: %s\n  - Expires at: %s\n  - Certificate file: %s\n  - Key file: %s"
              % (info["certificate_id"], info["expires_at"], info["cert_file"], info["key_file"]))

    with pki:
        server = serve(pki)
        url = "https://localhost:%d/" % server.server_address[1]

        step("Step 3: register the service")
        registered = pki.register_service(service_name="Example Service", endpoints=[url],
                                          health_check_url=url + "health",
                                          metadata={"version": "1.0.0", "workers": {"io": 4}})
        print("  - Service ID: %s\n  - Registered at: %s" % (registered["service_id"], registered["registered_at"]))

        step("Step 4: auto-renewal")
        pki.enable_auto_renewal()
        print("  - renews at %s (the CA's window; a background thread)" % pki.get_certificate_info()["renew_at"])

        step("Step 5: TLS")
        verify, cert = pki.get_httpx_config()
        print("  - httpx:    httpx.Client(verify=%r, cert=%r)" % (verify, cert))
        print("  - requests: session.verify, session.cert = %r, %r" % pki.get_requests_config())
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=pki.get_client_ssl_context()))
        with opener.open(url, timeout=30) as response:
            print("  - mTLS round trip: %d %s" % (response.status, response.read().decode().strip()))
        server.shutdown()

        step("Step 6: auto-renewal active (Ctrl-C to stop)")
        deadline = time.monotonic() + float(os.getenv("EXAMPLE_RUN_SECONDS", "inf"))
        try:
            while time.monotonic() < deadline:
                info = pki.get_certificate_info()
                print("  certificate %s: expires in %d days, renews at %s" % (info["serial"], info["days_until_expiry"],
                                                                            info["renew_at"]))
                time.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except PKIClientError as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
