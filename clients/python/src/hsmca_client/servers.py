"""Serving with the context from :meth:`PKIClient.get_ssl_context`."""

from __future__ import annotations

import ssl
from typing import Any


def uvicorn_server(app: Any, ssl_context: ssl.SSLContext, **config: Any) -> Any:
    """A ``uvicorn.Server`` that serves HTTPS with this context (uvicorn takes only file names for TLS).

    ``uvicorn_server(app, pki.get_ssl_context(), host="0.0.0.0", port=8001).run()`` replaces the notes'
    ``uvicorn.run(app, host=..., port=..., ssl_context=...)``; new connections get each renewed certificate.
    One process: with ``workers`` or ``reload`` uvicorn starts fresh processes that would not have the context.
    """
    import uvicorn  # type: ignore[import]  # (optional; no type information)

    if config.get("workers", 1) not in (None, 1) or config.get("reload"):
        raise ValueError("uvicorn_server runs one process: start each worker with its own PKIClient instead")
    cfg = uvicorn.Config(app, **config)
    cfg.load()
    cfg.ssl = ssl_context  # what Server.startup hands to asyncio's create_server
    return uvicorn.Server(cfg)
