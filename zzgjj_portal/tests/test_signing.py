"""The center's signature on certificate PDFs (zzgjj_portal/signing.py), the
development certificate command and the deploy check (issue 19)."""

import logging
import os
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from zzgjj_portal import signing
from zzgjj_portal.checks import certificate_signer_check

PASSPHRASE = "Test-passphrase-7c1f9e"  # a value that appears nowhere else


def make_signer_file(path, *, days=365, passphrase=PASSPHRASE, force=False) -> str:
    """Run the command; its output (stdout and stderr together)."""
    buffer = StringIO()
    with override_settings(CERTIFICATE_SIGNER_PASSPHRASE=passphrase):
        call_command("certificate_signer_create", path=str(path), days=days, force=force, stdout=buffer, stderr=buffer)
    return buffer.getvalue()


def load_certificate(path, passphrase=PASSPHRASE) -> x509.Certificate:
    _key, certificate, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode())
    return certificate


@pytest.fixture(scope="module")
def signer_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("signer") / "center.p12"
    make_signer_file(path)
    return path


@pytest.fixture
def center(settings, signer_file):
    settings.CERTIFICATE_SIGNER_P12 = str(signer_file)
    settings.CERTIFICATE_SIGNER_PASSPHRASE = PASSPHRASE
    return signer_file


@pytest.fixture(scope="module")
def small_pdf():
    # A PDF as WeasyPrint writes the portal's prints (Chinese text, a CJK font).
    return weasyprint.HTML(
        string="<html lang='zh'><body><h1>缴存证明</h1><p>证明文本 2026</p></body></html>"
    ).write_pdf()


