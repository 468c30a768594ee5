// 消息 · 已阅 actions, 关闭音效 and the notification sound. Progressive enhancement only:
// every action here is also a plain link or POST form that works without JavaScript.
(function () {
  "use strict";

  // Notices appear where Django's messages do, at the top of the page.
  var notices = document.querySelector("[data-message-notice]");
  var main = document.querySelector("main.page");
  if (notices && main) { main.prepend(notices); }

  function showNotice(text) {
    if (!notices) { return; }
    var item = document.createElement("p");
    item.className = "flash__item";
    item.textContent = text;
    notices.replaceChildren(item);
  }

  // Posts a form with fetch and asks for JSON; on any failure (session ended,
  // CSRF refused, network) the form is submitted the ordinary way instead.
  function postForm(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      credentials: "same-origin",
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!response.ok || !json || response.redirected) { throw new Error("fallback"); }
      return response.json();
    }).catch(function (error) {
      form.submit();
      throw error;
    });
  }

  function setUnreadCount(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (el) { el.textContent = String(count); });
    var badge = document.querySelector("[data-unread-badge]");
    if (badge) {
      badge.hidden = count === 0;
      badge.setAttribute("aria-label", count + "条未读");
    }
  }

  // An emptied list shows its "暂无…" line instead of an empty table.
  function refreshEmpty(list) {
    var name = list.dataset.messageList;
    var empty = list.querySelector("tbody tr") === null;
    list.hidden = empty;
    var line = document.querySelector('[data-message-empty="' + name + '"]');
    if (line) { line.hidden = !empty; }
  }

  function rowsOf(id) {
    return document.querySelectorAll('[data-message-row="' + id + '"]');
  }

  // 查看: the whole message in a dialog; 标为已阅 only for an unread one.
  var viewDialog = document.getElementById("message-dialog");
  var readForm = viewDialog && viewDialog.querySelector("[data-message-read-form]");
  var readButton = viewDialog && viewDialog.querySelector("[data-message-read-button]");
  var currentRow = null;

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-message-view]");
    if (!link || !viewDialog || typeof viewDialog.showModal !== "function") { return; }
    event.preventDefault();
    currentRow = link.closest("[data-message-row]");
    ["business", "content", "channel", "sent-at"].forEach(function (field) {
      var key = field.replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); });
      viewDialog.querySelector('[data-field="' + field + '"]').textContent = link.dataset[key] || "";
    });
    if (link.dataset.readUrl) {
      readForm.action = link.dataset.readUrl;
      readButton.hidden = false;
    } else {
      readForm.removeAttribute("action");
      readButton.hidden = true;
    }
    window.portalDialog.open(viewDialog, link);
  });

  if (readForm) {
    readForm.addEventListener("submit", function (event) {
      event.preventDefault();
      readButton.disabled = true;
      postForm(readForm).then(function (data) {
        viewDialog.close();
        var row = currentRow;
        var id = row && row.dataset.messageRow;
        if (id) {
          var readTable = document.querySelector('[data-message-list="read"] tbody');
          rowsOf(id).forEach(function (each) {
            var list = each.closest("[data-message-list]");
            if (list && list.dataset.messageList === "unread") {
              each.remove();
              refreshEmpty(list);
            }
          });
          // On the home page the message moves to the top of 已阅, opening with 关闭 only.
          if (readTable && row) {
            var view = row.querySelector("[data-message-view]");
            if (view) { delete view.dataset.readUrl; }
            readTable.prepend(row);
            refreshEmpty(readTable.closest("[data-message-list]"));
          }
        }
        setUnreadCount(data.unread_count);
        showNotice(data.notice);
      }).catch(function () {}).finally(function () { readButton.disabled = false; });
    });
  }

  // 删除: 是/否 first, like 退出.
  var deleteDialog = document.getElementById("message-delete-dialog");
  var deleteForm = deleteDialog && deleteDialog.querySelector("[data-message-delete-form]");
  var deleteRow = null;

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-message-delete]");
    if (!link || !deleteDialog || typeof deleteDialog.showModal !== "function") { return; }
    event.preventDefault();
    deleteRow = link.closest("[data-message-row]");
    deleteForm.action = link.dataset.deleteUrl;
    window.portalDialog.open(deleteDialog, link);
  });

  if (deleteForm) {
    var deleteButton = deleteForm.querySelector("[type=submit]");
    deleteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      // One request per 是: a second click while it runs would find the message gone (404).
      if (deleteButton.disabled) { return; }
      deleteButton.disabled = true;
      postForm(deleteForm).then(function (data) {
        deleteDialog.close();
        if (deleteRow) {
          rowsOf(deleteRow.dataset.messageRow).forEach(function (each) {
            var list = each.closest("[data-message-list]");
            each.remove();
            if (list) { refreshEmpty(list); }
          });
        }
        setUnreadCount(data.unread_count);
        showNotice(data.notice);
      }).catch(function () {}).finally(function () { deleteButton.disabled = false; });
    });
  }

  // 关闭音效 / 开启音效: posts the wanted state; the label comes from the server's answer.
  var soundForm = document.querySelector("[data-sound-form]");
  if (soundForm) {
    soundForm.addEventListener("submit", function (event) {
      event.preventDefault();
      postForm(soundForm).then(function (data) {
        var button = document.querySelector("[data-sound-toggle]");
        soundForm.dataset.soundOn = data.sound_on ? "true" : "false";
        soundForm.querySelector("[data-sound-value]").value = data.sound_on ? "off" : "on";
        button.textContent = data.sound_on ? button.dataset.labelOn : button.dataset.labelOff;
        showNotice(data.notice);
      }).catch(function () {});
    });
  }

  // The notification sound plays once for unread messages that arrived since
  // this browser last showed the home page. "Last heard" is the newest unread
  // id kept in localStorage rather than on the server: a GET must not change
  // state, and posting a "seen" on every page view would be a write per visit
  // for a sound. Another device chimes once for the same message, which is fine.
  // 长辈模式 plays nothing the member did not ask for (适老化: no sound or pop-up by itself).
  var chime = document.querySelector("[data-chime]");
  if (chime && !document.documentElement.classList.contains("elder")) {
    var newest = parseInt(chime.dataset.newest, 10) || 0;
    var key = chime.dataset.heardKey;
    var heard = 0;
    try { heard = parseInt(window.localStorage.getItem(key), 10) || 0; } catch (e) { heard = newest; }
    if (newest > heard) {
      try { window.localStorage.setItem(key, String(newest)); } catch (e) { /* private mode: no memory, no sound loop */ }
      if (soundForm && soundForm.dataset.soundOn === "true") {
        var audio = new Audio(chime.dataset.src);
        // Browsers block sound before the member interacts with the page: then it simply stays silent.
        audio.play().catch(function () {});
      }
    }
  }
})();
