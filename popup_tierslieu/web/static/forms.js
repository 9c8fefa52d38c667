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
// Photos are shrunk on the phone before they are sent (a phone photo is often above
// the server's limit, and a small one travels faster on the event's Wi-Fi). Anything
// the browser cannot decode (HEIC) is sent as it is: the server says what is wrong,
// keeping the note. Without JavaScript the server's limits apply as they are.
(function () {
  if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) {
    return;
  }
  function shrink(input, maxSide, maxBytes) {
    var file = input.files && input.files[0];
    if (!file || !/^image\//.test(file.type)) {
      return Promise.resolve();
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= maxBytes) {
        return null;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (blob && blob.size < file.size) {
            var smaller = new DataTransfer();
            smaller.items.add(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg",
                                       { type: "image/jpeg" }));
            input.files = smaller.files;
          }
          resolve();
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return null; });
  }
  document.querySelectorAll("form[data-resize-photos]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.resized) {
        return;
      }
      event.preventDefault();
      var maxSide = Number(form.dataset.maxSide) || 1600;
      var maxBytes = Number(form.dataset.maxBytes) || 8388608;
      var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
      Promise.all(inputs.map(function (input) { return shrink(input, maxSide, maxBytes); }))
        .then(function () {
          form.dataset.resized = "1";
          form.submit();
        });
    });
  });
})();
