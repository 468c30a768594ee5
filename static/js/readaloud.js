// 朗读: reads the page's <main> aloud with the browser's own speech synthesis
// (window.speechSynthesis and a Chinese voice of the browser or the system).
// Nothing is sent anywhere. The button is rendered hidden and shown only once
// the browser reports a Chinese voice; 停止 (the same button) or Esc stops.
(function () {
  "use strict";
  var button = document.querySelector("[data-readaloud]");
  var main = document.querySelector("main");
  var synth = window.speechSynthesis;
  if (!button || !main || !synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }

  var LABEL = button.textContent;
  var LABEL_STOP = button.dataset.labelStop;
  // Chromium cuts an utterance off after about 15 s: speak sentences, one at a time.
  var MAX_CHUNK = 100;
  var SKIP = /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|SVG|CANVAS|AUDIO|VIDEO|IFRAME|OBJECT|INPUT|SELECT|TEXTAREA|BUTTON)$/;
  var BREAK = "\n";
  var voice = null;
  var run = 0; // the reading in progress (0: none); events of an older one are ignored
  var readings = 0;

  // A zh-CN voice first, then another Mandarin one, Cantonese (zh-HK) last.
  function score(candidate) {
    var lang = (candidate.lang || "").replace("_", "-").toLowerCase();
    if (lang === "zh-cn" || lang === "cmn-cn" || lang === "zh-hans-cn") { return 3; }
    if (/^(zh|cmn)(-|$)/.test(lang)) { return lang.indexOf("hk") === -1 ? 2 : 1; }
    return 0;
  }

  function pickVoice() {
    var best = null;
    (synth.getVoices() || []).forEach(function (candidate) {
      if (score(candidate) > (best ? score(best) : 0)) { best = candidate; }
    });
    voice = best;
    button.hidden = !voice;
    if (!voice && run) { stop(); }
  }

  function readable(el) {
    if (el.hidden || el.getAttribute("aria-hidden") === "true" || SKIP.test(el.tagName.toUpperCase())) { return false; }
    var style = window.getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden";
  }

  function isBlock(el) { return !/^inline/.test(window.getComputedStyle(el).display); }

  // The visible text under `node`, with BREAK between blocks.
  function collect(node, parts) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) { parts.push(child.nodeValue); return; }
      if (child.nodeType !== Node.ELEMENT_NODE || !readable(child)) { return; }
      if (child.tagName === "TABLE") {
        parts.push(BREAK);
        tableLines(child).forEach(function (line) { parts.push(line, BREAK); });
        return;
      }
      if (child.tagName === "BR") { parts.push(BREAK); return; }
      // A description list is read as "名称：值" too.
      var term = child.tagName === "DT" && child.nextElementSibling && child.nextElementSibling.tagName === "DD";
      var value = child.tagName === "DD" && child.previousElementSibling && child.previousElementSibling.tagName === "DT";
      var block = isBlock(child);
      parts.push(value ? "：" : block ? BREAK : "");
      if (child.tagName === "IMG" && child.alt) { parts.push(child.alt); }
      collect(child, parts);
      if (block && !term) { parts.push(BREAK); }
    });
    return parts;
  }

  function clean(text) { return text.replace(/\s+/g, " ").trim(); }

  // A cell's words on one line, without a closing full stop (the row adds its own).
  function cellText(cell) { return clean(collect(cell, []).join(" ")).replace(/[。，,;；\s]+$/, ""); }

  // A table is read row by row. A simple one (one header row, no merged cells,
  // every row as wide as the header) as "表头：值" pairs; a row that names its
  // own cells (th then td) the same way; anything else cell after cell.
  function tableLines(table) {
    var lines = [];
    if (table.caption && readable(table.caption)) { lines.push(cellText(table.caption)); }
    var rows = Array.prototype.filter.call(table.rows, readable);
    var merged = Array.prototype.some.call(table.querySelectorAll("th, td"), function (cell) {
      return cell.colSpan > 1 || cell.rowSpan > 1;
    });
    var head = rows.length && Array.prototype.every.call(rows[0].cells, function (cell) { return cell.tagName === "TH"; }) ? rows[0] : null;
    var headers = head ? Array.prototype.map.call(head.cells, cellText) : null;
    rows.forEach(function (row) {
      if (row === head) { return; }
      var cells = Array.prototype.filter.call(row.cells, readable);
      var pairs = [];
      if (headers && !merged && row.cells.length === headers.length) {
        cells.forEach(function (cell) {
          var value = cellText(cell);
          var header = headers[cell.cellIndex];
          if (value) { pairs.push(header && header !== value ? header + "：" + value : value); }
        });
      } else {
        for (var i = 0; i < cells.length; i += 1) {
          var text = cellText(cells[i]);
          var next = cells[i + 1];
          if (cells[i].tagName === "TH" && next && next.tagName === "TD") {
            text = text + "：" + cellText(next);
            i += 1;
          }
          if (text) { pairs.push(text); }
        }
      }
      if (pairs.length) { lines.push(pairs.join("，") + "。"); }
    });
    return lines;
  }

  // Sentences of at most MAX_CHUNK characters. Thousands separators go, so
  // "12,345.67" is read as one number.
  function chunks(text) {
    var out = [];
    text.split(BREAK).map(clean).filter(Boolean).forEach(function (line) {
      line = line.replace(/(\d),(?=\d{3}(\D|$))/g, "$1");
      (line.match(/[^。！？；!?;]+[。！？；!?;]*/g) || []).forEach(function (sentence) {
        while (sentence.length > MAX_CHUNK) {
          var cut = Math.max(sentence.lastIndexOf("，", MAX_CHUNK), sentence.lastIndexOf(",", MAX_CHUNK), sentence.lastIndexOf(" ", MAX_CHUNK));
          cut = cut > 0 ? cut + 1 : MAX_CHUNK;
          out.push(sentence.slice(0, cut));
          sentence = sentence.slice(cut);
        }
        var last = out.length ? out[out.length - 1] : null;
        // Short pieces ride together: fewer pauses between 表头 and 值.
        if (last !== null && last.length + sentence.length <= MAX_CHUNK && !/[。！？!?]$/.test(last)) {
          out[out.length - 1] = last + " " + sentence;
        } else if (sentence.trim()) {
          out.push(sentence.trim());
        }
      });
    });
    return out;
  }

  function speak(pieces, index, current) {
    if (current !== run) { return; }
    if (index >= pieces.length) { stop(); return; }
    var utterance = new window.SpeechSynthesisUtterance(pieces[index]);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    utterance.onend = function () { speak(pieces, index + 1, current); };
    utterance.onerror = function () { if (current === run) { stop(); } };
    synth.speak(utterance);
  }

  function start() {
    var pieces = chunks(collect(main, []).join(""));
    if (!pieces.length || !voice) { return; }
    synth.cancel();
    readings += 1;
    run = readings;
    button.textContent = LABEL_STOP;
    speak(pieces, 0, run);
  }

  function stop() {
    var wasReading = run !== 0;
    run = 0;
    button.textContent = LABEL;
    if (wasReading) { synth.cancel(); }
  }

  button.addEventListener("click", function () { if (run) { stop(); } else { start(); } });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && run) { stop(); }
  });
  // Leaving the page stops the voice (some browsers keep speaking otherwise).
  window.addEventListener("pagehide", function () { if (run) { stop(); } });

  // Voices load asynchronously: the list may be empty until voiceschanged.
  pickVoice();
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", pickVoice);
  } else {
    synth.onvoiceschanged = pickVoice;
  }
})();
