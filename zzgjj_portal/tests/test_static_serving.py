"""Static files as browsers need them (issue 15, item 27): the notification sound
with an audio type, and the site icon at /favicon.ico, where browsers ask for it
on every page."""

import re
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from PIL import Image

pytestmark = pytest.mark.django_db


def test_chime_is_served_as_audio_wav(client):
    response = client.get("/static/audio/chime.wav")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "audio/wav"


def test_favicon_answers_with_the_portal_icon(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain[-1][0].startswith("/static/img/favicon")
    assert response["Content-Type"] == "image/x-icon"
    icon = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])


def test_pages_link_the_icon(client):
    response = client.get("/")

    assert '<link rel="icon" href="/static/img/favicon.ico"' in response.text


def test_production_static_files_keep_their_types(client, settings, tmp_path):
    """As in production: collectstatic's hashed names, served by WhiteNoise from
    STATIC_ROOT (no finders), and /favicon.ico pointing at the hashed icon."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)

    icon = client.get("/favicon.ico")
    assert icon.status_code == HTTPStatus.FOUND
    assert re.fullmatch(r"/static/img/favicon\.[0-9a-f]{12}\.ico", icon["Location"])
    assert client.get(icon["Location"])["Content-Type"] == "image/x-icon"
    chime = client.get(static("audio/chime.wav"))
    assert chime.status_code == HTTPStatus.OK
    assert chime["Content-Type"] == "audio/wav"
