"""语音验证码: the digits challenge, the program that speaks it
(zzgjj_portal/captcha_speech.py) and /captcha/audio/<key>.wav around the
library's view: a real WAV, never stored by the browser, counted against the
per-IP captcha cap, 404 for what it cannot speak."""

import io
import re
import shutil
import subprocess
import wave
from datetime import timedelta
from http import HTTPStatus

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils import timezone

from zzgjj_portal import captcha_speech
from zzgjj_portal.captchas import digits_challenge

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(not ESPEAK, reason="espeak-ng is not installed (apt-get install espeak-ng)")


def test_spoken_numerals_are_chinese_digit_by_digit():
    assert captcha_speech.spoken_numerals("3, 7, 0, 1") == "三，七，零，一"
    assert captcha_speech.spoken_numerals("0123456789") == "零，一，二，三，四，五，六，七，八，九"
    # Only digits are spoken: the library's separators and anything else are dropped.
    assert captcha_speech.spoken_numerals("A, b, -") == ""


def test_spoken_text_says_the_digits_twice():
    assert captcha_speech.spoken_text("5, 2") == "验证码：五，二。再听一遍：五，二。"
    assert captcha_speech.spoken_text("") == ""


def test_espeak_command_uses_the_mandarin_voice_slowly(tmp_path):
    out = str(tmp_path / "out.wav")
    command = captcha_speech.espeak_command("/usr/bin/espeak-ng", "9, 4", out)
    assert command[0] == "/usr/bin/espeak-ng"
    assert command[command.index("-v") + 1].startswith("cmn")
    assert int(command[command.index("-s") + 1]) < 175  # espeak-ng's default speed
    assert command[command.index("-w") + 1] == out
    assert command[-1] == "验证码：九，四。再听一遍：九，四。"


def test_speech_main_runs_espeak_with_the_numerals(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(captcha_speech.shutil, "which", lambda name: f"/opt/bin/{name}")
    monkeypatch.setattr(
        captcha_speech.subprocess, "run", lambda args, **kw: calls.append(args) or subprocess.CompletedProcess(args, 0)
    )
    wav = str(tmp_path / "c.wav")
    # Exactly as django-simple-captcha calls CAPTCHA_FLITE_PATH.
    assert captcha_speech.main(["-t", "8, 0, 6, 1", "-o", wav]) == 0
    assert calls == [captcha_speech.espeak_command("/opt/bin/espeak-ng", "8, 0, 6, 1", wav)]
    assert "八，零，六，一" in calls[0][-1]
    assert calls[0][calls[0].index("-v") + 1] == "cmn-latn-pinyin"


def test_speech_main_writes_nothing_without_espeak_or_digits(monkeypatch, tmp_path):
    monkeypatch.setattr(captcha_speech.shutil, "which", lambda name: None)
    assert captcha_speech.main(["-t", "1, 2", "-o", str(tmp_path / "a.wav")]) == 1
    monkeypatch.setattr(captcha_speech.shutil, "which", lambda name: "/opt/bin/espeak-ng")
    assert captcha_speech.main(["-t", "A, B", "-o", str(tmp_path / "b.wav")]) == 1
    assert not list(tmp_path.iterdir())


def test_digits_challenge_is_digits_answered_as_shown():
    for _ in range(20):
        challenge, response = digits_challenge()
        assert re.fullmatch(r"\d{4}", challenge)
        assert response == challenge


# The audio URL.


@pytest.fixture
def key(db):
    return CaptchaStore.generate_key()


@pytest.fixture
def no_speech(monkeypatch):
    """espeak-ng not installed: settings leave CAPTCHA_FLITE_PATH empty."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)


def _audio(client, key, ip="10.7.7.7"):
    return client.get(reverse("captcha-audio", kwargs={"key": key}), REMOTE_ADDR=ip)


@needs_espeak
def test_captcha_audio_is_a_spoken_wav_never_stored(client, key):
    response = _audio(client, key)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]
    with wave.open(io.BytesIO(b"".join(response.streaming_content))) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5


@needs_espeak
def test_captcha_audio_speaks_the_stored_challenge(client, key, monkeypatch):
    store = CaptchaStore.objects.get(hashkey=key)
    assert re.fullmatch(r"\d{4}", store.challenge)
    spoken = []
    real_run = subprocess.run

    def run(args, **kwargs):
        spoken.append(args)
        return real_run(args, **kwargs)

    # The library runs our program; record what it was asked to say.
    monkeypatch.setattr("captcha.views.subprocess.run", run)
    assert _audio(client, key).status_code == HTTPStatus.OK
    assert spoken[0][0] == captcha_settings.CAPTCHA_FLITE_PATH
    assert captcha_speech.spoken_numerals(spoken[0][2]) == captcha_speech.spoken_numerals(store.challenge)


@pytest.mark.django_db
def test_captcha_audio_unknown_or_expired_key_is_404(client, key):
    assert _audio(client, "0" * 40).status_code == HTTPStatus.NOT_FOUND
    CaptchaStore.objects.filter(hashkey=key).update(expiration=timezone.now() - timedelta(seconds=1))
    assert _audio(client, key).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_captcha_audio_without_espeak_is_404(client, key, no_speech):
    assert _audio(client, key).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_captcha_audio_counts_against_the_captcha_cap(client, key, settings):
    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 2
    # Unknown keys cost the same: probing for keys is not free.
    assert [_audio(client, "0" * 40).status_code for _ in range(2)] == [404, 404]
    response = _audio(client, key)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "操作过于频繁" in response.content.decode()
    # One cap for every captcha: the login page is refused too.
    assert client.get("/", REMOTE_ADDR="10.7.7.7").status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert _audio(client, key, ip="10.7.7.8").status_code != HTTPStatus.TOO_MANY_REQUESTS


LINK = re.compile(r'<a class="captcha-audio__link" href="/captcha/audio/(\w+)\.wav" data-captcha-audio>语音验证码</a>')


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/register/", "/password/forgot/", "/admin/login/"])
def test_captcha_pages_offer_the_spoken_captcha_of_their_image(client, url):
    page = client.get(url).content.decode()
    link = LINK.search(page)
    assert link, "no 语音验证码 link"
    assert f"/captcha/image/{link[1]}/" in page
    assert "js/captcha-audio.js" in page


@pytest.mark.django_db
def test_verify_captcha_offers_the_spoken_captcha_too(client, settings):
    # /verify/ asks for a captcha once the address has used up its free wrong codes.
    settings.INQUIRY_VERIFY_FREE_FAILURES = 1
    wrong = client.post(reverse("inquiry:verify"), {"code": "K7QF-3MZP-9HXT-2WDC-R5NA"}, REMOTE_ADDR="10.7.7.9")
    page = wrong.content.decode()
    assert 'name="captcha_1"' in page
    assert LINK.search(page)


@pytest.mark.django_db
def test_login_page_without_espeak_has_no_spoken_captcha(client, no_speech):
    page = client.get("/").content.decode()
    assert "语音验证码" not in page
    assert "/captcha/image/" in page


@pytest.mark.django_db
def test_captcha_image_still_draws_the_digits(client, key):
    response = client.get(reverse("captcha-image", kwargs={"key": key}))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/png"
