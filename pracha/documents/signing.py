"""Signing documents with an agency's key, and checking signatures: PAdES PDFs (pyHanko) and JWS (PyJWT).

The keys and certificates are files laid out by `pki`. A signature is trusted when its certificate chains
to a certificate in trust-roots.pem. Revocation of certificates is not checked: the demo CA publishes no
CRL or OCSP responder, and whether a *document* still stands is Pracha's own register (Document.revoked_at),
which the verification service consults beside the signature.

pyHanko runs its own event loop (asyncio.run) for each signing and validation; where the calling thread
already runs one (an async view, a test driving a browser), that work moves to a thread of its own.
"""

import asyncio
import base64
import binascii
import datetime
import io
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

import jwt
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pracha.documents import pki

logger = logging.getLogger(__name__)

T = TypeVar("T")

SIGNATURE_FIELD = "Signature1"
JWS_ALGORITHM = "ES256"


class SigningUnavailable(Exception):
    """The agency cannot sign now: no key or certificate (production), an unusable one, no timestamp."""


class InvalidSignedJson(ValueError):
    """A JWS whose signature does not verify or whose certificate Pracha does not trust."""


@dataclass(frozen=True)
class AgencySigner:
    agency_code: str
    certificate_sha256: str
    subject: str
    certificate: x509.Certificate = field(repr=False)
    # Intermediates, then the trust root: what a PDF reader or JWS verifier needs to build the path.
    chain: tuple[x509.Certificate, ...] = field(repr=False)
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    cms_signer: signers.SimpleSigner = field(repr=False, compare=False)


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool  # intact AND trusted AND the signature covers the whole file
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer_subject: str
    signer_certificate_sha256: str
    signed_at: datetime.datetime | None
    timestamped: bool
    problem: str  # "", "unreadable", "unsigned", "altered", "untrusted", "not_whole_file"


# Loaded signers, per process. The key includes the signing root and the identity of the key and
# certificate files, so a replaced certificate (a new inode or mtime) is picked up without a restart.
_signers: dict[tuple[str, str, tuple[int, int], tuple[int, int]], AgencySigner] = {}


def clear_signer_cache() -> None:
    _signers.clear()


def signer_for(*, agency_code: str, name_th: str = "", name_en: str = "") -> AgencySigner:
    """The agency's signer. In demo mode its certificate is issued on first use (names go into it)."""
    try:
        paths = pki.agency_paths(agency_code)
    except ValueError as error:
        raise SigningUnavailable(str(error)) from error
    if settings.PRACHA_DEMO_PKI:
        pki.ensure_agency_certificate(code=agency_code, name_th=name_th, name_en=name_en)
    try:
        key_stat, cert_stat = os.stat(paths.key), os.stat(paths.cert)
    except FileNotFoundError as error:
        raise SigningUnavailable(
            f"Agency {agency_code!r} has no signing key: expected the private key at {paths.key}, "
            f"its certificate at {paths.cert} and any intermediate CA certificates at {paths.chain}."
        ) from error
    cache_key = (
        str(pki.signing_root()),
        agency_code,
        (key_stat.st_ino, key_stat.st_mtime_ns),
        (cert_stat.st_ino, cert_stat.st_mtime_ns),
    )
    signer = _signers.get(cache_key)
    if signer is None:
        signer = _load_signer(agency_code, paths)
        _signers[cache_key] = signer
    return signer


