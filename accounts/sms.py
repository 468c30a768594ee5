"""Short-message backends, shaped like Django's email backends.

`SMS_BACKEND` names the class: console (prints; the `make run` default),
file (one file per message in `SMS_FILE_PATH`; browser tests read it),
locmem (tests read `accounts.sms.outbox`) or gateway (POSTs JSON to an HTTP
SMS provider at `SMS_GATEWAY_URL`).
"""

import json
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    """One short message. `text` is the body; the signature is added once,
    here: a gateway sends it as its own field (the provider puts it in front),
    the console and file backends show the message as the phone would."""

    phone: str
    text: str

    @property
    def signed_text(self) -> str:
        return f"【{settings.SMS_SIGN}】{self.text}"


class SmsSendError(Exception):
    """The backend could not hand the message over; the text says why (for the log)."""


# The locmem backend's outbox: tests read and clear it.
outbox: list[SmsMessage] = []


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return a short result for the SMS log or raise SmsSendError."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints the message (local development only: the code appears in the output)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message: SmsMessage) -> str:
        with self._lock:
            self.stream.write(f"SMS to {message.phone}: {message.signed_text}\n")
            self.stream.flush()
        return "console"


class FileBackend(BaseSmsBackend):
    """Writes each message to its own file in `SMS_FILE_PATH`."""

    def __init__(self, file_path: str | None = None):
        path = file_path or settings.SMS_FILE_PATH
        if not path:
            raise SmsSendError("SMS_FILE_PATH 未设置")
        self.path = Path(path)

    def send(self, message: SmsMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        (self.path / name).write_text(f"To: {message.phone}\n\n{message.signed_text}\n", encoding="utf-8")
        return f"file {name}"


class LocmemBackend(BaseSmsBackend):
    """Appends to `accounts.sms.outbox`."""

    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return "locmem"


class GatewayBackend(BaseSmsBackend):
    """POSTs `{"phone", "content", "sign"}` as JSON to the provider with a bearer key;
    `content` is the body without the signature, which the provider adds from `sign`.

    Any answer other than 2xx, a timeout or a refused connection raises
    SmsSendError, so the member is told the message could not be sent.
    """

    def __init__(self, url: str | None = None, key: str | None = None, timeout: float | None = None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SMS_GATEWAY_KEY
        self.timeout = timeout or settings.SMS_GATEWAY_TIMEOUT

    def send(self, message: SmsMessage) -> str:
        if not self.url:
            raise SmsSendError("SMS_GATEWAY_URL 未设置")
        body = json.dumps(
            {"phone": message.phone, "content": message.text, "sign": settings.SMS_SIGN}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, not from users
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return f"gateway HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"短信网关返回 HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise SmsSendError(f"短信网关超时({self.timeout}秒)") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise SmsSendError(f"短信网关超时({self.timeout}秒)") from exc
            raise SmsSendError(f"无法连接短信网关:{reason}") from exc


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)()


def backend_name(path: str | None = None) -> str:
    return (path or settings.SMS_BACKEND).rsplit(".", 1)[-1]
