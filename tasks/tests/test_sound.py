"""关闭音效 / 开启音效 (saved on the login identity) and the chime it governs."""

import io
import wave
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tasks.chime import SAMPLE_RATE, chime_wav
from tasks.tests.factories import MessageFactory
from tasks.views.messages import NOTICE_BAD_SOUND, NOTICE_SOUND_OFF, NOTICE_SOUND_ON

SOUND = reverse("tasks:sound")
HOME = reverse("tasks:home")
CHIME = Path(settings.BASE_DIR) / "static" / "audio" / "chime.wav"


def test_committed_chime_is_what_the_generator_writes():
    assert CHIME.read_bytes() == chime_wav()


def test_chime_is_a_short_mono_wav_that_never_clips():
    with wave.open(io.BytesIO(chime_wav())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 0.3 < seconds < 2
    samples = memoryview(frames).cast("h")
    assert max(abs(s) for s in samples) < 32767 and max(samples) > 5000  # audible, not clipped
    assert samples[-1] == 0  # fades out: no click at the end


def test_chime_generate_command_writes_the_file(tmp_path, monkeypatch):
    from tasks.management.commands import chime_generate

    monkeypatch.setattr(chime_generate, "CHIME_PATH", tmp_path / "audio" / "chime.wav")
    call_command("chime_generate", stdout=io.StringIO())
    assert (tmp_path / "audio" / "chime.wav").read_bytes() == chime_wav()


@pytest.mark.django_db
def test_sound_off_then_on_is_saved_and_shown(member_client, member_user):
    response = member_client.post(SOUND, {"sound": "off", "next": HOME}, follow=True)
    member_user.refresh_from_db()
    assert member_user.sound_on is False
    html = response.content.decode()
    assert NOTICE_SOUND_OFF in html and ">开启音效</button>" in html and ">关闭音效</button>" not in html
    member_client.post(SOUND, {"sound": "on"})
    member_user.refresh_from_db()
    assert member_user.sound_on is True
    assert ">关闭音效</button>" in member_client.get(HOME).content.decode()


@pytest.mark.django_db
def test_sound_choice_holds_on_another_device(client, member_user):
    member_user.sound_on = False
    member_user.save()
    client.force_login(member_user)  # a fresh session, as on another PC
    assert ">开启音效</button>" in client.get(reverse("inquiry:basic_info")).content.decode()


@pytest.mark.django_db
def test_sound_posted_twice_does_one_thing(member_client, member_user):
    member_client.post(SOUND, {"sound": "off"})
    member_client.post(SOUND, {"sound": "off"})
    member_user.refresh_from_db()
    assert member_user.sound_on is False


@pytest.mark.django_db
def test_sound_with_javascript_answers_json(member_client):
    response = member_client.post(SOUND, {"sound": "on"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"notice": NOTICE_SOUND_ON, "sound_on": True}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "toggle", "OFF"])
def test_sound_refuses_other_values(member_client, member_user, value):
    response = member_client.post(SOUND, {"sound": value}, follow=True)
    assert NOTICE_BAD_SOUND in response.content.decode()
    member_user.refresh_from_db()
    assert member_user.sound_on is True


@pytest.mark.django_db
def test_sound_refuses_get(member_client):
    assert member_client.get(SOUND).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_home_tells_the_page_the_newest_unread_message(member_client, member_user):
    older = MessageFactory(member=member_user.member)
    newest = MessageFactory(member=member_user.member, sent_at=older.sent_at.replace(year=2000))
    MessageFactory(member=member_user.member, read_at=older.sent_at)  # read ones do not chime
    html = member_client.get(HOME).content.decode()
    # The newest to arrive (largest id), whatever sent_at the channel gave it.
    assert f'data-newest="{newest.pk}"' in html
    assert 'data-src="/static/audio/chime.wav"' in html
