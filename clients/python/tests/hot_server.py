"""A Python service as the notes write one, for the hot-reload test: the TLS context is made before uvicorn starts,
the certificate requested in the startup handler, auto-renewal on; then uvicorn serves HTTPS (mTLS) until SIGTERM.

    python3 hot_server.py URL SERVICE CA_BUNDLE CERT_DIR PORT_FILE     (the install token in PKI_INSTALL_TOKEN)
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hsmca_client import PKIClient, uvicorn_server  # noqa: E402

Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]


def main() -> None:
    url, service, ca_bundle, cert_dir, port_file = sys.argv[1:6]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    pki = PKIClient(url, service, ca_bundle=ca_bundle, cert_dir=cert_dir)
    ssl_context = pki.get_ssl_context(client_auth=True)  # before the certificate exists, as in the notes

    async def app(scope: Dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    pki.request_certificate(common_name="localhost", san_dns=["localhost"], san_ip=["127.0.0.1"],
                                            validity="5m")
                    pki.enable_auto_renewal(check_interval_hours=1 / 3600)  # ask the CA every second
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    pki.disable_auto_renewal()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = json.dumps({"service": service, "serial": pki.get_certificate_info()["serial"]}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    Path(port_file).write_text(str(sock.getsockname()[1]))
    uvicorn_server(app, ssl_context, lifespan="on", log_level="warning").run(sockets=[sock])


if __name__ == "__main__":
    main()
