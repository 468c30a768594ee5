// Online applications: progressive enhancement only (the forms work without it;
// a double submission is stopped by the database either way).
(function () {
  "use strict";

  // One submission per form: a second click while the first is on its way does nothing.
  // (Buttons are not disabled: that would drop the clicked button's name, e.g. action=trial.)
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      window.setTimeout(function () { form.dataset.submitting = "false"; }, 5000);
    });
  });

  // 离退休提取 takes the whole balance: fill it in and lock the amount while it is chosen.
  var form = document.querySelector("[data-withdrawal-form]");
  if (!form) { return; }
  var amount = form.querySelector("input[name=amount]");
  var balance = form.dataset.balance;
  function sync() {
    var chosen = form.querySelector("input[name=withdrawal_kind]:checked");
    var retirement = chosen && chosen.value === "retirement";
    if (retirement) {
      amount.value = balance;
    } else if (amount.readOnly) {
      amount.value = "";
    }
    amount.readOnly = retirement;
  }
  form.querySelectorAll("input[name=withdrawal_kind]").forEach(function (radio) {
    radio.addEventListener("change", sync);
  });
  sync();
})();
