/* The swap board, the desk requests and the announcements follow the page's live
   part: whenever live.js refreshes #live (on a server-sent event), every region
   marked data-live-fragment is re-fetched too. Pages work without this script. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch || !window.MutationObserver) { return; }

  function typing(region) {
    /* Never pull a form from under the visitor's fingers. */
    var el = document.activeElement;
    return el && region.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function refresh(region) {
    if (typing(region)) { return; }
    fetch(region.getAttribute("data-live-fragment"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || !region.parentNode) { return; }
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.firstElementChild;
        if (fresh) { region.parentNode.replaceChild(fresh, region); }
        else { region.hidden = true; }
      })
      .catch(function () {});
  }

  new MutationObserver(function () {
    var regions = document.querySelectorAll("[data-live-fragment]");
    for (var i = 0; i < regions.length; i++) { refresh(regions[i]); }
  }).observe(live, { attributes: true, attributeFilter: ["data-updated"] });
})();
