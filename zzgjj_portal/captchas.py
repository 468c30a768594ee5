"""The captcha's challenge and its spoken form (语音验证码), shared by every
form with a captcha: member login, registration, forgot password, staff login
and /verify/. The audio URL itself is `views.captcha_audio`."""

import os
import secrets

from captcha.conf import settings as captcha_settings


def digits_challenge() -> tuple[str, str]:
    """django-simple-captcha's CAPTCHA_CHALLENGE_FUNCT: CAPTCHA_LENGTH random
    digits, shown in the image and answered as typed. Digits only, so the
    spoken captcha is plain numerals with nothing to spell (and no 0/O)."""
    digits = "".join(secrets.choice("0123456789") for _ in range(captcha_settings.CAPTCHA_LENGTH))
    return digits, digits


def speech_available() -> bool:
    """Whether the 语音验证码 can be made: the speaking program is configured
    (settings leave CAPTCHA_FLITE_PATH empty when espeak-ng is missing) and may
    be run. Read at call time from the library's settings, as the library
    itself does, so the widget and the audio URL always agree."""
    path = captcha_settings.CAPTCHA_FLITE_PATH
    return bool(path) and os.access(path, os.X_OK)
