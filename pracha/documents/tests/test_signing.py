import asyncio
import base64
import datetime
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar

import pytest
import weasyprint
from asn1crypto import cms, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pracha.documents import pki, signing

T = TypeVar("T")

DBD = {"agency_code": "dbd", "name_th": "กรมพัฒนาธุรกิจการค้า", "name_en": "Department of Business Development"}
BANGRAK = {"agency_code": "bma-bangrak", "name_th": "สำนักงานเขตบางรัก", "name_en": "Bang Rak District Office"}
DBD_SUBJECT = (
    "CN=Department of Business Development,OU=กรมพัฒนาธุรกิจการค้า,O=Department of Business Development,C=TH"
)


@pytest.fixture
def root(settings, tmp_path) -> Path:
    settings.PRACHA_SIGNING_ROOT = tmp_path / "signing"
    settings.PRACHA_DEMO_PKI = True
    settings.PRACHA_TIMESTAMP_URL = ""
    signing.clear_signer_cache()
    return settings.PRACHA_SIGNING_ROOT


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    pdf: bytes = weasyprint.HTML(string="<p>ใบอนุญาต x</p>").write_pdf()
    return pdf


def in_a_thread_of_its_own(work: Callable[[], T]) -> T:
    """pyHanko's own synchronous API calls asyncio.run, which fails in this thread once a browser test
    has left Playwright's event loop running in it (the browser fixtures last the whole session)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@pytest.fixture
def signed(root, unsigned_pdf) -> bytes:
    signer = signing.signer_for(**DBD)
    return signing.sign_pdf(unsigned_pdf, signer=signer, reason="Licence issued", location="Bangkok")


def byte_range(pdf: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    return [int(number) for number in match.groups()]


def changed(pdf: bytes, offset: int) -> bytes:
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1 :]


def test_signed_pdf_validates_with_pyhankos_validator_against_the_demo_ca(root, signed):
    # pyHanko's own validator, set up independently of check_pdf_signature, trusting the demo CA file.
    ca = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate((root / "demo-ca" / "ca.cert.pem").read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
    )
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures

    context = ValidationContext(trust_roots=[ca], allow_fetching=False)
    status = in_a_thread_of_its_own(
        lambda: validate_pdf_signature(embedded[0], signer_validation_context=context)
    )

    assert len(embedded) == 1
    assert embedded[0].field_name == "Signature1"
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded[0].sig_object["/Reason"] == "Licence issued"
    assert embedded[0].sig_object["/Location"] == "Bangkok"
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (True, True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    assert status.pkcs7_signature_mechanism == "sha256_ecdsa"
    # The chain travels with the signature, so a reader can build the path to the CA.
    assert sorted(
        c.chosen.subject.native["common_name"] for c in embedded[0].signed_data["certificates"]
    ) == [
        "Department of Business Development",
        "Pracha demo CA (not for real use)",
    ]


def test_check_of_a_signed_pdf(root, signed):
    before = datetime.datetime.now(datetime.UTC)
    signer = signing.signer_for(**DBD)

    check = signing.check_pdf_signature(signed)

    assert check.valid is True
    assert (check.intact, check.trusted, check.covers_whole_file, check.timestamped) == (
        True,
        True,
        True,
        False,
    )
    assert check.problem == ""
    assert check.signer_subject == DBD_SUBJECT
    assert check.signer_certificate_sha256 == signer.certificate_sha256
    assert check.signed_at is not None
    assert before - datetime.timedelta(minutes=1) <= check.signed_at <= datetime.datetime.now(datetime.UTC)


def test_one_byte_changed_inside_the_signed_range_is_altered(root, signed):
    # Byte 10 is in the binary comment under the %PDF header: the file still reads, the digest differs.
    assert byte_range(signed)[0] == 0
    check = signing.check_pdf_signature(changed(signed, 10))

    assert (check.valid, check.intact, check.problem) == (False, False, "altered")
    assert check.signer_certificate_sha256 == signing.signer_for(**DBD).certificate_sha256


def test_any_byte_changed_anywhere_in_the_signed_ranges_fails(root, signed):
    start1, length1, start2, length2 = byte_range(signed)
    offsets = [*range(start1, start1 + length1, 97), *range(start2, start2 + length2, 97)]

    checks = [signing.check_pdf_signature(changed(signed, offset)) for offset in offsets]

    assert len(offsets) > 40
    assert [offset for offset, check in zip(offsets, checks, strict=True) if check.valid] == []
    assert {check.problem for check in checks} <= {"altered", "unreadable", "unsigned"}


def signature_value_offset(pdf: bytes) -> int:
    """Where, in the file, the hex of the signer's signature value starts (inside /Contents <...>)."""
    start1, length1, start2, _ = byte_range(pdf)
    container = bytes.fromhex(pdf[start1 + length1 + 1 : start2 - 1].decode())
    signature = cms.ContentInfo.load(container)["content"]["signer_infos"][0]["signature"].native
    return start1 + length1 + 1 + 2 * container.index(signature)


