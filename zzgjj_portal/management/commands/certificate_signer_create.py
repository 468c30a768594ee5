"""Make a self-signed signing certificate for development (`make run` runs it).

Production signs with the center's certificate from its CA, not with this one
(README: Certificate signing): a reader shows a self-signed signature as
unchanged but its signer as unknown. The file is a PKCS#12 (RSA-3072 key and
certificate) encrypted with CERTIFICATE_SIGNER_PASSPHRASE, which with DEBUG
defaults to a fixed development passphrase (settings.py). Nothing here prints
or logs the passphrase.
"""

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zzgjj_portal.naming import CENTER_NAME


class Command(BaseCommand):
    help = (
        "Create a self-signed development signing certificate (CN and O: the center, C=CN) as a PKCS#12 file "
        "encrypted with CERTIFICATE_SIGNER_PASSPHRASE. Production uses the center's certificate from its CA."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", help="the PKCS#12 file to write (default: CERTIFICATE_SIGNER_P12)")
        parser.add_argument("--days", type=int, default=365, help="days the certificate is valid (default 365)")
        parser.add_argument("--force", action="store_true", help="replace an existing file")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing (and succeed) when the file exists: what `make run` does on every start",
        )

    def handle(self, *args, path=None, days=365, force=False, if_missing=False, **options):
        path = path or settings.CERTIFICATE_SIGNER_P12
        if not path:
            raise CommandError("CERTIFICATE_SIGNER_P12 is not set: give --path")
        passphrase = settings.CERTIFICATE_SIGNER_PASSPHRASE
        if not passphrase:
            raise CommandError("CERTIFICATE_SIGNER_PASSPHRASE is not set: the file would not be encrypted")
        if days < 1:
            raise CommandError("--days must be at least 1")
        target = Path(path)
        if target.exists():
            if if_missing:
                self.stdout.write(f"Signing certificate {target} exists, kept.")
                return
            if not force:
                raise CommandError(f"{target} exists: give --force to replace it")

        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        certificate = self_signed_certificate(key, days=days)
        data = pkcs12.serialize_key_and_certificates(
            name=CENTER_NAME.encode(),
            key=key,
            cert=certificate,
            cas=None,
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )
        write_private(target, data)

        fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
        source = (
            "the development default (DEBUG)"
            if settings.DEBUG and not os.environ.get("CERTIFICATE_SIGNER_PASSPHRASE")
            else "CERTIFICATE_SIGNER_PASSPHRASE"
        )
        self.stdout.write(f"Signing certificate written: {target} (mode 0600, passphrase: {source})")
        self.stdout.write(f"Subject: {certificate.subject.rfc4514_string()}")
        self.stdout.write(f"Valid until: {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(f"SHA-256 fingerprint: {fingerprint}")


def self_signed_certificate(key: rsa.RSAPrivateKey, *, days: int) -> x509.Certificate:
    """A certificate for signing documents, issued by itself to the center."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CENTER_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, CENTER_NAME),
        ]
    )
    # A few minutes back, so a clock slightly behind ours still sees it valid.
    now = datetime.now(UTC) - timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def write_private(target: Path, data: bytes) -> None:
    """Write `data` to `target` readable by its owner only (0600), whole or not
    at all: a new file beside it, renamed over the old one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            # The mode given to open is cut by the umask; set it exactly.
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
