"""``PKIClient``: the API of the integration notes, on the appliance's REST API."""

from __future__ import annotations

import datetime
import logging
import os
import re
import ssl
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union

from cryptography import x509

from . import certs, registry, settings
from .api import CaApi, check_url
from .errors import CertificateNotFoundError, PKIClientError
from .policy import DAY, HOUR, RenewalPolicy, Window
from .renewer import AutoRenewer
from .store import CertStore, Credentials
from .tls import ReloadingSSLContext, client_context, server_context

LOG = logging.getLogger("hsmca_client")
SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # the appliance's rule; also a safe folder name
# The appliance's forms (InstallTokens, EnrollmentKeys): checked here so that a value with a newline or a stray
# character never reaches http.client, whose ValueError would quote the whole header, secret and all.
INSTALL_TOKEN = re.compile(r"^hct_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
ENROLL_KEY = re.compile(r"^hek_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
# a JWS compact serialization (three base64url parts): a workload token such as a Kubernetes projected one
JWT = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
DEFAULT_CERT_DIR = "pki_client"
StrPath = Union[str, "os.PathLike[str]"]


def _credentials(install_token: Optional[str], enrollment_key: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """The install token and the enrollment key: the arguments, else the environment (pki-agent reads its options
    before it, the same way); never both kinds from one place."""
    if (install_token or "").strip() or (enrollment_key or "").strip():
        token, key = install_token, enrollment_key
        both = "install_token and enrollment_key are both given"
    else:
        token = settings.text(settings.PKI_INSTALL_TOKEN)
        key = settings.text(settings.PKI_ENROLL_KEY)
        key_file = settings.text(settings.PKI_ENROLL_KEY_FILE)
        both = "PKI_INSTALL_TOKEN and PKI_ENROLL_KEY[_FILE] are both set"
        if token and key_file:
            key = key or key_file  # refused below; the file is not read
        elif key is None:
            key = _read_key_file(key_file)
    if (token or "").strip() and (key or "").strip():
        raise PKIClientError(both + ": give an install token or an enrollment key, not both", "invalid_credential")
    return (_credential(token, INSTALL_TOKEN, "install token (hct_...)"),
            _credential(key, ENROLL_KEY, "enrollment key (hek_...)"))


def _credential(value: Optional[str], form: "re.Pattern[str]", what: str) -> Optional[str]:
    """The credential stripped, or None; a value not of its form is refused without quoting it (it is a secret)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not form.fullmatch(value):
        raise PKIClientError("the %s is not of the form the appliance makes (%d characters given; the value is not "
                             "shown)" % (what, len(value)), "invalid_credential")
    return value


def _read_jwt_file(path: Path) -> str:
    """The workload token in its file, read at each use (the kubelet replaces a projected token before it expires)."""
    try:
        value = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError as e:
        raise PKIClientError("cannot read the workload token file %s: %s" % (path, e.strerror), "invalid_credential") \
            from None
    if not JWT.fullmatch(value):
        raise PKIClientError("the file %s does not hold a JWT (%d characters; the value is not shown)"
                             % (path, len(value)), "invalid_credential")
    return value


def _read_key_file(path: Optional[str]) -> Optional[str]:
    """PKI_ENROLL_KEY_FILE's content (a mounted secret), or None when unset."""
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as e:
        raise PKIClientError("cannot read PKI_ENROLL_KEY_FILE %s: %s" % (path, e.strerror), "invalid_credential") \
            from None


class PKIClient:
    """A service's certificate from the HSM CA appliance, kept renewed, and TLS settings that follow it.

    ``pki_server_url`` and ``service_id`` may be None: ``PKI_SERVER_URL`` and ``SERVICE_ID`` are read then. The
    first certificate is requested with a one-time ``install_token`` (``bin/appliance token create``;
    ``PKI_INSTALL_TOKEN``), a reusable ``enrollment_key`` (``PKI_ENROLL_KEY``) or a workload token in ``jwt_file``
    (``PKI_JWT_FILE``: a Kubernetes projected service-account token the CA trusts; read at each use); ``ca_bundle`` is the CA's root
    certificate to trust (PEM file; ``PKI_CA_BUNDLE``; after the first enrollment the folder's ``ca_chain.pem``);
    ``cert_dir`` the folder that holds one sub-folder per service (``pki_client``; ``PKI_CERT_DIR``).
    """

    def __init__(self, pki_server_url: Optional[str], service_id: Optional[str], *,
                 install_token: Optional[str] = None, enrollment_key: Optional[str] = None,
                 jwt_file: Optional[StrPath] = None, ca_bundle: Optional[StrPath] = None, cert_dir: Optional[StrPath] = None) -> None:
        url = pki_server_url or settings.text(settings.PKI_SERVER_URL)
        if not url:
            raise PKIClientError("no PKI server URL: pass pki_server_url or set PKI_SERVER_URL", "invalid_url")
        check_url(url)
        service = service_id or settings.text(settings.SERVICE_ID)
        if not service or not SERVICE_ID.match(service):
            raise PKIClientError("service_id must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits and "
                                 "hyphens), not %r" % service, "invalid_service")
        self.pki_server_url = url.strip().rstrip("/")
        self.service_id = service
        self._install_token, self._enrollment_key = _credentials(install_token, enrollment_key)
        jwt = jwt_file if jwt_file is not None else settings.text(settings.PKI_JWT_FILE)
        self._jwt_file: Optional[Path] = Path(jwt).absolute() if jwt else None
        if self._jwt_file is not None and (self._install_token or self._enrollment_key):
            raise PKIClientError("a workload token (jwt_file / PKI_JWT_FILE) and an install token or enrollment key "
                                 "are both given: give one", "invalid_credential")
        bundle = ca_bundle if ca_bundle is not None else settings.text(settings.PKI_CA_BUNDLE)
        self._ca_bundle: Optional[Path] = Path(bundle).absolute() if bundle else None
        self._anchors: List[x509.Certificate] = []
        if self._ca_bundle is not None:
            try:
                self._anchors = certs.load_certificates(self._ca_bundle.read_bytes())
            except (OSError, ValueError) as e:
                raise PKIClientError("ca_bundle %s is not a PEM certificate file: %s" % (self._ca_bundle, e),
                                     "invalid_ca_bundle") from None
        base = Path(cert_dir) if cert_dir is not None else Path(settings.text(settings.PKI_CERT_DIR) or DEFAULT_CERT_DIR)
        self.cert_dir: Path = base.absolute() / service  # fixed now: a later chdir does not move it
        self._store = CertStore(self.cert_dir)
        self._lock = threading.RLock()
        self._clock = time.time
        self._credentials: Optional[Credentials] = None
        self._loaded = False
        self._known_serial = self._disk_serial()  # what was there before this client wrote anything
        self._window: Optional[Window] = None
        self._contexts: "weakref.WeakSet[ReloadingSSLContext]" = weakref.WeakSet()
        self._renewer: Optional[AutoRenewer] = None
        self._policy = RenewalPolicy()
        self.timeout = 15.0

    # ----- certificates --------------------------------------------------------------------------------------------

    def request_certificate(self, common_name: str, san_dns: Optional[Sequence[str]] = None,
                            san_ip: Optional[Sequence[str]] = None, validity_days: Optional[int] = None, *,
                            validity: Optional[str] = None, profile: Optional[str] = None) -> Dict[str, Any]:
        """Requests a certificate with a new key made here (EC P-256; only the CSR is sent).

        The names must be ones the install token allows. ``validity_days`` (or ``CERT_VALIDITY_DAYS``), or
        ``validity`` as the appliance writes it (``"10m"``, ``"24h"``, ``"90d"``), is the lifetime asked; it is asked
        again at each renewal. Returns :meth:`get_certificate_info`. When another process sharing the folder (a
        worker) got a certificate for the same names meanwhile, that one is used and no token is spent.
        """
        secret = self._install_token or self._enrollment_key
        if not secret and self._jwt_file is not None:
            secret = _read_jwt_file(self._jwt_file)
        if not secret:
            raise PKIClientError("no install token: pass install_token=... (an admin makes one with 'bin/appliance "
                                 "token create --service %s --dns ...') or set PKI_INSTALL_TOKEN, or pass a reusable "
                                 "enrollment_key=... ('bin/appliance enroll-key create') or set PKI_ENROLL_KEY"
                                 % self.service_id,
                                 "no_token")
        extra = settings.lifetime(validity_days, validity, None)
        if profile:
            extra["profile"] = profile
        wanted_dns, wanted_ips = certs.split_names([common_name, *(san_dns or []), *(san_ip or [])])
        with self._lock, self._store.lock:
            on_disk = self._store.load()
            if on_disk is not None and on_disk.serial != self._known_serial and self._usable(on_disk) \
                    and self._same_names(on_disk, common_name, wanted_dns, wanted_ips):
                LOG.info("%s: using certificate %s another process just got", self.service_id, on_disk.serial)
                self._adopt(on_disk)
                return self.get_certificate_info()
            api = self._api()
            key = certs.generate_key()
            csr = certs.make_csr(key, common_name, san_dns or [], san_ip or [])
            issued = api.enroll(secret, csr, extra)
            meta = {"service_id": self.service_id, "server_url": self.pki_server_url, "profile": profile,
                    "validity": extra.get("validity"), "validity_days": extra.get("validity_days")}
            creds = self._save(key, issued, meta)
            LOG.info("%s: certificate %s issued for %s, valid until %s", self.service_id, creds.serial,
                     ", ".join(wanted_dns + wanted_ips), certs.iso(certs.not_after(creds.certificate)))
        return self.get_certificate_info()

    def renew_certificate(self, validity_days: Optional[int] = None, *,
                          validity: Optional[str] = None) -> Dict[str, Any]:
        """Renews now over mTLS with the certificate held: a new key, the same names. Returns the new info."""
        with self._lock, self._store.lock:
            self._sync_locked()
            current = self._require()
            self._renew(current, validity_days, validity)
        return self.get_certificate_info()

    def get_certificate_info(self) -> Dict[str, Any]:
        """The certificate in use (read locally; with the CA's renewal window when it was asked).

        Raises :class:`CertificateNotFoundError` when there is none or it expired, and
        :class:`~hsmca_client.CertificateStoreError` when the folder holds a file this client did not write.
        """
        c = self._require()
        now = self._clock()
        cn, dns, ips = certs.names(c.certificate)
        window = self._window
        policy = self._renewer.policy if self._renewer is not None else self._policy
        return {
            "service_id": self.service_id,
            "serial": c.serial,
            "certificate_id": c.serial,
            "common_name": cn,
            "san_dns": dns,
            "san_ip": ips,
            "issuer": c.certificate.issuer.rfc4514_string(),
            "not_before": certs.iso(certs.not_before(c.certificate)),
            "not_after": certs.iso(certs.not_after(c.certificate)),
            "expires_at": certs.iso(certs.not_after(c.certificate)),
            "days_until_expiry": int((c.not_after - now) // DAY),
            "key_type": "EC P-256",
            "renew_at": _iso(max(policy.due(c, window), now)),
            "renew_after": _iso(window.start) if window else None,
            "renew_before": _iso(window.end) if window else None,
            "renew_now": window.renew_now if window else None,
            "status": window.status if window else None,
            "auto_renewal": self._renewer is not None and self._renewer.running,
            "cert_file": str(self.cert_dir / "cert.pem"),
            "key_file": str(self.cert_dir / "key.pem"),
            "chain_file": str(self.cert_dir / "chain.pem"),
            "ca_file": str(self.cert_dir / "ca_chain.pem"),
            "cert_dir": str(self.cert_dir),
        }

    # ----- registry ------------------------------------------------------------------------------------------------

    def register_service(self, service_name: str, endpoints: Optional[Sequence[str]] = None,
                         health_check_url: Optional[str] = None,
                         metadata: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Registers (or updates) this service in the CA's registry, over mTLS with its certificate.

        ``service_name`` is the display name; metadata may nest, and endpoints may be ``ws://``/``wss://`` URLs.
        """
        c = self._require()
        body: Dict[str, Any] = {"service": self.service_id, "display_name": service_name,
                                "endpoints": list(endpoints or []), "metadata": dict(metadata or {})}
        if health_check_url is not None:
            body["health_check_url"] = health_check_url
        answer = registry.register(self._api(), (c.cert_file, c.key_file), body)
        return {"service_id": self.service_id, **answer}

    # ----- auto-renewal --------------------------------------------------------------------------------------------

    def enable_auto_renewal(self, check_interval_hours: Optional[float] = None,
                            renew_before_days: Optional[float] = None) -> None:
        """Renews in a background thread until :meth:`disable_auto_renewal` (or the end of a ``with`` block).

        By default it follows the CA's renewal window as the Java client does (see :class:`RenewalPolicy`);
        ``check_interval_hours`` (``AUTO_RENEWAL_CHECK_HOURS``) sets how often the CA is asked, and
        ``renew_before_days`` (``AUTO_RENEWAL_THRESHOLD_DAYS``) renews that long before expiry instead.
        """
        hours = check_interval_hours if check_interval_hours is not None else \
            settings.number(settings.AUTO_RENEWAL_CHECK_HOURS)
        days = renew_before_days if renew_before_days is not None else \
            settings.number(settings.AUTO_RENEWAL_THRESHOLD_DAYS)
        try:
            policy = RenewalPolicy(renew_before=days * DAY if days is not None else None,
                                   poll_interval=hours * HOUR if hours is not None else RenewalPolicy.poll_interval)
        except ValueError as e:
            raise PKIClientError(str(e), "invalid_setting") from None
        c = self._require()
        self.disable_auto_renewal()  # (outside the lock: the old thread may be waiting for it)
        with self._lock:
            self._policy = policy
            self._renewer = AutoRenewer(self, policy, lambda: self._clock())
            self._renewer.start()
        LOG.info("%s: auto-renewal enabled (certificate %s; %s; the CA asked every %.6g h)", self.service_id,
                 c.serial, "renewing %.6g days before expiry" % days if days is not None
                 else "following the CA's renewal window", policy.poll_interval / HOUR)

    def disable_auto_renewal(self) -> None:
        renewer = self._renewer
        self._renewer = None
        if renewer is not None:
            renewer.stop()
            LOG.info("%s: auto-renewal disabled", self.service_id)

    # ----- TLS -----------------------------------------------------------------------------------------------------

    def get_ssl_context(self, client_auth: bool = False) -> ssl.SSLContext:
        """A server context that serves the current certificate and, after each renewal, the new one on new
        handshakes (the same object, reloaded). ``client_auth=True`` requires client certificates from our CA.

        Asked for before the first certificate (the notes build it before uvicorn's startup handler requests one),
        it is filled in when the certificate arrives.
        """
        ctx = server_context(self._trust_file() if client_auth else None, client_auth)
        return self._track(ctx)

    def get_client_ssl_context(self) -> ssl.SSLContext:
        """A client context for mTLS to other services: presents our certificate (reloaded after each renewal),
        trusts only our CA. Also ``httpx.Client(verify=pki.get_client_ssl_context())``."""
        trust = self._trust_file()
        if trust is None:
            raise PKIClientError("no CA bundle: pass ca_bundle=... (the CA's root.pem)", "invalid_ca_bundle")
        return self._track(client_context(trust))

    def get_httpx_config(self) -> Tuple[str, Optional[Tuple[str, str]]]:
        """``(verify, cert)`` for ``httpx.Client(verify=verify, cert=cert)``: the CA bundle and (cert, key) files.

        The files are replaced at each renewal; an ``httpx.Client`` reads them once, so a long-lived one keeps
        presenting the certificate it started with (until that expires). Prefer
        ``httpx.Client(verify=pki.get_client_ssl_context())``, which follows renewals.
        """
        return self._file_config()

    def get_requests_config(self) -> Tuple[str, Optional[Tuple[str, str]]]:
        """``(verify, cert)`` for ``session.verify = verify; session.cert = cert`` (requests reads the files for each
        new connection, so a long-lived session follows renewals)."""
        return self._file_config()

    # ----- context manager -----------------------------------------------------------------------------------------

    def close(self) -> None:
        self.disable_auto_renewal()

    def __enter__(self) -> "PKIClient":
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], value: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return "PKIClient(%r, %r, cert_dir=%r)" % (self.pki_server_url, self.service_id, str(self.cert_dir))

    # ----- what the renewer calls ----------------------------------------------------------------------------------

    def credentials(self) -> Optional[Credentials]:
        with self._lock:
            if not self._loaded:
                self._credentials = self._store.load()
                self._loaded = True
            return self._credentials

    def poll(self, etag: Optional[str]) -> Optional[Tuple[Window, Optional[str]]]:
        """The CA's renewal window for the certificate in use; None when unchanged since ``etag``."""
        c = self._require()
        answer = self._api().current((c.cert_file, c.key_file), etag)
        if answer is None:
            return None
        body = answer.body
        window = Window(_instant(body.get("renew_after")), _instant(body.get("renew_before")),
                        bool(body.get("renew_now")), str(body.get("status") or "") or None)
        self._window = window
        service = body.get("service")
        if service and service != self.service_id:
            LOG.warning("%s: the CA says certificate %s belongs to service %r; service_id should be %r", self.service_id,
                        c.serial, service, service)
        return window, answer.etag

    def renew_if_still_due(self, serial: str) -> Credentials:
        """Renews unless another process sharing the folder already replaced ``serial``."""
        with self._lock, self._store.lock:
            current = self._sync_locked()
            if current is None:
                raise CertificateNotFoundError("no certificate in %s" % self.cert_dir)
            if current.serial != serial:
                return current
            return self._renew(current, None, None)

    def sync(self) -> None:
        """Takes up a certificate another process wrote into the folder (cheap when nothing changed)."""
        disk = self._disk_serial()
        c = self._credentials
        if not self._loaded or disk is None or (c is not None and c.serial == disk):
            return
        try:
            with self._lock, self._store.lock:
                self._sync_locked()
        except PKIClientError as e:
            LOG.warning("%s: cannot read the folder %s (%s); keeping the certificate in use", self.service_id,
                        self.cert_dir, e)

    # ----- internals -----------------------------------------------------------------------------------------------

    def _require(self) -> Credentials:
        c = self.credentials()
        if c is None:
            raise CertificateNotFoundError("no certificate in %s: request one with request_certificate(...)"
                                           % self.cert_dir)
        if self._clock() >= c.not_after:
            raise CertificateNotFoundError("the certificate in %s (serial %s) expired at %s: request a new one"
                                           % (self.cert_dir, c.serial, certs.iso(certs.not_after(c.certificate))),
                                           "certificate_expired")
        return c

    def _usable(self, c: Credentials) -> bool:
        return self._clock() < c.not_after

    @staticmethod
    def _same_names(c: Credentials, common_name: str, dns: List[str], ips: List[str]) -> bool:
        cn, have_dns, have_ips = certs.names(c.certificate)
        return cn == common_name.strip() and {d.lower() for d in have_dns} == {d.lower() for d in dns} \
            and set(have_ips) == set(ips)

    def _sync_locked(self) -> Optional[Credentials]:
        """With the folder locked: the folder's certificate, taken up when it changed."""
        on_disk = self._store.load()
        current = self._credentials if self._loaded else None
        if on_disk is not None and (current is None or on_disk.serial != current.serial):
            self._adopt(on_disk)
        elif not self._loaded:
            self._credentials, self._loaded = on_disk, True
        return self._credentials

    def _renew(self, current: Credentials, validity_days: Optional[int], validity: Optional[str]) -> Credentials:
        extra = settings.lifetime(validity_days, validity, current.meta)
        cn, dns, ips = certs.names(current.certificate)
        key = certs.generate_key()
        csr = certs.make_csr(key, cn, dns, ips)
        issued = self._api().renew((current.cert_file, current.key_file), csr, extra)
        creds = self._save(key, issued, {})
        LOG.info("%s: certificate %s renewed as %s, valid until %s", self.service_id, current.serial, creds.serial,
                 certs.iso(certs.not_after(creds.certificate)))
        return creds

    def _save(self, key: certs.PrivateKey, issued: Mapping[str, Any], meta: Dict[str, Any]) -> Credentials:
        try:
            leaf = certs.load_certificates(str(issued.get("certificate_pem", "")).encode("ascii"))[0]
            chain = certs.load_certificates(str(issued.get("chain_pem", "")).encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise PKIClientError("the CA's answer holds no certificate", "bad_answer") from None
        if not certs.matches(leaf, key):
            raise PKIClientError("the CA answered with a certificate for another key", "bad_answer")
        anchors = self._anchors or [c for c in (self._credentials.trust if self._credentials else [])
                                    if certs.is_self_signed(c)]
        creds = self._store.save(key, leaf, chain, anchors, meta)
        self._adopt(creds)
        return creds

    def _adopt(self, creds: Credentials) -> None:
        """The credentials in use from now on: every context handed out reloads them for new handshakes."""
        if self._credentials is None or self._credentials.serial != creds.serial:
            self._window = None  # the CA's window was the old certificate's
        self._credentials, self._loaded = creds, True
        for ctx in list(self._contexts):
            ctx.hsmca_reload(creds.cert_file, creds.key_file, creds.serial, creds.cert_file.parent / "ca_chain.pem")

    def _track(self, ctx: ReloadingSSLContext) -> ReloadingSSLContext:
        with self._lock:
            c = self.credentials()
            if c is not None:
                ctx.hsmca_reload(c.cert_file, c.key_file, c.serial, c.cert_file.parent / "ca_chain.pem")
            else:
                LOG.warning("%s: no certificate yet; the TLS context gets it when request_certificate() succeeds",
                            self.service_id)
            self._contexts.add(ctx)
        return ctx

    def _trust_file(self) -> Optional[Path]:
        if self._ca_bundle is not None:
            return self._ca_bundle
        chain = self.cert_dir / "ca_chain.pem"
        return chain if chain.is_file() else None

    def _api(self) -> CaApi:
        trust = self._trust_file()
        if trust is None:
            raise PKIClientError("no CA bundle to trust the appliance with: pass ca_bundle=... (its root.pem) or set "
                                 "PKI_CA_BUNDLE", "invalid_ca_bundle")
        return CaApi(self.pki_server_url, trust, self.timeout)

    def _file_config(self) -> Tuple[str, Optional[Tuple[str, str]]]:
        trust = self._trust_file()
        if trust is None:
            raise PKIClientError("no CA bundle: pass ca_bundle=... (the CA's root.pem)", "invalid_ca_bundle")
        verify = self.cert_dir / "ca_chain.pem"
        if not verify.is_file():
            verify = trust
        if self.credentials() is None:
            return str(verify), None
        return str(verify), (str(self.cert_dir / "cert.pem"), str(self.cert_dir / "key.pem"))

    def _disk_serial(self) -> Optional[str]:
        try:
            manifest = self._store.manifest()
        except PKIClientError:
            return None
        return str(manifest.get("serial")) if manifest and manifest.get("serial") else None


def _instant(value: Any) -> Optional[float]:
    if not value:
        return None
    try:
        return certs.parse_iso(str(value)).timestamp()
    except ValueError:
        return None


def _iso(moment: Optional[float]) -> Optional[str]:
    if moment is None:
        return None
    return certs.iso(datetime.datetime.fromtimestamp(moment, tz=certs.UTC))
