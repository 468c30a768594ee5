"""Certificates a member issues (缴存证明, 贷款结清证明, 缴存明细, 年度对账单) and
their verification by anyone holding the 核验码 (/verify/).

A certificate row keeps what the PDF says (`facts`, masked as on the paper),
the PDF itself (CertificatePDF, the exact bytes that were signed and hashed),
and its 核验码 only as a keyed hash: a database dump does not hand out codes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from inquiry.models.records import Member


class CertificateKind(models.TextChoices):
    DEPOSIT = "deposit", "缴存证明"
    LOAN_SETTLED = "loan_settled", "贷款结清证明"
    LEDGER = "ledger", "缴存明细"
    ANNUAL = "annual", "年度对账单"


class CertificatePurpose(models.TextChoices):
    """用途 of a 缴存证明, chosen by the member (其他: with their own words)."""

    LOAN = "loan", "贷款"
    HOUSE = "house", "购房"
    HUKOU = "hukou", "落户"
    OTHER = "other", "其他"


class CertificateQuerySet(models.QuerySet):
    def for_member(self, member: Member) -> "CertificateQuerySet":
        return self.filter(member=member)

    def in_state(self, state: str, *, now) -> "CertificateQuerySet":
        """The certificates in `state` (Certificate.State) at `now`: the rule
        of Certificate.state_at, as a filter."""
        if state == Certificate.State.VOID:
            return self.filter(voided_at__isnull=False)
        live = self.filter(voided_at__isnull=True)
        if state == Certificate.State.EXPIRED:
            return live.filter(valid_until__lte=now)
        return live.filter(valid_until__gt=now)

    def with_verifications(self) -> "CertificateQuerySet":
        """`verify_count` (核验次数) and `last_verified_at` (最近核验时间), from
        the verification log itself: a look at /verify/ is one INSERT and no
        UPDATE of the certificate (which would raise the member's data
        version, the cached pages' key, on every look by a stranger), and the
        count cannot disagree with the log. Correlated subqueries over the
        (certificate, verified_at) index, computed only for the rows a page
        shows (a GROUP BY would count every certificate before the LIMIT)."""
        looks = CertificateVerification.objects.filter(certificate=models.OuterRef("pk"))
        return self.annotate(
            verify_count=Coalesce(
                models.Subquery(looks.values("certificate").annotate(n=models.Count("*")).values("n")[:1]),
                0,
            ),
            last_verified_at=models.Subquery(looks.order_by("-verified_at").values("verified_at")[:1]),
        )


class Certificate(models.Model):
    Kind = CertificateKind
    Purpose = CertificatePurpose

    class State(models.TextChoices):
        VALID = "valid", "有效"
        EXPIRED = "expired", "已过期"
        VOID = "void", "已作废"

    member = models.ForeignKey(Member, verbose_name="缴存职工", on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField("证明类型", max_length=16, choices=CertificateKind.choices)
    title = models.CharField("证明名称", max_length=40)
    # 缴存证明 only; the other kinds have no 用途.
    purpose = models.CharField("用途", max_length=8, choices=CertificatePurpose.choices, blank=True)
    purpose_text = models.CharField("用途说明", max_length=20, blank=True)
    # What the certificate is of: the contract, the 缴存年度 or the date range.
    subject = models.CharField("证明事项", max_length=60, blank=True)
    # HMAC-SHA256 (hex) of the normalised code under INQUIRY_CERTIFICATE_CODE_KEY.
    code_hash = models.CharField("核验码摘要", max_length=64, unique=True, editable=False)
    code_hint = models.CharField("核验码", max_length=30, editable=False)
    # One certificate per issuing form shown: a double click posts the same token.
    form_token = models.UUIDField("表单标识", editable=False)
    # What /verify/ shows: [[label, value], ...] as printed (ID number masked).
    facts = models.JSONField("证明内容", default=list, editable=False)
    pdf_sha256 = models.CharField("文件SHA-256", max_length=64, editable=False)
    pdf_size = models.PositiveIntegerField("文件大小(字节)", default=0, editable=False)
    issued_at = models.DateTimeField("签发时间", default=timezone.now)
    valid_until = models.DateTimeField("有效期至")
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=100, blank=True)
    # Empty when the member voided it themselves.
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "电子证明"
        verbose_name_plural = "电子证明"
        ordering = ["-issued_at", "-id"]
        permissions = [("void_certificate", "可以作废电子证明")]
        constraints = [
            models.UniqueConstraint(fields=["member", "form_token"], name="certificate_form_token_unique"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("issued_at")), name="certificate_validity"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name="certificate_void_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind=CertificateKind.DEPOSIT) | Q(purpose=""), name="certificate_purpose_deposit_only"
            ),
        ]
        indexes = [models.Index(fields=["member", "-issued_at"], name="certificate_member_issued")]

    def __str__(self) -> str:
        return f"{self.title} {self.code_hint}"

    def state_at(self, now) -> str:
        # CertificateQuerySet.in_state is this rule as a filter: change both together.
        if self.voided_at is not None:
            return self.State.VOID
        if now >= self.valid_until:
            return self.State.EXPIRED
        return self.State.VALID

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    @property
    def purpose_label(self) -> str:
        if self.purpose == CertificatePurpose.OTHER:
            return f"其他({self.purpose_text})" if self.purpose_text else "其他"
        return self.get_purpose_display() if self.purpose else ""


class CertificatePDF(models.Model):
    """The signed PDF of a certificate, apart from the certificate row so that
    lists and /verify/ never read the bytes."""

    certificate = models.OneToOneField(
        Certificate, verbose_name="电子证明", on_delete=models.CASCADE, primary_key=True, related_name="document"
    )
    data = models.BinaryField("PDF")

    class Meta:
        verbose_name = "证明文件"
        verbose_name_plural = "证明文件"

    def __str__(self) -> str:
        return f"证明文件 {self.certificate_id}"


class CertificateVerification(models.Model):
    """One look at a certificate on /verify/ (by code or by uploaded file)."""

    class Method(models.TextChoices):
        CODE = "code", "核验码"
        UPLOAD = "upload", "上传文件"

    certificate = models.ForeignKey(
        Certificate, verbose_name="电子证明", on_delete=models.CASCADE, related_name="verifications"
    )
    verified_at = models.DateTimeField("核验时间", default=timezone.now)
    method = models.CharField("核验方式", max_length=8, choices=Method.choices)
    # Masked at the time of writing (zzgjj_portal.masking.mask_ip): the full address is never stored.
    ip_masked = models.CharField("来源地址", max_length=48, blank=True)
    # For an upload: whether the file's SHA-256 matched the issued PDF's.
    file_matches = models.BooleanField("文件一致", null=True, blank=True)

    class Meta:
        verbose_name = "核验记录"
        verbose_name_plural = "核验记录"
        ordering = ["-verified_at", "-id"]
        indexes = [models.Index(fields=["certificate", "-verified_at"], name="verification_cert_time")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.verified_at:%Y-%m-%d %H:%M}"


class VerifyThrottle(models.Model):
    """Wrong 核验码 from one client IP in the current window (per hour), shared
    by every worker and node through the database, like the login lockout."""

    key = models.CharField(max_length=80, unique=True)
    window_started_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "核验限流"
        verbose_name_plural = "核验限流"

    def __str__(self) -> str:
        return self.key