@pytest.mark.parametrize("where", ["container start", "signature value"])
def test_a_changed_signature_container_is_altered(root, signed, where):
    # /Contents <...> is the one part of the file the byte range leaves out.
    start1, length1, _, _ = byte_range(signed)
    offset = start1 + length1 + 1 if where == "container start" else signature_value_offset(signed) + 20
    digit = signed[offset : offset + 1]
    forged = signed[:offset] + (b"1" if digit == b"0" else b"0") + signed[offset + 1 :]

    check = signing.check_pdf_signature(forged)

    assert (check.valid, check.problem) == (False, "altered")


def test_an_update_appended_after_signing_is_not_the_whole_file(root, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Extra"] = generic.NameObject("/Appended")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)

    check = signing.check_pdf_signature(out.getvalue())

    assert (check.intact, check.trusted, check.covers_whole_file) == (True, True, False)
    assert (check.valid, check.problem) == (False, "not_whole_file")


def test_the_certificate_hash_identifies_the_signing_agency(root, unsigned_pdf):
    dbd, bangrak = signing.signer_for(**DBD), signing.signer_for(**BANGRAK)

    signed_by_bangrak = signing.sign_pdf(unsigned_pdf, signer=bangrak, reason="Issued", location="Bangkok")
    check = signing.check_pdf_signature(signed_by_bangrak)

    assert check.valid is True
    assert check.signer_certificate_sha256 == bangrak.certificate_sha256
    assert check.signer_certificate_sha256 != dbd.certificate_sha256
    assert (
        check.signer_subject
        == "CN=Bang Rak District Office,OU=สำนักงานเขตบางรัก,O=Bang Rak District Office,C=TH"
    )


def test_a_key_from_another_ca_is_untrusted(root, tmp_path, unsigned_pdf):
    with override_settings(PRACHA_SIGNING_ROOT=tmp_path / "another-ca"):
        forger = signing.signer_for(**DBD)
        forged = signing.sign_pdf(unsigned_pdf, signer=forger, reason="Issued", location="Bangkok")
    pki.ensure_demo_ca()

    check = signing.check_pdf_signature(forged)

    assert (check.valid, check.intact, check.trusted, check.covers_whole_file) == (False, True, False, True)
    assert check.problem == "untrusted"
    # Same names in the subject, yet another certificate.
    assert check.signer_subject == DBD_SUBJECT
    assert check.signer_certificate_sha256 == forger.certificate_sha256
    assert check.signer_certificate_sha256 != signing.signer_for(**DBD).certificate_sha256


def test_with_no_trust_roots_nothing_is_trusted(root, signed):
    (root / "trust-roots.pem").unlink()

    check = signing.check_pdf_signature(signed)

    assert (check.valid, check.intact, check.problem) == (False, True, "untrusted")


@pytest.mark.parametrize(
    "data", [b"", b"garbage", b"%PDF-1.7\n%garbage\n", b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"%%EOF"]
)
def test_garbage_is_unreadable(root, data):
    pki.ensure_demo_ca()

    check = signing.check_pdf_signature(data)

    assert check == signing.SignatureCheck(
        valid=False,
        intact=False,
        trusted=False,
        covers_whole_file=False,
        signer_subject="",
        signer_certificate_sha256="",
        signed_at=None,
        timestamped=False,
        problem="unreadable",
    )


def test_an_unsigned_pdf_is_unsigned(root, unsigned_pdf):
    pki.ensure_demo_ca()

    check = signing.check_pdf_signature(unsigned_pdf)

    assert (check.valid, check.problem) == (False, "unsigned")


def test_signer_is_cached_and_a_replaced_certificate_is_picked_up(root):
    first = signing.signer_for(**DBD)
    assert signing.signer_for(**DBD) is first

    paths = pki.agency_paths("dbd")
    paths.key.unlink()
    paths.cert.unlink()
    pki.ensure_agency_certificate(code="dbd", name_th=DBD["name_th"], name_en=DBD["name_en"])
    second = signing.signer_for(**DBD)

    assert second.certificate_sha256 != first.certificate_sha256
    assert second.certificate_sha256 == pki.certificate_sha256(
        x509.load_pem_x509_certificate(paths.cert.read_bytes())
    )


def test_a_certificate_that_is_not_the_keys_is_refused(root):
    signing.signer_for(**DBD)
    signing.signer_for(**BANGRAK)
    dbd, bangrak = pki.agency_paths("dbd"), pki.agency_paths("bma-bangrak")
    dbd.cert.write_bytes(bangrak.cert.read_bytes())

    with pytest.raises(signing.SigningUnavailable) as refused:
        signing.signer_for(**DBD)

    assert str(refused.value) == f"Agency 'dbd': {dbd.cert} is not the certificate of {dbd.key}."


def test_a_certificate_outside_the_trust_roots_is_refused_for_signing(root, tmp_path):
    signing.signer_for(**DBD)
    other = tmp_path / "another-ca" / "trust-roots.pem"
    with override_settings(PRACHA_SIGNING_ROOT=other.parent):
        pki.ensure_demo_ca()
    (root / "trust-roots.pem").write_bytes(other.read_bytes())
    signing.clear_signer_cache()

    with pytest.raises(signing.SigningUnavailable) as refused:
        signing.signer_for(**DBD)

    assert str(refused.value) == (
        f"Agency 'dbd': its certificate does not chain to a certificate in {root}/trust-roots.pem."
    )


def test_json_round_trip(root):
    signer = signing.signer_for(**DBD)
    payload = {"number": "LIC-2569-000001", "holder_name": "สมชาย ใจดี", "amount_satang": 10000}

    token = signing.sign_json(payload, signer=signer)

    assert signing.verify_json(token) == (payload, signer.certificate_sha256)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256"
    assert header["kid"] == signer.certificate_sha256
    assert [
        pki.certificate_sha256(x509.load_der_x509_certificate(base64.b64decode(c))) for c in header["x5c"]
    ] == [signer.certificate_sha256, pki.certificate_sha256(pki.trust_roots()[0])]


def test_json_with_a_tampered_payload_is_refused(root):
    token = signing.sign_json({"holder_name": "สมชาย ใจดี"}, signer=signing.signer_for(**DBD))
    header, _, signature = token.split(".")
    forged_payload = base64.urlsafe_b64encode(json.dumps({"holder_name": "สมหญิง"}).encode()).rstrip(b"=")

    with pytest.raises(signing.InvalidSignedJson):
        signing.verify_json(f"{header}.{forged_payload.decode()}.{signature}")


def test_json_signed_under_another_ca_is_refused(root, tmp_path):
    with override_settings(PRACHA_SIGNING_ROOT=tmp_path / "another-ca"):
        token = signing.sign_json({"number": "LIC-2569-000001"}, signer=signing.signer_for(**DBD))
    pki.ensure_demo_ca()

    with pytest.raises(signing.InvalidSignedJson) as refused:
        signing.verify_json(token)

    assert str(refused.value) == (
        "The signer's certificate was not issued by a certificate authority Pracha trusts."
    )


def test_json_with_another_agencys_certificate_in_the_header_is_refused(root):
    token = signing.sign_json({"number": "LIC-2569-000001"}, signer=signing.signer_for(**DBD))
    bangrak = signing.signer_for(**BANGRAK)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    header["x5c"][0] = base64.b64encode(bangrak.certificate.public_bytes(serialization.Encoding.DER)).decode()
    header["kid"] = bangrak.certificate_sha256
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()

    with pytest.raises(signing.InvalidSignedJson):
        signing.verify_json(".".join([encoded, *token.split(".")[1:]]))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA"])
def test_json_garbage_is_refused(root, token):
    pki.ensure_demo_ca()

    with pytest.raises(signing.InvalidSignedJson):
        signing.verify_json(token)


class _TimestampAuthority(BaseHTTPRequestHandler):
    """RFC 3161 over HTTP, answered by pyHanko's DummyTimeStamper (a test TSA that signs every request)."""

    stamper: DummyTimeStamper

    def do_POST(self) -> None:
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        body = self.stamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def demo_ca(root: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    pki.ensure_demo_ca()
    key = serialization.load_pem_private_key((root / "demo-ca" / "ca.key.pem").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificate((root / "demo-ca" / "ca.cert.pem").read_bytes())


@pytest.fixture
def timestamp_server(root) -> Iterator[Callable[[datetime.datetime | None], str]]:
    """Starts timestamp authorities on loopback, certified by the demo CA, that stamp the current time or
    a fixed one (pyHanko's DummyTimeStamper, which signs with RSA only)."""
    ca_key, ca_cert = demo_ca(root)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(ca_cert.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=365))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    servers: list[ThreadingHTTPServer] = []

    def start(at: datetime.datetime | None) -> str:
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                tsa_key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            fixed_dt=at,
        )
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), type("Handler", (_TimestampAuthority,), {"stamper": stamper})
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def install_expired_certificate(root: Path, code: str) -> None:
    """An agency whose certificate was valid from 400 until 10 days ago."""
    ca_key, ca_cert = demo_ca(root)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Expired Agency")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=400))
        .not_valid_after(now - datetime.timedelta(days=10))
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
        .sign(ca_key, hashes.SHA256())
    )
    paths = pki.agency_paths(code)
    paths.directory.mkdir(parents=True)
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def test_signature_carries_a_timestamp_when_a_timestamp_server_is_configured(
    root, settings, timestamp_server, unsigned_pdf
):
    settings.PRACHA_TIMESTAMP_URL = timestamp_server(None)
    before = datetime.datetime.now(datetime.UTC)

    signed = signing.sign_pdf(
        unsigned_pdf, signer=signing.signer_for(**DBD), reason="Issued", location="Bangkok"
    )
    check = signing.check_pdf_signature(signed)

    assert (check.valid, check.timestamped, check.problem) == (True, True, "")
    assert check.signed_at is not None
    assert before - datetime.timedelta(seconds=1) <= check.signed_at <= datetime.datetime.now(datetime.UTC)


