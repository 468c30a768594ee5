"""The notification sound: a short two-tone chime written as a WAV file (pure, no Django).

The portal ships its own sound instead of a downloaded asset: this module is
the source, `manage.py chime_generate` writes static/audio/chime.wav, and a
test checks that the committed file is exactly what this code produces.
"""

import io
import math
import struct
import wave

SAMPLE_RATE = 22050  # Hz; plenty for a chime and half the size of 44.1 kHz
# (frequency in Hz, start in seconds, length in seconds): E6 then C6, a soft "ding-dong".
TONES = ((1318.51, 0.0, 0.35), (1046.50, 0.18, 0.55))
DURATION = 0.75  # seconds
PEAK = 0.45  # of full scale, so two overlapping tones never clip


def samples() -> list[int]:
    """16-bit mono samples: each tone starts with a 5 ms attack and decays exponentially."""
    count = int(SAMPLE_RATE * DURATION)
    out = []
    for n in range(count):
        t = n / SAMPLE_RATE
        value = 0.0
        for frequency, start, length in TONES:
            local = t - start
            if 0 <= local < length:
                attack = min(1.0, local / 0.005)
                # Fades to about 1/e^5 by the tone's end, then the last 10 ms to silence (no click).
                decay = math.exp(-5 * local / length) * min(1.0, (length - local) / 0.01)
                value += attack * decay * math.sin(2 * math.pi * frequency * local)
        out.append(round(max(-1.0, min(1.0, value * PEAK)) * 32767))
    return out


def chime_wav() -> bytes:
    """The complete WAV file (RIFF, PCM 16-bit mono), the same bytes on every run."""
    data = samples()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(struct.pack(f"<{len(data)}h", *data))
    return buffer.getvalue()
