"""The center's digital signature on the PDFs the portal issues (PAdES).

Every certificate PDF carries an invisible PAdES baseline signature (B-B:
SHA-256, the signing certificate as a signed attribute, no time stamp) made
with the center's signing certificate: a PKCS#12 file named by
settings.CERTIFICATE_SIGNER_P12 and opened with
settings.CERTIFICATE_SIGNER_PASSPHRASE. A PDF reader then shows the document
as signed by the center and unchanged since; one changed byte breaks it.

The key is read once per process and kept (opening a PKCS#12 derives its key
from the passphrase, which costs more than a signature); it is read again when
the file or its path changes, so a rotated certificate takes effect without a
restart. Here, not in an app: inquiry (the 证明 PDFs) and any later issuer use it.
"""

import asyncio
import hashlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from zzgjj_portal.naming import CENTER_NAME

T = TypeVar("T")

# What a PDF reader shows beside the signature ("原因", "位置"). The
# certificate's subject (CN and O), which readers show as the signer, is
# CENTER_NAME.
SIGNATURE_REASON = f"{CENTER_NAME}出具的证明"
SIGNATURE_LOCATION = "枣庄"
# The signature field's name in the PDF (invisible: no widget on any page).
SIGNATURE_FIELD = "CenterSignature"


class SignerUnavailable(Exception):
    """The signing certificate cannot be used. The message is technical and
    names the setting or path, never the passphrase; callers turn it into a
    member-facing message. `code`: not_configured, missing or unreadable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class CenterSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with a key parsed once. SimpleSigner
    parses its key again for every raw signature, two per PDF (a trial one
    that sizes the signature, then the real one), and cryptography checks an
    RSA key as it parses it: 80 ms each for RSA-3072, where the signature
    itself takes 3 ms."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._private_key, EllipticCurvePrivateKey):
            return self._private_key.sign(data, ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


def _load_pkcs12(data: bytes, passphrase: bytes) -> CenterSigner:
    """The signer of a PKCS#12 file: its key, its certificate and any CA
    certificates it holds (embedded in each signature, so a reader can build
    the chain to the CA's root). Raises ValueError when it does not open."""
    private_key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase or None)
    if private_key is None or certificate is None:
        raise ValueError("no key or no certificate")
    der = serialization.Encoding.DER
    key_info = asn1_keys.PrivateKeyInfo.load(
        private_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    registry = SimpleCertificateStore()
    registry.register_multiple(asn1_x509.Certificate.load(ca.public_bytes(der)) for ca in chain)
    return CenterSigner(
        private_key=private_key,
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        signing_key=key_info,
        cert_registry=registry,
    )


@dataclass(frozen=True)
class _Loaded:
    key: tuple
    signer: CenterSigner


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _unreadable_file(path: str, exc: OSError) -> SignerUnavailable:
    return SignerUnavailable("missing", f"signing certificate file {path} cannot be read: {exc.strerror}")


def signer() -> CenterSigner:
    """The center's signer, read from CERTIFICATE_SIGNER_P12 on first use and
    again whenever the path, the file (size, modification time) or the
    passphrase changes. Raises SignerUnavailable."""
    global _loaded
    path = settings.CERTIFICATE_SIGNER_P12
    if not path:
        raise SignerUnavailable("not_configured", "CERTIFICATE_SIGNER_P12 is not set: no signing certificate")
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise _unreadable_file(path, exc) from None
    passphrase = settings.CERTIFICATE_SIGNER_PASSPHRASE.encode()
    # A digest of the passphrase in the cache key, which a traceback may print.
    key = (path, stat.st_mtime_ns, stat.st_size, hashlib.sha256(passphrase).hexdigest())
    loaded = _loaded
    if loaded is not None and loaded.key == key:
        return loaded.signer
    with _lock:
        if _loaded is not None and _loaded.key == key:
            return _loaded.signer
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise _unreadable_file(path, exc) from None
        try:
            loaded_signer = _load_pkcs12(data, passphrase)
        except (ValueError, TypeError):
            # cryptography's message says no more than this.
            raise SignerUnavailable(
                "unreadable",
                f"signing certificate file {path} is not a PKCS#12 file with a key and certificate, "
                "or CERTIFICATE_SIGNER_PASSPHRASE does not open it",
            ) from None
        _loaded = _Loaded(key=key, signer=loaded_signer)
        return loaded_signer


def signer_not_after(loaded_signer: CenterSigner) -> datetime:
    """The end of the signing certificate's validity (aware, UTC)."""
    return loaded_signer.signing_cert["tbs_certificate"]["validity"]["not_after"].native


def sign_pdf(pdf: bytes, *, reason: str = SIGNATURE_REASON, location: str = SIGNATURE_LOCATION) -> bytes:
    """`pdf` with the center's PAdES signature added as an incremental update
    (the original bytes stay as they were, the signature covers them all).
    Raises SignerUnavailable when the signing certificate cannot be used."""
    center = signer()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    # No box given: the field has no widget on a page, an invisible signature.
    pdf_signer = signers.PdfSigner(meta, signer=center, new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD))
    output = outside_event_loop(lambda: pdf_signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf))))
    return output.getvalue()


def outside_event_loop(call: Callable[[], T]) -> T:
    """`call()` where pyHanko's synchronous API can run it: that API calls
    asyncio.run(), which refuses to start inside a thread whose event loop is
    running (an async view, or Playwright's in the same test process). There
    it runs in a thread of its own; in a sync gunicorn worker, right here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