def sign_pdf(pdf: bytes, *, signer: AgencySigner, reason: str, location: str) -> bytes:
    """Sign the PDF (PAdES baseline, SHA-256, an invisible field), with an RFC 3161 timestamp when
    PRACHA_TIMESTAMP_URL names a timestamp server. The certificate chain goes into the signature."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    timestamper = HTTPTimeStamper(settings.PRACHA_TIMESTAMP_URL) if settings.PRACHA_TIMESTAMP_URL else None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    try:
        output = _outside_event_loop(
            lambda: signers.sign_pdf(writer, metadata, signer=signer.cms_signer, timestamper=timestamper)
        )
    except TimestampRequestError as error:
        raise SigningUnavailable(
            f"The timestamp server {settings.PRACHA_TIMESTAMP_URL} did not answer: {error}"
        ) from error
    signed: bytes = output.getvalue()
    return signed


def check_pdf_signature(pdf: bytes, *, moment: datetime.datetime | None = None) -> SignatureCheck:
    """Check the first signature in the PDF against trust-roots.pem, with the signer's certificate
    checked now or, given `moment`, as of then: a file Pracha stored when it signed it is checked as of
    that time, so it stays genuine after the agency's certificate expires. Never raises on bad input."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        filled_fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:  # any file at all may be uploaded; pyHanko raises many kinds of error
        return _failed("unreadable")
    if not filled_fields:
        return _failed("unsigned")
    # Outside the try: a broken trust-roots.pem is a configuration error, not a bad upload.
    context = _validation_context(moment=moment)
    try:
        signatures = reader.embedded_regular_signatures
        if not signatures:
            return _failed("unsigned")  # only document timestamps
        # The issuer's signature is the first; anything appended after it shows as "not the whole file"
        # and is refused, so pyHanko's (slow) analysis of which later changes would be acceptable is
        # skipped.
        status = _outside_event_loop(
            lambda: validate_pdf_signature(signatures[0], signer_validation_context=context, skip_diff=True)
        )
        timestamp = status.timestamp_validity
        if status.trust_problem_indic == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE and _trusted(timestamp):
            # The agency's certificate has expired since, but a trusted timestamp proves the signature
            # existed while it was valid: check the certificate as of that time, as PDF readers do.
            at_timestamp = _validation_context(moment=timestamp.timestamp)
            status = _outside_event_loop(
                lambda: validate_pdf_signature(
                    signatures[0],
                    signer_validation_context=at_timestamp,
                    ts_validation_context=_validation_context(),
                    skip_diff=True,
                )
            )
        certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    except Exception:  # a signature field whose signature container (or certificate) is broken
        logger.info("PDF signature could not be validated", exc_info=True)
        return _failed("altered")
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted) and not status.revoked
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    timestamp = status.timestamp_validity
    if not intact:
        problem = "altered"
    elif not trusted:
        problem = "untrusted"
    elif not whole_file:
        problem = "not_whole_file"
    else:
        problem = ""
    return SignatureCheck(
        valid=problem == "",
        intact=intact,
        trusted=trusted,
        covers_whole_file=whole_file,
        signer_subject=certificate.subject.rfc4514_string(),
        signer_certificate_sha256=pki.certificate_sha256(certificate),
        signed_at=timestamp.timestamp if _trusted(timestamp) else status.signer_reported_dt,
        timestamped=_trusted(timestamp),
        problem=problem,
    )


