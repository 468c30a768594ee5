"""Enrol a hall staff member's authenticator app (TOTP, django-otp).

    python manage.py staff_totp_enrol <username> [--replace]

Prints the otpauth:// URI and the same as a QR code in the terminal; the
staff member scans it with an authenticator app (Microsoft Authenticator,
Google Authenticator, FreeOTP…) and from then on types its 6-digit token at
the admin login. Run it at the console of the server, never over a shared
screen: whoever sees the QR code holds the second factor.
"""

import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "为工作人员账号绑定动态口令(TOTP),在终端显示二维码与 otpauth 链接"

    def add_arguments(self, parser):
        parser.add_argument("username", help="工作人员用户名")
        parser.add_argument("--replace", action="store_true", help="删除该账号已有的动态口令设备后重新绑定(如手机丢失)")

    def handle(self, *args, username, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_staff:
            raise CommandError(f"没有用户名为 {username} 的工作人员账号")
        with transaction.atomic():
            existing = TOTPDevice.objects.filter(user=user)
            if existing.exists() and not replace:
                raise CommandError(f"{username} 已绑定动态口令;如需重新绑定(旧设备将失效),请加 --replace")
            existing.delete()
            device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
        uri = device.config_url
        qr = qrcode.QRCode(border=1)
        qr.add_data(uri)
        out = io.StringIO()
        qr.print_ascii(out=out, invert=True)
        self.stdout.write(f"工作人员 {username} 的动态口令已绑定。请用身份验证器应用扫描下面的二维码:\n")
        self.stdout.write(out.getvalue())
        self.stdout.write(f"或手动添加此链接:\n{uri}\n")
        self.stdout.write("扫描后请立即关闭此终端画面;登录管理后台时输入应用中显示的6位动态口令。")
