"""Small TLS servers and clients for the tests."""

from __future__ import annotations

import asyncio
import http.server
import socket
import ssl
import threading
from typing import Any, Optional, Tuple

from cryptography import x509


def peer_serial(sock: Any) -> str:
    der = sock.getpeercert(binary_form=True)
    return format(x509.load_der_x509_certificate(der).serial_number, "x")


class AsyncioTlsServer:
    """An asyncio TLS server (``wrap_bio``, as uvicorn's) answering each connection with one line, then closing."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.server: Optional[asyncio.AbstractServer] = None
        self.thread = threading.Thread(target=self._run, args=(ctx,), daemon=True)
        self.thread.start()
        assert self.ready.wait(60), "the TLS server did not start"

    def _run(self, ctx: ssl.SSLContext) -> None:
        asyncio.set_event_loop(self.loop)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"ok\n")
            try:
                await writer.drain()
                writer.close()
                await writer.wait_closed()
            except (ConnectionError, ssl.SSLError):
                pass

        async def start() -> None:
            self.server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
            self.port = self.server.sockets[0].getsockname()[1]
            self.ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def close(self) -> None:
        async def stop() -> None:
            assert self.server is not None
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class HttpsServer:
    """A threading HTTPS server wrapping each accepted connection with ``ctx.wrap_socket`` (sync servers' way)."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"hello\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self) -> Tuple[Any, Any]:
                raw, addr = self.socket.accept()
                return ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False), addr

            def finish_request(self, request: Any, client_address: Any) -> None:
                try:
                    request.do_handshake()
                except (ssl.SSLError, OSError):
                    return
                super().finish_request(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def handshake(port: int, ctx: ssl.SSLContext, server_hostname: str) -> str:
    """One new connection; the serial the server presented."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
            serial = peer_serial(tls)
            tls.recv(16)
            return serial
