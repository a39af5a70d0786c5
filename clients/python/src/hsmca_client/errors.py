"""Exceptions: every failure of the client is a :class:`PKIClientError` with a code a program can branch on."""

from __future__ import annotations

from typing import Optional


class PKIClientError(Exception):
    """A failure with a one-line reason a person can act on.

    ``code`` is the appliance's error code when the CA refused (``token_used``, ``name_not_allowed``, ...), else a
    short name of what went wrong locally (``unreachable``, ``tls_trust``, ``store_corrupt``, ...); ``message`` is
    the appliance's message or ours; ``status`` the HTTP status when the CA answered; ``retry_after`` the seconds a
    503 asked to wait. ``retryable`` says whether trying again later can succeed without anyone doing anything.
    """

    def __init__(self, message: str, code: str = "error", status: Optional[int] = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.code in ("unreachable", "timeout") or self.status == 503

    def __str__(self) -> str:
        if self.status is not None:
            return "HTTP %d %s: %s" % (self.status, self.code, self.message)
        return "%s: %s" % (self.code, self.message)


class CertificateNotFoundError(PKIClientError):
    """No usable certificate in the service's folder yet (never requested, or expired): request one."""

    def __init__(self, message: str, code: str = "certificate_not_found") -> None:
        super().__init__(message, code)


class CertificateStoreError(PKIClientError):
    """The service's folder holds a file this client did not write, or a damaged one; nothing was overwritten."""

    def __init__(self, message: str, code: str = "store_corrupt") -> None:
        super().__init__(message, code)


class CAUnavailableError(PKIClientError):
    """The CA did not answer, or answered 503 (its HSM or database is down): retrying later helps."""
