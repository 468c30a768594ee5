"""The SMS backends, the gateway one against a real local HTTP server."""

import io
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts import sms

MESSAGE = sms.SmsMessage(phone="13812345678", text="您的注册验证码为123456")


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    status = HTTPStatus.OK
    delay = 0.0

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        if type(self).delay:
            threading.Event().wait(type(self).delay)
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b'{"code": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.received = []
    _Provider.status = HTTPStatus.OK
    _Provider.delay = 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Provider, f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_console_backend_prints_the_message():
    stream = io.StringIO()
    assert sms.ConsoleBackend(stream=stream).send(MESSAGE) == "console"
    assert "13812345678" in stream.getvalue() and "123456" in stream.getvalue()


def test_file_backend_writes_one_file_per_message(tmp_path):
    backend = sms.FileBackend(file_path=str(tmp_path))
    backend.send(MESSAGE)
    backend.send(MESSAGE)
    files = list(tmp_path.iterdir())
    assert len(files) == 2
    assert "123456" in files[0].read_text(encoding="utf-8")


def test_locmem_backend_fills_the_outbox():
    sms.outbox.clear()
    sms.LocmemBackend().send(MESSAGE)
    assert sms.outbox == [MESSAGE]


def test_get_backend_follows_the_setting(settings):
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    assert isinstance(sms.get_backend(), sms.LocmemBackend)


def test_gateway_backend_posts_json_with_the_key(provider, settings):
    handler, url = provider
    result = sms.GatewayBackend(url=url, key="k-123", timeout=2).send(MESSAGE)
    assert result == "gateway HTTP 200"
    auth, payload = handler.received[0]
    assert auth == "Bearer k-123"
    assert payload == {"phone": "13812345678", "content": MESSAGE.text, "sign": settings.SMS_SIGN}


def test_gateway_backend_error_status_raises(provider):
    handler, url = provider
    handler.status = HTTPStatus.INTERNAL_SERVER_ERROR
    with pytest.raises(sms.SmsSendError, match="HTTP 500"):
        sms.GatewayBackend(url=url, key="k", timeout=2).send(MESSAGE)


def test_gateway_backend_timeout_raises(provider):
    handler, url = provider
    handler.delay = 1.0
    with pytest.raises(sms.SmsSendError, match="超时"):
        sms.GatewayBackend(url=url, key="k", timeout=0.2).send(MESSAGE)


def test_gateway_backend_refused_connection_raises(provider):
    _, url = provider
    closed = url.replace("/send", "").rsplit(":", 1)[0] + ":9/send"  # discard port: nothing listens
    with pytest.raises(sms.SmsSendError, match="无法连接"):
        sms.GatewayBackend(url=closed, key="k", timeout=1).send(MESSAGE)


def test_gateway_backend_without_url_raises():
    with pytest.raises(sms.SmsSendError, match="SMS_GATEWAY_URL"):
        sms.GatewayBackend(url="", key="k").send(MESSAGE)


@pytest.mark.django_db
def test_sms_code_reaches_the_gateway_with_the_signature_once(provider, settings, rf):
    # End to end through the service: the body carries no signature of its own,
    # the provider gets SMS_SIGN as `sign` and puts it in front.
    from accounts import services
    from accounts.models import SmsPurpose
    from accounts.tests.conftest import deliver_sms
    from inquiry.tests.factories import MemberFactory

    handler, url = provider
    settings.SMS_BACKEND = "accounts.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = url, "k-1"
    settings.SMS_SIGN = "测试签名"
    member = MemberFactory(phone="13912345670")
    services.sms_code_send(member=member, purpose=SmsPurpose.REGISTER, request=rf.post("/"))
    assert handler.received == []  # not inside the request: the job sends it
    deliver_sms()
    _, payload = handler.received[0]
    assert payload["phone"] == "13912345670" and payload["sign"] == "测试签名"
    assert re.fullmatch(
        rf"您的注册验证码为\d{{{settings.ACCOUNTS_SMS_CODE_LENGTH}}},5分钟内有效。请勿泄露给他人。", payload["content"]
    )


def test_console_backend_shows_the_signature_once(settings):
    settings.SMS_SIGN = "测试签名"
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send(MESSAGE)
    assert stream.getvalue() == f"SMS to 13812345678: 【测试签名】{MESSAGE.text}\n"
