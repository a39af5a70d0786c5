"""Keys, requests and certificates (``cryptography``): the key is made here and only its CSR leaves the host."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
from typing import List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .errors import PKIClientError

PrivateKey = ec.EllipticCurvePrivateKey
UTC = datetime.timezone.utc


def generate_key() -> PrivateKey:
    """EC P-256, as the Java client's default: small, fast, accepted by every TLS stack."""
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_key(pem: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("not an EC private key")
    return key


def split_names(names: Sequence[str]) -> Tuple[List[str], List[str]]:
    """DNS names and IP addresses, in order, without duplicates."""
    dns: List[str] = []
    ips: List[str] = []
    for name in names:
        name = name.strip()
        try:
            ip = str(ipaddress.ip_address(name))
            if ip not in ips:
                ips.append(ip)
        except ValueError:
            if name.lower() not in (d.lower() for d in dns):
                dns.append(name)
    return dns, ips


def make_csr(key: PrivateKey, common_name: str, dns: Sequence[str], ips: Sequence[str]) -> str:
    """A PKCS#10 request: the CN, and every name (the CN too, when it is a host name or an address) as a SAN."""
    if not common_name or not common_name.strip():
        raise PKIClientError("a common_name is needed", "invalid_name")
    dns_names, ip_names = split_names([common_name, *dns, *ips])
    try:
        sans: List[x509.GeneralName] = [x509.DNSName(d) for d in dns_names]
        sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in ip_names]
        builder = x509.CertificateSigningRequestBuilder().subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name.strip())]))
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")
    except (ValueError, TypeError) as e:
        raise PKIClientError("cannot make a request for %s: %s" % (common_name, e), "invalid_name") from None


def load_certificates(pem: bytes) -> List[x509.Certificate]:
    """Every certificate in a PEM text, in order; a text with none is an error."""
    marker = b"-----BEGIN CERTIFICATE-----"
    out = []
    for part in pem.split(marker)[1:]:
        out.append(x509.load_pem_x509_certificate(marker + part))
    if not out:
        raise ValueError("no certificate")
    return out


def certificates_pem(certs: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def serial(cert: x509.Certificate) -> str:
    """Lowercase hex, as the appliance writes serials."""
    return format(cert.serial_number, "x")


def not_before(cert: x509.Certificate) -> datetime.datetime:
    value: Optional[datetime.datetime] = getattr(cert, "not_valid_before_utc", None)  # cryptography >= 42
    return value if value is not None else cert.not_valid_before.replace(tzinfo=UTC)


def not_after(cert: x509.Certificate) -> datetime.datetime:
    value: Optional[datetime.datetime] = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=UTC)


def names(cert: x509.Certificate) -> Tuple[str, List[str], List[str]]:
    """The subject CN (or the first name), the DNS names and the IP addresses."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        ips = [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = str(cns[0].value) if cns else (dns + ips + [""])[0]
    return cn, dns, ips


def public_der(key_or_cert: object) -> bytes:
    public = key_or_cert.public_key()  # type: ignore[attr-defined]
    return bytes(public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def matches(cert: x509.Certificate, key: PrivateKey) -> bool:
    return public_der(cert) == public_der(key)


def is_self_signed(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime.datetime:
    """The appliance's instants (``2026-01-02T03:04:05Z``, with or without fractions)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # Python < 3.11 takes at most 6 fraction digits
        head, rest = value.split(".", 1)
        digits = "".join(ch for ch in rest if ch.isdigit())
        value = head + "." + (digits[:6].ljust(6, "0")) + rest[len(digits):]
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
