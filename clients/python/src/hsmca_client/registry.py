"""The service registry call."""

from __future__ import annotations

from typing import Any, Dict

from .api import CaApi, Identity


def register(api: CaApi, identity: Identity, body: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /api/v1/services``: nested metadata and ``ws://``/``wss://`` endpoints as the notes send them."""
    return api.register(identity, body)
