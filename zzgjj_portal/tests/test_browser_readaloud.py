"""朗读 in real headless Chromium: the button appears only when the browser has
a Chinese voice, reads the page's <main> (on the home page, the balance), and
停止 or Esc stops it.

The browser's speech API is faked at its boundary (FAKE_SPEECH): headless
Chromium has no voices and a test cannot listen, so the fake records what the
page asks it to say and which voice, and reports the voices we choose."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from inquiry.demo import DEMO_ID_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# window.speechSynthesis and SpeechSynthesisUtterance replaced before any page
# script runs. Voices arrive late (as in Chrome: an empty list, then
# voiceschanged). `__speech.autoEnd` ends each utterance at once; without it
# the utterance stays "being spoken" until the test ends it (`__speech.end()`).
FAKE_SPEECH = """
((voices) => {
  const log = (window.__speech = { spoken: [], voices: [], cancels: 0, autoEnd: true, current: null });
  function fire(target, type) {
    const event = new Event(type);
    target.dispatchEvent(event);
    if (typeof target["on" + type] === "function") { target["on" + type](event); }
  }
  class FakeUtterance extends EventTarget {
    constructor(text) { super(); this.text = text; this.lang = ""; this.voice = null; this.rate = 1; }
  }
  class FakeSynthesis extends EventTarget {
    getVoices() { return this.ready ? voices : []; }
    speak(utterance) {
      log.spoken.push(utterance.text);
      log.voices.push(utterance.voice && utterance.voice.lang);
      log.current = utterance;
      if (log.autoEnd) { setTimeout(() => fire(utterance, "end"), 0); }
    }
    cancel() { log.cancels += 1; }
  }
  log.end = () => { if (log.current) { fire(log.current, "end"); } };
  const synthesis = new FakeSynthesis();
  Object.defineProperty(window, "speechSynthesis", { value: synthesis, configurable: true });
  window.SpeechSynthesisUtterance = FakeUtterance;
  setTimeout(() => {
    synthesis.ready = true;
    fire(synthesis, "voiceschanged");
    document.documentElement.dataset.fakeVoicesLoaded = "1";  // for the test to wait on
  }, 100);
})(%s);
"""
ZH_VOICES = '[{ "lang": "en-US", "name": "English" }, { "lang": "zh-CN", "name": "普通话" }]'


def test_browser_readaloud_reads_main_and_stops(browser, live_server):
    call_command("seed_demo", as_of="2026-10-31", members=1)
    client = Client()
    client.force_login(User.objects.get(member__id_number=DEMO_ID_NUMBER))
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    context.add_init_script(FAKE_SPEECH % ZH_VOICES)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The login page offers it too, once the voices have loaded.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="朗读")).to_be_visible()

    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(live_server.url + "/home/")
    button = page.locator("[data-readaloud]")
    expect(button).to_have_text("朗读")
    expect(button).to_be_visible()
    balance = page.get_by_test_id("balance").inner_text().strip()
    assert re.fullmatch(r"[\d,]+\.\d\d", balance)

    # The whole of <main>, in chunks short enough for Chromium, in the Chinese voice.
    button.click()
    expect(button).to_have_text("朗读")  # read to the end
    spoken = page.evaluate("window.__speech.spoken")
    assert len(spoken) > 1 and max(map(len, spoken)) <= 100
    assert set(page.evaluate("window.__speech.voices")) == {"zh-CN"}
    text = " ".join(spoken)
    assert balance.replace(",", "") in text  # read as one number, without the thousands separators
    assert "账户余额" in text
    # Only <main>: not the header, the menu or the footer; nothing hidden.
    assert "修改密码" not in text and "服务热线" not in text
    hidden = page.evaluate("document.querySelector('main [hidden]:not(:empty)')?.textContent.trim()")
    assert not hidden or hidden not in text

    # 停止 stops at once; a late event of the stopped reading does not resume it.
    page.evaluate("window.__speech.autoEnd = false")
    cancels = page.evaluate("window.__speech.cancels")
    button.click()
    expect(button).to_have_text("停止")
    said = len(page.evaluate("window.__speech.spoken"))
    button.click()
    expect(button).to_have_text("朗读")
    assert page.evaluate("window.__speech.cancels") > cancels + 1  # one to start, one to stop
    page.evaluate("window.__speech.end()")
    assert len(page.evaluate("window.__speech.spoken")) == said

    # Esc stops it too.
    button.click()
    expect(button).to_have_text("停止")
    cancels = page.evaluate("window.__speech.cancels")
    page.keyboard.press("Escape")
    expect(button).to_have_text("朗读")
    assert page.evaluate("window.__speech.cancels") == cancels + 1
    assert errors == []

    # A browser without any voice never shows the button.
    silent = browser.new_context(locale="zh-CN")
    silent.add_init_script(FAKE_SPEECH % "[]")
    silent_page = silent.new_page()
    silent_page.goto(live_server.url + "/")
    expect(silent_page.locator("html")).to_have_attribute("data-fake-voices-loaded", "1")
    expect(silent_page.locator("[data-readaloud]")).to_be_hidden()
    silent.close()
    context.close()
