// 语音验证码: plays the spoken challenge in the page through an <audio> element
// (the link alone opens the WAV in the browser's player).
(function () {
  "use strict";
  var FAILED = "语音验证码暂时无法播放,请稍后再试或点击图片换一张";

  document.querySelectorAll("[data-captcha-audio]").forEach(function (link) {
    var status = link.parentNode.querySelector("[data-captcha-audio-status]");
    var audio = document.createElement("audio");
    audio.preload = "none";
    link.parentNode.appendChild(audio);

    function say(text) { if (status) { status.textContent = text; } }

    audio.addEventListener("error", function () { say(FAILED); });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      // 换一张 (portal.js) gives the form a new key: speak the captcha the form holds now.
      var form = link.closest("form");
      var key = form && form.querySelector("input[name$='captcha_0']");
      if (key && key.value) { link.href = link.href.replace(/[^/]+\.wav$/, key.value + ".wav"); }
      say("");
      audio.src = link.href;
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function (error) { if (error.name !== "AbortError") { say(FAILED); } }); }
      var input = form && form.querySelector("input[name$='captcha_1']");
      if (input) { input.focus(); }
    });
  });
})();
