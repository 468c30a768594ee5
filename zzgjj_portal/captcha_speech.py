#!/usr/bin/env python3
"""语音验证码: the program django-simple-captcha runs to speak a challenge.

The library calls `CAPTCHA_FLITE_PATH -t <text> -o <wav>` (it was written for
flite) with the challenge spelt out ("3, 7, 0, 1"). This script keeps the
digits, turns them into Chinese numerals and has espeak-ng say them slowly,
twice, into the WAV. It runs outside Django (standard library only) and
writes nothing when it cannot speak, so the library answers 404.
"""

import shutil
import subprocess
import sys

NUMERALS = "零一二三四五六七八九"

# Debian 12's espeak-ng 1.51 `-v cmn` reads a Chinese character's dictionary
# pinyin with its tone digit in English (三 -> "san one", espeak-ng issue
# #1236); its sibling Mandarin voice reads the same characters as pinyin,
# i.e. correctly. Both are espeak-ng's Mandarin (cmn) data.
VOICE = "cmn-latn-pinyin"
# Words per minute (espeak-ng's default is 175) and the gap between words in
# units of 10 ms: slow and spaced, for a listener writing the digits down.
SPEED = 110
WORD_GAP = 12
TIMEOUT = 10  # seconds; the web request is waiting


def spoken_numerals(text: str) -> str:
    """The ASCII digits of `text` as Chinese numerals, one by one, separated by
    commas (a pause each): "3, 7, 0, 1" -> "三，七，零，一". Everything else is
    dropped: the challenge is digits only."""
    return "，".join(NUMERALS[int(c)] for c in text if "0" <= c <= "9")


def spoken_text(text: str) -> str:
    """What the listener hears: the digits twice, the second time announced.
    Empty when `text` has no digits."""
    numerals = spoken_numerals(text)
    return f"验证码：{numerals}。再听一遍：{numerals}。" if numerals else ""


def espeak_command(espeak: str, text: str, wav: str) -> list[str]:
    """The espeak-ng command line that writes the challenge `text` into `wav`."""
    return [espeak, "-v", VOICE, "-s", str(SPEED), "-g", str(WORD_GAP), "-w", wav, spoken_text(text)]


def main(argv: list[str]) -> int:
    """`captcha_speech.py -t <text> -o <wav>`, as django-simple-captcha calls it."""
    args = dict(zip(argv[0::2], argv[1::2], strict=False))
    text, wav = args.get("-t", ""), args.get("-o")
    espeak = shutil.which("espeak-ng")
    if not wav or not espeak or not spoken_text(text):
        return 1
    try:
        # No shell; the text is our numerals only (spoken_text drops the rest).
        command = espeak_command(espeak, text, wav)
        return subprocess.run(command, timeout=TIMEOUT, check=False).returncode  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
