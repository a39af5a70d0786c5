"""The service registry call, in the form the appliance takes."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Mapping

from .api import CaApi, Identity
from .errors import PKIClientError

LOG = logging.getLogger("hsmca_client")
# Today's registry takes string metadata values and http(s) endpoints; these refusals mean the notes' richer call is
# sent again in that form.
LEGACY_REFUSALS = ("bad_request", "invalid_metadata", "invalid_endpoints")


def register(api: CaApi, identity: Identity, body: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /api/v1/services`` as given; if the appliance refuses what it does not take yet, in the form it takes."""
    try:
        return api.register(identity, body)
    except PKIClientError as e:
        legacy = legacy_form(body)
        if e.status != 400 or e.code not in LEGACY_REFUSALS or legacy == body:
            raise
        LOG.info("%s: the appliance refused the registration as given (%s); registering it in the form it takes "
                 "(string metadata, WebSocket endpoints in metadata)", body.get("service"), e.code)
        return api.register(identity, legacy)


def legacy_form(body: Mapping[str, Any]) -> Dict[str, Any]:
    """String metadata (other values as compact JSON), http(s) endpoints (the rest under ``websocket_endpoints``)."""
    metadata: Dict[str, Any] = {}
    for k, v in dict(body.get("metadata") or {}).items():
        metadata[str(k)] = v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), sort_keys=True)
    endpoints = [str(e) for e in body.get("endpoints") or []]
    web = [e for e in endpoints if e.lower().startswith(("http://", "https://"))]
    sockets = [e for e in endpoints if e not in web]
    if sockets:
        metadata["websocket_endpoints"] = json.dumps(sockets, separators=(",", ":"))
    return {**body, "endpoints": web, "metadata": metadata}