def test_a_timestamp_keeps_a_signature_valid_after_the_certificate_expired(
    root, settings, timestamp_server, unsigned_pdf
):
    install_expired_certificate(root, "expired")
    twenty_days_ago = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(days=20)
    settings.PRACHA_TIMESTAMP_URL = timestamp_server(twenty_days_ago)

    signed = signing.sign_pdf(
        unsigned_pdf, signer=signing.signer_for(agency_code="expired"), reason="Issued", location="Bangkok"
    )
    check = signing.check_pdf_signature(signed)

    assert (check.valid, check.trusted, check.timestamped, check.problem) == (True, True, True, "")
    assert check.signed_at == twenty_days_ago


def test_without_a_timestamp_an_expired_certificate_is_untrusted(root, unsigned_pdf):
    install_expired_certificate(root, "expired")
    signer = signing.signer_for(agency_code="expired")

    check = signing.check_pdf_signature(
        signing.sign_pdf(unsigned_pdf, signer=signer, reason="Issued", location="Bangkok")
    )

    assert (check.valid, check.intact, check.trusted, check.timestamped) == (False, True, False, False)
    assert check.problem == "untrusted"
    with pytest.raises(signing.InvalidSignedJson) as refused:
        signing.verify_json(signing.sign_json({"number": "LIC-2569-000001"}, signer=signer))
    assert str(refused.value) == "The signer's certificate is expired or not yet valid."