def sign_json(payload: dict[str, Any], *, signer: AgencySigner) -> str:
    """A JWS (compact, ES256) of the payload; the header carries the certificate chain (x5c) and
    kid = the certificate's SHA-256, so anyone can check it without asking Pracha for the key."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode() for cert in _path(signer)]
    return jwt.api_jws.encode(
        body,
        signer.private_key,
        algorithm=JWS_ALGORITHM,
        headers={"x5c": x5c, "kid": signer.certificate_sha256},
    )


def verify_json(token: str) -> tuple[dict[str, Any], str]:
    """(payload, signer certificate SHA-256) of a JWS from sign_json; InvalidSignedJson otherwise."""
    try:
        header = jwt.api_jws.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise InvalidSignedJson(f"Not a signed document: {error}") from error
    encoded = header.get("x5c")
    if not isinstance(encoded, list) or not encoded or not all(isinstance(c, str) for c in encoded):
        raise InvalidSignedJson("The signature header carries no certificate chain (x5c).")
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in encoded]
    except (binascii.Error, ValueError) as error:
        raise InvalidSignedJson(f"The certificate chain (x5c) cannot be read: {error}") from error
    leaf = chain[0]
    leaf_sha256 = pki.certificate_sha256(leaf)
    if header.get("kid", leaf_sha256) != leaf_sha256:
        raise InvalidSignedJson("The key id does not match the certificate.")
    public_key = leaf.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise InvalidSignedJson("The certificate's key is not an EC P-256 key.")
    try:
        body = jwt.api_jws.decode(token, key=public_key, algorithms=[JWS_ALGORITHM])
        payload = json.loads(body)
    except (jwt.InvalidTokenError, ValueError) as error:
        raise InvalidSignedJson(f"The signature does not match the content: {error}") from error
    if not isinstance(payload, dict):
        raise InvalidSignedJson("The signed content is not a JSON object.")
    _check_chain(leaf, chain[1:])
    return payload, leaf_sha256


def _outside_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's synchronous calls use asyncio.run, which refuses to start in a thread whose event loop is
    running: there, run the work in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _failed(problem: str) -> SignatureCheck:
    return SignatureCheck(
        valid=False,
        intact=False,
        trusted=False,
        covers_whole_file=False,
        signer_subject="",
        signer_certificate_sha256="",
        signed_at=None,
        timestamped=False,
        problem=problem,
    )


def _validation_context(moment: datetime.datetime | None = None) -> ValidationContext:
    """Trust roots from trust-roots.pem; certificates checked now, or at `moment`. No network: nothing is
    fetched, and revocation is checked only from data already at hand (soft-fail); see the module
    docstring for why that is enough."""
    roots = [_asn1(cert) for cert in pki.trust_roots()]
    return ValidationContext(
        trust_roots=roots, moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )


def _trusted(timestamp: TimestampSignatureStatus | None) -> TypeGuard[TimestampSignatureStatus]:
    return bool(timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted)


def _load_signer(agency_code: str, paths: pki.AgencyPaths) -> AgencySigner:
    try:
        key = serialization.load_pem_private_key(paths.key.read_bytes(), password=None)
        certificates = pki.load_certificates(paths.cert)
        intermediates = pki.load_certificates(paths.chain)
    except (OSError, ValueError, TypeError) as error:
        raise SigningUnavailable(f"Agency {agency_code!r}: cannot read {paths.directory}: {error}") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SigningUnavailable(f"Agency {agency_code!r}: {paths.key} is not an EC P-256 private key.")
    if not certificates:
        raise SigningUnavailable(f"Agency {agency_code!r}: {paths.cert} holds no certificate.")
    certificate = certificates[0]
    if certificate.public_key() != key.public_key():
        raise SigningUnavailable(
            f"Agency {agency_code!r}: {paths.cert} is not the certificate of {paths.key}."
        )
    issuer = intermediates[-1] if intermediates else certificate
    root = next((r for r in pki.trust_roots() if _issued_by(issuer, r)), None)
    if root is None:
        raise SigningUnavailable(
            f"Agency {agency_code!r}: its certificate does not chain to a certificate in "
            f"{pki.trust_roots_path()}."
        )
    chain = (*intermediates, root)
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cms_signer = signers.SimpleSigner(
        signing_cert=_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(cert) for cert in chain]),
    )
    return AgencySigner(
        agency_code=agency_code,
        certificate_sha256=pki.certificate_sha256(certificate),
        subject=certificate.subject.rfc4514_string(),
        certificate=certificate,
        chain=chain,
        private_key=key,
        cms_signer=cms_signer,
    )


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _path(signer: AgencySigner) -> list[x509.Certificate]:
    return [signer.certificate, *signer.chain]


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _within_validity(certificate: x509.Certificate, now: datetime.datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return constraints.ca


def _check_chain(leaf: x509.Certificate, offered: list[x509.Certificate]) -> None:
    """The leaf must be in its validity period and lead, through CA certificates the JWS carries, to a
    certificate in trust-roots.pem. Only the trust root comes from our files; the rest is checked."""
    now = datetime.datetime.now(datetime.UTC)
    if not _within_validity(leaf, now):
        raise InvalidSignedJson("The signer's certificate is expired or not yet valid.")
    roots = pki.trust_roots()
    current = leaf
    for _ in range(len(offered) + 1):
        if any(_issued_by(current, root) and _within_validity(root, now) for root in roots):
            return
        parent = next(
            (c for c in offered if _is_ca(c) and _within_validity(c, now) and _issued_by(current, c)), None
        )
        if parent is None:
            break
        current = parent
    raise InvalidSignedJson(
        "The signer's certificate was not issued by a certificate authority Pracha trusts."
    )
