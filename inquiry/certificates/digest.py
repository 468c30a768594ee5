"""The key 核验码 are hashed under, and the stored form of a code."""

from django.conf import settings
from django.utils.crypto import salted_hmac

from inquiry.certificates import codes


def code_key() -> bytes:
    """INQUIRY_CERTIFICATE_CODE_KEY, else a key derived from SECRET_KEY
    (check --deploy warns: rotating SECRET_KEY would then unmake every code)."""
    if settings.INQUIRY_CERTIFICATE_CODE_KEY:
        return settings.INQUIRY_CERTIFICATE_CODE_KEY.encode()
    return salted_hmac("inquiry.certificates.code-key", "v1", algorithm="sha256").digest()


def code_digest(code: str) -> str:
    """The stored form of a normalised code (codes.code_normalize)."""
    return codes.code_hash(code, key=code_key())
