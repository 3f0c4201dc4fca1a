import io
import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from pracha.agencies.tests.factories import AgencyFactory
from pracha.documents import pki, signing

DBD = {"code": "dbd", "name_th": "กรมพัฒนาธุรกิจการค้า", "name_en": "Department of Business Development"}


@pytest.fixture
def root(settings, tmp_path) -> Path:
    settings.PRACHA_SIGNING_ROOT = tmp_path / "signing"
    settings.PRACHA_DEMO_PKI = True
    signing.clear_signer_cache()
    return settings.PRACHA_SIGNING_ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_ca_is_created_once_and_trusted(root):
    ca_cert_path = pki.ensure_demo_ca()
    ca_key_path = root / "demo-ca" / "ca.key.pem"
    assert ca_cert_path == root / "demo-ca" / "ca.cert.pem"
    first_key, first_cert = ca_key_path.read_bytes(), ca_cert_path.read_bytes()

    assert pki.ensure_demo_ca() == ca_cert_path
    assert ca_key_path.read_bytes() == first_key
    assert ca_cert_path.read_bytes() == first_cert
    assert mode(ca_key_path) == 0o600

    ca = x509.load_pem_x509_certificate(first_cert)
    assert (
        ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Pracha demo CA (not for real use)"
    )
    assert ca.issuer == ca.subject
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert (constraints.critical, constraints.value.ca) == (True, True)
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.key_cert_sign, usage.crl_sign, usage.digital_signature) == (True, True, False)
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days == 3653
    assert [pki.certificate_sha256(c) for c in pki.trust_roots()] == [pki.certificate_sha256(ca)]


def test_demo_ca_joins_the_roots_an_operator_already_trusts(root):
    other = _other_root(root.parent / "elsewhere")
    root.mkdir(parents=True)
    (root / "trust-roots.pem").write_bytes(other.public_bytes(serialization.Encoding.PEM))

    ca = x509.load_pem_x509_certificate(pki.ensure_demo_ca().read_bytes())

    assert [pki.certificate_sha256(c) for c in pki.trust_roots()] == [
        pki.certificate_sha256(other),
        pki.certificate_sha256(ca),
    ]


def test_agency_certificate_is_issued_once_and_the_key_kept(root):
    assert pki.ensure_agency_certificate(**DBD) is True
    paths = pki.agency_paths("dbd")
    key, cert = paths.key.read_bytes(), paths.cert.read_bytes()

    assert pki.ensure_agency_certificate(**DBD) is False
    assert paths.key.read_bytes() == key
    assert paths.cert.read_bytes() == cert
    assert mode(paths.key) == 0o600
    assert mode(paths.directory) == 0o700
    assert paths.chain.read_bytes() == b""
    assert pki.agency_has_key("dbd") is True


def test_agency_certificate_says_who_signs_and_for_what(root):
    pki.ensure_agency_certificate(**DBD)
    certificate = x509.load_pem_x509_certificate(pki.agency_paths("dbd").cert.read_bytes())
    ca = pki.trust_roots()[0]

    certificate.verify_directly_issued_by(ca)
    subject = {attribute.oid: attribute.value for attribute in certificate.subject}
    assert subject == {
        NameOID.COUNTRY_NAME: "TH",
        NameOID.ORGANIZATION_NAME: "Department of Business Development",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "กรมพัฒนาธุรกิจการค้า",
        NameOID.COMMON_NAME: "Department of Business Development",
    }
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical is True
    assert (usage.value.digital_signature, usage.value.content_commitment, usage.value.key_cert_sign) == (
        True,
        True,
        False,
    )
    purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [oid.dotted_string for oid in purposes] == [
        "1.3.6.1.5.5.7.3.36",
        "1.2.840.113583.1.1.5",
        "1.3.6.1.4.1.311.10.3.12",
        "1.3.6.1.5.5.7.3.4",
    ]
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days == 1096
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.curve.name == "secp256r1"


def _issue_in_child(start: Any, results: Any) -> None:
    start.wait()
    created = pki.ensure_agency_certificate(**DBD)
    results.put((created, pki.agency_paths("dbd").key.read_bytes()))


def test_processes_starting_together_create_one_key(root):
    # Forked children inherit the overridden settings; the barrier makes them ask at the same moment.
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(6), context.Queue()
    children = [context.Process(target=_issue_in_child, args=(start, results)) for _ in range(6)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=30) for _ in children]
    for child in children:
        child.join(timeout=30)

    assert sorted(created for created, _ in outcomes) == [False, False, False, False, False, True]
    paths = pki.agency_paths("dbd")
    assert {key for _, key in outcomes} == {paths.key.read_bytes()}
    certificate = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    key = serialization.load_pem_private_key(paths.key.read_bytes(), password=None)
    assert certificate.public_key() == key.public_key()
    assert sorted(p.name for p in paths.directory.iterdir()) == ["cert.pem", "chain.pem", "key.pem"]


