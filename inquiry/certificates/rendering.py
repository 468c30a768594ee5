"""A certificate's PDF: its template rendered by WeasyPrint through the print
pipeline (the static-only fetcher, the embedded CJK font), with the QR code of
its verify address drawn inline, then signed with the center's certificate.

Only the issuing service calls this; a repeat download serves the stored bytes.
"""

from functools import cache

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from inquiry.printing import BASE_URL, StaticOnlyFetcher
from zzgjj_portal.signing import sign_pdf

CERTIFICATE_UA_STYLESHEET = "css/certificate-print-ua.css"
SIGNATURE_REASON = "{title}(核验码见正文)"


def verify_url(code_display: str) -> str:
    """The address a certificate's QR code opens. The code rides in the
    fragment: browsers never send it, so it lands in no access log on the way;
    the /verify/ page's script reads it and asks (a POST) as if typed."""
    return f"{settings.PORTAL_BASE_URL}/verify/#{code_display}"


def qr_svg(text: str) -> str:
    """A QR code of `text` as an inline <svg> (medium error correction: it
    must survive a printer and a phone camera)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    # to_string() starts with an XML declaration, which has no place inside HTML.
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


@cache
def _ua_stylesheet() -> CSS:
    return CSS(filename=finders.find(CERTIFICATE_UA_STYLESHEET))


class CertificateHTML(HTML):
    """A certificate document with a user-agent stylesheet of only the
    elements its templates use (static/css/certificate-print-ua.css): the same
    WeasyPrint hook as the plan's PlanHTML, for the same reason."""

    def _ua_stylesheets(self, forms=False):
        return [_ua_stylesheet()]


def _unsigned_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    return CertificateHTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


def certificate_pdf(*, template: str, context: dict, title: str) -> bytes:
    """The signed PDF of a certificate template. Raises
    zzgjj_portal.signing.SignerUnavailable when the center's certificate
    cannot sign (an unsigned certificate is never handed out)."""
    return sign_pdf(_unsigned_pdf(template, context), reason=SIGNATURE_REASON.format(title=title))


def warm_up() -> None:
    """Draw a throwaway certificate, unsigned and kept nowhere: the fonts,
    the stylesheets and the template are then loaded, so the first certificate
    a process issues costs what the others do (about a third of a second less).
    The prints pool's gunicorn master calls it before forking its workers."""
    _unsigned_pdf("inquiry/certificates/deposit_pdf.html", {"title": "缴存证明", "facts": [("姓名", "—")]})