def validate(pdf: bytes, trust_root):
    reader = PdfFileReader(BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    # pyHanko's sync validator runs asyncio.run(): outside a running loop (Playwright's, in a full run).
    return embedded, signing.outside_event_loop(
        lambda: validate_pdf_signature(embedded, ValidationContext(trust_roots=[trust_root]))
    )


def test_signed_pdf_is_intact_trusted_and_signed_by_the_center(center, small_pdf):
    signed = signing.sign_pdf(small_pdf)

    # An incremental update: the document itself is left byte for byte.
    assert signed.startswith(small_pdf) and len(signed) > len(small_pdf)
    embedded, status = validate(signed, signing.signer().signing_cert)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    subject = status.signing_cert.subject.native
    assert subject["common_name"] == signing.CENTER_NAME == "枣庄市住房公积金管理中心"
    assert subject["organization_name"] == signing.CENTER_NAME and subject["country_name"] == "CN"
    # PAdES (CAdES-detached) with SHA-256, invisible, with the reason and place readers show.
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"
    assert embedded.field_name == signing.SIGNATURE_FIELD
    widget = embedded.sig_field
    assert [float(v) for v in widget.get("/Rect", [0, 0, 0, 0])] == [0, 0, 0, 0]
    assert embedded.sig_object["/Reason"] == signing.SIGNATURE_REASON
    assert embedded.sig_object["/Location"] == "枣庄"


def test_a_signature_from_another_certificate_is_not_trusted(center, small_pdf, tmp_path):
    # The trust root matters: the same PDF checked against another
    # certificate is intact but not trusted (the test above can fail).
    other = tmp_path / "other.p12"
    make_signer_file(other)
    other_certificate = signing._load_pkcs12(other.read_bytes(), PASSPHRASE.encode()).signing_cert
    _embedded, status = validate(signing.sign_pdf(small_pdf), other_certificate)
    assert status.intact and not status.trusted and not status.bottom_line


def test_one_changed_byte_breaks_the_signature(center, small_pdf):
    signed = signing.sign_pdf(small_pdf)
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    first_start, first_length, _second_start, _second_length = embedded.byte_range
    # A byte of the document's first content stream: inside the first signed range.
    at = signed.index(b"stream\n") + len(b"stream\n") + 5
    assert first_start <= at < first_start + first_length
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    assert len(tampered) == len(signed) and tampered != signed

    _embedded, status = validate(tampered, signing.signer().signing_cert)
    assert not status.intact and not status.bottom_line


def test_signer_is_read_once_and_again_when_the_path_changes(center, settings, tmp_path):
    first = signing.signer()
    assert signing.signer() is first
    other = tmp_path / "other.p12"
    make_signer_file(other)
    settings.CERTIFICATE_SIGNER_P12 = str(other)
    second = signing.signer()
    assert second is not first and second.signing_cert.sha256 != first.signing_cert.sha256
    assert signing.signer() is second


def test_signer_unavailable_says_why_in_plain_words(settings, tmp_path, signer_file):
    settings.CERTIFICATE_SIGNER_P12 = ""
    with pytest.raises(signing.SignerUnavailable) as caught:
        signing.sign_pdf(b"%PDF-1.7")
    assert caught.value.code == "not_configured" and "CERTIFICATE_SIGNER_P12" in str(caught.value)

    missing = tmp_path / "absent.p12"
    settings.CERTIFICATE_SIGNER_P12 = str(missing)
    with pytest.raises(signing.SignerUnavailable) as caught:
        signing.signer()
    assert caught.value.code == "missing" and str(missing) in str(caught.value)
    assert str(caught.value).isascii()

    settings.CERTIFICATE_SIGNER_P12 = str(signer_file)
    settings.CERTIFICATE_SIGNER_PASSPHRASE = "wrong-passphrase-3b8d"
    with pytest.raises(signing.SignerUnavailable) as caught:
        signing.signer()
    assert caught.value.code == "unreadable" and "CERTIFICATE_SIGNER_PASSPHRASE" in str(caught.value)
    assert "wrong-passphrase-3b8d" not in str(caught.value) and str(caught.value).isascii()


def test_command_writes_an_owner_only_certificate_for_the_center(tmp_path, caplog):
    path = tmp_path / "var" / "signer.p12"
    # Even with a permissive umask the file is readable by its owner only.
    old_umask = os.umask(0)
    try:
        with caplog.at_level(logging.DEBUG):
            output = make_signer_file(path, days=30)
    finally:
        os.umask(old_umask)

    assert oct(path.stat().st_mode & 0o777) == "0o600"
    certificate = load_certificate(path)
    assert certificate.subject == certificate.issuer  # self-signed
    names = {attribute.oid._name: attribute.value for attribute in certificate.subject}
    assert names == {
        "commonName": "枣庄市住房公积金管理中心",
        "organizationName": "枣庄市住房公积金管理中心",
        "countryName": "CN",
    }
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    public_key = certificate.public_key()
    assert isinstance(public_key, RSAPublicKey) and public_key.key_size == 3072
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime == timedelta(days=30)

    fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    assert str(path) in output and fingerprint in output
    assert PASSPHRASE not in output and PASSPHRASE not in caplog.text
    assert not list(path.parent.glob(".*.tmp"))


def test_command_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "signer.p12"
    make_signer_file(path)
    before = path.read_bytes()
    with pytest.raises(CommandError, match="--force"):
        make_signer_file(path)
    assert path.read_bytes() == before

    # --if-missing (make run) keeps it and succeeds.
    with override_settings(CERTIFICATE_SIGNER_PASSPHRASE=PASSPHRASE):
        call_command("certificate_signer_create", path=str(path), if_missing=True, stdout=StringIO())
    assert path.read_bytes() == before

    output = make_signer_file(path, force=True)
    assert path.read_bytes() != before
    assert load_certificate(path).fingerprint(hashes.SHA256()).hex(":").upper() in output
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_command_needs_a_passphrase(tmp_path):
    path = tmp_path / "signer.p12"
    with pytest.raises(CommandError, match="CERTIFICATE_SIGNER_PASSPHRASE"):
        make_signer_file(path, passphrase="")
    assert not path.exists()


def test_deploy_check_fails_without_a_signing_certificate(settings, tmp_path):
    settings.CERTIFICATE_SIGNER_P12 = ""
    assert [e.id for e in certificate_signer_check(None)] == ["zzgjj.E001"]
    settings.CERTIFICATE_SIGNER_P12 = str(tmp_path / "absent.p12")
    assert [e.id for e in certificate_signer_check(None)] == ["zzgjj.E001"]


def test_deploy_check_is_clean_with_a_certificate_and_warns_before_it_ends(settings, center, tmp_path):
    assert certificate_signer_check(None) == []
    ending = tmp_path / "ending.p12"
    make_signer_file(ending, days=10)
    settings.CERTIFICATE_SIGNER_P12 = str(ending)
    assert [w.id for w in certificate_signer_check(None)] == ["zzgjj.W002"]


def test_signing_works_inside_a_running_event_loop(center, small_pdf):
    # An async caller (or Playwright's loop in the same test process) must not break signing.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside():
        return signing.sign_pdf(small_pdf)

    # In a thread of the test's own: this process may already run a loop (Playwright's).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, inside()).result()
    _, status = validate(signed, signing.signer().signing_cert)
    assert status.intact and status.valid and status.trusted
