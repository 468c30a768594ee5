// Progressive enhancement only: every action here also works as a plain link or form.
(function () {
  "use strict";

  // Captcha: clicking the image loads a new one (django-simple-captcha refresh view).
  document.querySelectorAll("[data-captcha-refresh]").forEach(function (img) {
    function refresh() {
      fetch(img.dataset.captchaRefresh, { headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          img.src = data.image_url;
          var form = img.closest("form");
          var hidden = form && form.querySelector("input[name$='captcha_0']");
          if (hidden) { hidden.value = data.key; }
          var input = form && form.querySelector("input[name$='captcha_1']");
          if (input) { input.value = ""; input.focus(); }
        });
    }
    img.addEventListener("click", refresh);
    img.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); refresh(); }
    });
  });

  // 退出: ask 是/否 in a dialog instead of leaving the page.
  var dialog = document.getElementById("logout-dialog");
  document.querySelectorAll("[data-logout-open]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
    });
  });
  document.querySelectorAll("[data-dialog-close]").forEach(function (button) {
    button.addEventListener("click", function () { button.closest("dialog").close(); });
  });

  // 关闭音效 / 开启音效 and the notification sound: static/js/messages.js.
})();

// Tabs of the task area (消息 · 我发起的 · 已阅).
(function () {
  "use strict";
  document.querySelectorAll("[role=tablist]").forEach(function (list) {
    var tabs = list.querySelectorAll("[role=tab]");
    // Without JavaScript every panel stays visible; with it, only the selected one.
    tabs.forEach(function (tab) {
      document.getElementById(tab.getAttribute("aria-controls")).hidden = tab.getAttribute("aria-selected") !== "true";
    });
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        tabs.forEach(function (other) {
          var selected = other === tab;
          other.setAttribute("aria-selected", selected ? "true" : "false");
          document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
        });
      });
    });
  });
})();

// Query forms: choosing another contract submits at once (the 查询 button still works without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("[data-auto-submit] [data-auto-submit-trigger]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      // A new contract starts on its first page.
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    });
  });
})();

// 发送验证码: the server refuses a new code within 60 s; the button shows how long is left.
(function () {
  "use strict";
  document.querySelectorAll("[data-countdown]").forEach(function (button) {
    var left = parseInt(button.dataset.countdown, 10) || 0;
    var label = button.dataset.label || button.textContent;
    function tick() {
      if (left > 0) {
        button.disabled = true;
        button.textContent = "重新发送(" + left + "秒)";
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    }
    tick();
  });
})();

// 信息查询 menu: on a narrow screen it is one row that scrolls sideways; show the current page's entry.
(function () {
  "use strict";
  var current = document.querySelector(".main-nav__inner [aria-current=page]");
  if (!current) { return; }
  var strip = current.parentElement;
  if (strip.scrollWidth <= strip.clientWidth) { return; }
  var offset = current.getBoundingClientRect().left - strip.getBoundingClientRect().left;
  strip.scrollLeft += offset - (strip.clientWidth - current.offsetWidth) / 2;
})();
