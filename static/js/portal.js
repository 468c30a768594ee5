// The portal's modal dialogs (退出, 查看 a message, 删除) for keyboard and screen reader
// users: opened with showModal (the page behind is inert, Esc closes), Tab and Shift+Tab
// go round the dialog's own controls, and on closing, focus goes back to what opened it.
window.portalDialog = (function () {
  "use strict";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function focusables(dialog) {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return !el.hidden && el.getClientRects().length > 0;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var dialog = document.querySelector("dialog[open]");
    if (!dialog) { return; }
    var items = focusables(dialog);
    if (!items.length) { return; }
    var first = items[0];
    var last = items[items.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  });

  function open(dialog, opener) {
    dialog.portalOpener = opener || document.activeElement;
    if (!dialog.portalWatched) {
      dialog.portalWatched = true;
      dialog.addEventListener("close", function () {
        var back = dialog.portalOpener;
        dialog.portalOpener = null;
        // The opener may be gone (a message read or deleted leaves its list): then the page itself.
        if (back && back.isConnected && back.getClientRects().length) {
          back.focus();
        } else {
          var main = document.getElementById("main");
          if (main) { main.focus(); }
        }
      });
    }
    dialog.showModal();
    var start = dialog.querySelector("[autofocus]") || focusables(dialog)[0];
    if (start) { start.focus(); }
  }

  return { open: open };
})();

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
        window.portalDialog.open(dialog, link);
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

// Query forms: choosing another contract submits at once (the 查询 button still works without
// JavaScript), except from the keyboard: there the arrow keys only move the choice, since
// submitting on each would reload the page under the member (WCAG 3.2.2), and Enter submits.
(function () {
  "use strict";
  document.querySelectorAll("[data-auto-submit] [data-auto-submit-trigger]").forEach(function (select) {
    var keyed = false;
    function submit() {
      var form = select.form;
      // A new contract starts on its first page.
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); submit(); } else { keyed = true; }
    });
    select.addEventListener("pointerdown", function () { keyed = false; });
    select.addEventListener("change", function () {
      if (!keyed) { submit(); }
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
