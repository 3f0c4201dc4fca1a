"""The agencies' signing keys and certificates, as files under settings.PRACHA_SIGNING_ROOT.

    trust-roots.pem                     CA certificates that document signatures must chain to
    demo-ca/ca.key.pem, ca.cert.pem     the demo certificate authority (PRACHA_DEMO_PKI only)
    agencies/<code>/key.pem             the agency's private key (EC P-256, mode 0600)
    agencies/<code>/cert.pem            its certificate
    agencies/<code>/chain.pem           intermediate CAs between it and a trust root (may be empty)

In demo mode Pracha plays the CA itself and issues what is missing; in production an operator puts a real
CA's certificates at the same paths and nothing is ever generated. Issuing takes an exclusive file lock and
every file is written to a temporary name and renamed, so two processes starting together create one key,
not two, and a reader never sees half a file.
"""

import datetime
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings

DEMO_CA_NAME = "Pracha demo CA (not for real use)"
DEMO_CA_DAYS = 3653  # ten years
AGENCY_CERTIFICATE_DAYS = 1096  # three years
# Issued certificates start a few minutes in the past, so a verifier whose clock is slightly behind
# does not see a certificate that is "not yet valid".
CLOCK_SKEW = datetime.timedelta(minutes=5)
# Key purposes that say "signs documents": RFC 9336 id-kp-documentSigning, and the Adobe and Microsoft ones
# that PDF readers recognise. Readers built on NSS (Okular, Evince, LibreOffice, Firefox) check a PDF
# signer as an e-mail signer and refuse a certificate whose key purposes leave out emailProtection.
# pyHanko accepts any key purpose as long as the key usage includes non-repudiation.
DOCUMENT_SIGNING_PURPOSES = [
    ObjectIdentifier("1.3.6.1.5.5.7.3.36"),
    ObjectIdentifier("1.2.840.113583.1.1.5"),
    ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
    ExtendedKeyUsageOID.EMAIL_PROTECTION,
]
# Agency codes are slugs; anything else could name a path outside the signing root.
AGENCY_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


class DemoPkiDisabled(RuntimeError):
    """Pracha was asked to play certificate authority with settings.PRACHA_DEMO_PKI off."""


@dataclass(frozen=True)
class AgencyPaths:
    directory: Path
    key: Path
    cert: Path
    chain: Path


def signing_root() -> Path:
    return Path(settings.PRACHA_SIGNING_ROOT)


def trust_roots_path() -> Path:
    return signing_root() / "trust-roots.pem"


def demo_ca_paths() -> tuple[Path, Path]:
    """(key, certificate) of the demo CA."""
    directory = signing_root() / "demo-ca"
    return directory / "ca.key.pem", directory / "ca.cert.pem"


def agency_paths(code: str) -> AgencyPaths:
    if not AGENCY_CODE.fullmatch(code):
        raise ValueError(f"Not an agency code: {code!r}")
    directory = signing_root() / "agencies" / code
    return AgencyPaths(
        directory=directory,
        key=directory / "key.pem",
        cert=directory / "cert.pem",
        chain=directory / "chain.pem",
    )


def agency_has_key(code: str) -> bool:
    paths = agency_paths(code)
    return paths.key.is_file() and paths.cert.is_file()


def certificate_sha256(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file; none when the file is missing or empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    return x509.load_pem_x509_certificates(data)


def trust_roots() -> list[x509.Certificate]:
    return load_certificates(trust_roots_path())


def ensure_demo_ca() -> Path:
    """Create the demo CA (and put it in trust-roots.pem) unless it exists; return its certificate's path."""
    _refuse_unless_demo()
    if not _demo_ca_complete():
        with _issuance_lock():
            _ensure_demo_ca_locked()
    return demo_ca_paths()[1]


def ensure_agency_certificate(*, code: str, name_th: str, name_en: str) -> bool:
    """Demo mode: give the agency a key and a certificate from the demo CA unless it has both.

    True when something was created. A key already in place (without a certificate) is kept."""
    _refuse_unless_demo()
    paths = agency_paths(code)
    if agency_has_key(code):
        return False
    with _issuance_lock():
        _ensure_demo_ca_locked()
        if agency_has_key(code):
            return False
        ca_key_path, ca_cert_path = demo_ca_paths()
        ca_key = _load_ec_key(ca_key_path)
        ca_cert = load_certificates(ca_cert_path)[0]
        _make_private_directory(paths.directory)
        if paths.key.is_file():
            key = _load_ec_key(paths.key)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            _write_atomic(paths.key, _private_pem(key), mode=0o600)
        certificate = _agency_certificate(
            key=key, code=code, name_th=name_th, name_en=name_en, ca_key=ca_key, ca_cert=ca_cert
        )
        # The demo CA is itself the trust root, so there are no intermediates.
        _write_atomic(paths.chain, b"", mode=0o644)
        _write_atomic(paths.cert, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
        return True


def _refuse_unless_demo() -> None:
    if not settings.PRACHA_DEMO_PKI:
        raise DemoPkiDisabled(
            "PRACHA_DEMO_PKI is off: Pracha does not create certificate authorities or keys. Put each "
            f"agency's key and certificate under {signing_root() / 'agencies'} (see docs/documents.md)."
        )


def _demo_ca_complete() -> bool:
    key_path, cert_path = demo_ca_paths()
    if not (key_path.is_file() and cert_path.is_file()):
        return False
    ca_sha = certificate_sha256(load_certificates(cert_path)[0])
    return any(certificate_sha256(root) == ca_sha for root in trust_roots())


def _ensure_demo_ca_locked() -> None:
    key_path, cert_path = demo_ca_paths()
    if not (key_path.is_file() and cert_path.is_file()):
        _make_private_directory(key_path.parent)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = _demo_ca_certificate(key)
        _write_atomic(key_path, _private_pem(key), mode=0o600)
        _write_atomic(cert_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    ca_cert = load_certificates(cert_path)[0]
    roots = trust_roots()
    if all(certificate_sha256(root) != certificate_sha256(ca_cert) for root in roots):
        # Keep whatever else an operator trusts (a timestamp authority's root, say).
        pem = b"".join(root.public_bytes(serialization.Encoding.PEM) for root in [*roots, ca_cert])
        _write_atomic(trust_roots_path(), pem, mode=0o644)


def _demo_ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pracha"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + datetime.timedelta(days=DEMO_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _agency_certificate(
    *,
    key: ec.EllipticCurvePrivateKey,
    code: str,
    name_th: str,
    name_en: str,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
) -> x509.Certificate:
    english = name_en.strip() or code
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, english),
    ]
    if name_th.strip():
        # The Thai name, where certificate viewers show it (they encode it as UTF8String).
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, name_th.strip()))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, english))
    now = datetime.datetime.now(datetime.UTC)
    # Never valid for longer than the CA that vouches for it.
    not_after = min(now + datetime.timedelta(days=AGENCY_CERTIFICATE_DAYS), ca_cert.not_valid_after_utc)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(DOCUMENT_SIGNING_PURPOSES), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_ec_public_key(ca_cert)), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _ec_public_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise ValueError("The demo CA's key is not an EC key.")
    return public_key


def _load_ec_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key.")
    return key


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _make_private_directory(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    """Write to a temporary file beside `path` (created 0600 by mkstemp), then rename it into place."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _issuance_lock() -> Iterator[None]:
    """One issuer at a time, across processes. flock is per open file, so this must not be nested."""
    root = signing_root()
    _make_private_directory(root)
    with open(root / ".issue.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