def test_production_creates_nothing(root, settings):
    settings.PRACHA_DEMO_PKI = False

    with pytest.raises(pki.DemoPkiDisabled):
        pki.ensure_demo_ca()
    with pytest.raises(pki.DemoPkiDisabled):
        pki.ensure_agency_certificate(**DBD)
    with pytest.raises(signing.SigningUnavailable) as refused:
        signing.signer_for(agency_code="dbd", name_th=DBD["name_th"], name_en=DBD["name_en"])

    assert str(refused.value) == (
        f"Agency 'dbd' has no signing key: expected the private key at {root}/agencies/dbd/key.pem, "
        f"its certificate at {root}/agencies/dbd/cert.pem and any intermediate CA certificates at "
        f"{root}/agencies/dbd/chain.pem."
    )
    assert not root.exists()


def test_production_uses_the_files_an_operator_put_in_place(root, settings):
    pki.ensure_agency_certificate(**DBD)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    settings.PRACHA_DEMO_PKI = False

    signer = signing.signer_for(agency_code="dbd")

    certificate = x509.load_pem_x509_certificate(pki.agency_paths("dbd").cert.read_bytes())
    assert signer.certificate_sha256 == pki.certificate_sha256(certificate)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


@pytest.mark.parametrize("code", ["../etc", "a/b", "", "dbd\n"])
def test_agency_codes_cannot_leave_the_signing_root(root, code):
    with pytest.raises(ValueError):
        pki.agency_paths(code)
    with pytest.raises(signing.SigningUnavailable):
        signing.signer_for(agency_code=code)


@pytest.mark.django_db
def test_signing_keys_command_in_demo_mode(root):
    AgencyFactory(code="bma-bangrak", name_th="สำนักงานเขตบางรัก", name_en="Bang Rak District Office")
    AgencyFactory(code="dbd", name_th=DBD["name_th"], name_en=DBD["name_en"])
    out = io.StringIO()

    call_command("signing_keys", stdout=out)
    call_command("signing_keys", stdout=out)

    assert out.getvalue() == (
        "Signing certificates: 2 created, 0 already there.\n"
        f"Demo CA certificate: {root}/demo-ca/ca.cert.pem\n"
        "Import it into your PDF reader as a trusted root to see Pracha's signatures as valid "
        "(docs/documents.md). It is for demonstration only.\n"
        "Signing certificates: 0 created, 2 already there.\n"
        f"Demo CA certificate: {root}/demo-ca/ca.cert.pem\n"
        "Import it into your PDF reader as a trusted root to see Pracha's signatures as valid "
        "(docs/documents.md). It is for demonstration only.\n"
    )
    assert pki.agency_has_key("bma-bangrak") is True
    assert pki.agency_has_key("dbd") is True


@pytest.mark.django_db
def test_signing_keys_command_in_production_lists_agencies_without_keys(root, settings):
    AgencyFactory(code="bma-bangrak")
    AgencyFactory(code="dbd", name_th=DBD["name_th"], name_en=DBD["name_en"])
    pki.ensure_agency_certificate(**DBD)
    settings.PRACHA_DEMO_PKI = False

    with pytest.raises(CommandError) as failed:
        call_command("signing_keys", stdout=io.StringIO())

    assert str(failed.value) == (
        "1 of 2 agencies have no signing key and certificate (key.pem, cert.pem) in:\n"
        f"  bma-bangrak: {root}/agencies/bma-bangrak"
    )
    assert not (root / "agencies" / "bma-bangrak").exists()


@pytest.mark.django_db
def test_signing_keys_command_in_production_with_every_key(root, settings):
    AgencyFactory(code="dbd", name_th=DBD["name_th"], name_en=DBD["name_en"])
    pki.ensure_agency_certificate(**DBD)
    settings.PRACHA_DEMO_PKI = False
    out = io.StringIO()

    call_command("signing_keys", stdout=out)

    assert out.getvalue() == "Every agency (1) has a signing key and certificate.\n"


def _other_root(directory: Path) -> x509.Certificate:
    """A CA that is not Pracha's: the demo CA of another signing root."""
    with override_settings(PRACHA_SIGNING_ROOT=directory):
        return x509.load_pem_x509_certificate(pki.ensure_demo_ca().read_bytes())
