// /verify/: a certificate's QR code opens /verify/#<核验码>. The code rides in
// the fragment so that no server or proxy log ever sees it; this fills it in
// and asks (a POST, as if typed). Without JavaScript the verifier types it.
(function () {
  "use strict";
  var form = document.querySelector("[data-verify-form]");
  if (!form) { return; }

  function fromFragment() {
    var code;
    try {
      code = decodeURIComponent(window.location.hash.replace(/^#/, "")).trim();
    } catch (error) {
      code = "";  // a malformed escape: nothing to fill in, the verifier types it
    }
    if (!code) { return; }
    var field = form.querySelector("input[name=code]");
    field.value = code;
    // Drop the code from the address bar and the history entry.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    // Past the free tries the page asks for a captcha: then the verifier submits.
    if (form.querySelector("input[name=captcha_1]")) {
      form.querySelector("input[name=captcha_1]").focus();
    } else {
      form.submit();
    }
  }

  fromFragment();
  // The address opened again in a tab already on /verify/ changes only the fragment: no new page.
  window.addEventListener("hashchange", fromFragment);
}());