def test_a_signature_checked_as_of_a_moment_uses_the_certificate_as_it_was_then(root, unsigned_pdf):
    install_expired_certificate(root, "expired")
    signed = signing.sign_pdf(
        unsigned_pdf, signer=signing.signer_for(agency_code="expired"), reason="Issued", location="Bangkok"
    )
    now = datetime.datetime.now(datetime.UTC)

    then = signing.check_pdf_signature(signed, moment=now - datetime.timedelta(days=20))
    after_expiry = signing.check_pdf_signature(signed, moment=now - datetime.timedelta(days=5))

    assert (then.valid, then.trusted, then.problem) == (True, True, "")
    assert (after_expiry.valid, after_expiry.trusted, after_expiry.problem) == (False, False, "untrusted")


def test_an_unreachable_timestamp_server_makes_signing_unavailable(root, settings, unsigned_pdf):
    settings.PRACHA_TIMESTAMP_URL = "http://127.0.0.1:9/"

    with pytest.raises(signing.SigningUnavailable) as refused:
        signing.sign_pdf(unsigned_pdf, signer=signing.signer_for(**DBD), reason="Issued", location="Bangkok")

    assert str(refused.value).startswith("The timestamp server http://127.0.0.1:9/ did not answer: ")


def test_signing_and_checking_work_where_an_event_loop_is_running(root, unsigned_pdf):
    """pyHanko calls asyncio.run, which a thread running an event loop (an async view, a browser test)
    refuses; the signing module moves that work to a thread of its own."""

    async def sign_and_check() -> signing.SignatureCheck:
        signer = signing.signer_for(**DBD)
        signed = signing.sign_pdf(unsigned_pdf, signer=signer, reason="Licence issued", location="Bangkok")
        return signing.check_pdf_signature(signed)

    check = in_a_thread_of_its_own(lambda: asyncio.run(sign_and_check()))
    assert (check.valid, check.problem) == (True, "")
