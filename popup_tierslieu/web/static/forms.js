// Forms that are sent once: the submit button is disabled while the form is sending,
// so a double tap cannot send it twice (the server's one-time nonce covers the rest:
// no JavaScript, or Back then submit).
"use strict";
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    // After this tick, so that the browser still sends the form the button belongs to.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
  });
});
// Back to a page kept in the browser's memory: its form may be sent again (the server
// then answers the first registration), so its button works again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    delete form.dataset.sending;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
});
// A form sent back with errors marks its first wrong field "autofocus"; browsers skip
// autofocus when the address has an anchor (the form's own, which opened the page at
// the form without JavaScript), so focus it here.
(function () {
  var first = document.querySelector("[autofocus]");
  if (first && document.activeElement === document.body) {
    first.focus();
  }
})();
