"""TLS contexts that follow renewals: the same ``SSLContext`` object, reloaded in place with ``load_cert_chain``.

OpenSSL copies a context's certificate and key into each connection when the connection is created, so a server
(uvicorn, any asyncio or socket server) that holds this context serves the renewed certificate on the next
handshake, without a restart; connections already open keep theirs. ``load_cert_chain`` replaces the certificate
first and the key second (and lets other threads run while it reads the files), so a connection created between
the two would get the new certificate with no key. The context therefore takes a lock around the reload and
around creating a connection (``wrap_bio``, used by asyncio, and ``wrap_socket``); the handshake itself runs
outside the lock.
"""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path
from typing import Any, Optional


class ReloadingSSLContext(ssl.SSLContext):
    """An ``ssl.SSLContext`` whose certificate and key the client replaces after each renewal."""

    _hsmca_lock: threading.Lock
    _hsmca_loaded: Optional[str]

    def hsmca_reload(self, cert_file: Path, key_file: Path, serial: str, trust: Optional[Path] = None) -> None:
        """Loads the pair for new connections; ``trust`` (the CA chain) is added to what peers are checked against,
        so that a peer presenting only its certificate, without the issuing CA, is accepted too."""
        with self._hsmca_lock:
            self.load_cert_chain(str(cert_file), str(key_file))
            if trust is not None and self.verify_mode != ssl.CERT_NONE:
                self.load_verify_locations(cafile=str(trust))  # (certificates already there are ignored)
            self._hsmca_loaded = serial

    @property
    def hsmca_serial(self) -> Optional[str]:
        """The serial of the certificate new connections get (None before the first one)."""
        return self._hsmca_loaded

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        with self._hsmca_lock:
            return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, sock: socket.socket, server_side: bool = False, do_handshake_on_connect: bool = True,
                    suppress_ragged_eofs: bool = True, server_hostname: Optional[str] = None,
                    session: Optional[ssl.SSLSession] = None) -> ssl.SSLSocket:
        # The connection's SSL object is made under the lock; its handshake (which may wait on the peer) is not.
        with self._hsmca_lock:
            wrapped = super().wrap_socket(sock, server_side, False, suppress_ragged_eofs, server_hostname, session)
        wrapped.do_handshake_on_connect = do_handshake_on_connect  # type: ignore[attr-defined]
        if do_handshake_on_connect and getattr(wrapped, "_sslobj", None) is not None:
            if wrapped.gettimeout() == 0.0:
                raise ValueError("do_handshake_on_connect should not be specified for non-blocking sockets")
            wrapped.do_handshake()
        return wrapped


def _new(protocol: int) -> ReloadingSSLContext:
    ctx = ReloadingSSLContext(protocol)
    ctx._hsmca_lock = threading.Lock()
    ctx._hsmca_loaded = None
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def server_context(trust: Optional[Path], client_auth: bool) -> ReloadingSSLContext:
    """A server context; with ``client_auth`` it requires a client certificate from our CA."""
    ctx = _new(ssl.PROTOCOL_TLS_SERVER)
    if client_auth:
        if trust is None:
            raise ValueError("client_auth needs the CA bundle")
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=str(trust))
    return ctx


def client_context(trust: Path) -> ReloadingSSLContext:
    """A client context: verifies the server's name and chain against our CA only, presents our certificate."""
    ctx = _new(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(trust))
    return ctx
