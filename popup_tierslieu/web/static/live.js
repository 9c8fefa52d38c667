/* Live updates without reloading: on any server-sent event, re-fetch the page's
   server-rendered fragment and swap it in. Pages work without this script. */
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box || !window.fetch) { return; }
  var fragment = box.getAttribute("data-fragment");
  var stream = box.getAttribute("data-stream");
  /* Every event that changes what a page shows; "stats" (bare counts) changes nothing here
     and comes with every registration, so it does not make hundreds of pages re-fetch. */
  var EVENTS = ["workshop", "seats", "promoted", "swap", "note", "announcement",
                "meeting", "desk_request", "swap_workshop"];
  /* A page may ask for more: the room's screen shows the counts, so "stats" too. */
  EVENTS = EVENTS.concat((box.getAttribute("data-events") || "").split(" ").filter(Boolean));
  var timer = null, busy = false, again = false, source = null, retry = 1000, poll = null;

  function typing() {
    /* Never pull a form from under the visitor's fingers. */
    var el = document.activeElement;
    return el && box.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function watched() {
    var part = box.querySelector("[data-announce]");
    return part ? part.textContent.replace(/\s+/g, " ") : "";
  }

  function swap(html) {
    /* A screen reader hears that the visitor's own bookings changed (a promotion),
       not the whole programme read again. */
    var before = watched();
    box.innerHTML = html;
    box.setAttribute("data-updated", Date.now());
    box.dispatchEvent(new CustomEvent("live:updated"));
    var status = document.getElementById("live-status");
    if (status && before && watched() !== before) {
      status.textContent = status.getAttribute("data-message");
    }
  }

  function refresh() {
    if (busy || typing()) { again = true; return; }
    busy = true;
    fetch(fragment, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) { swap(html); }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; soon(); }
      });
  }

  function soon() {
    /* A burst of events (fifty registrations) makes one fetch per page, and the
       jitter spreads hundreds of open pages over a second instead of one instant. */
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; refresh(); }, 300 + Math.random() * 700);
  }

  function startPolling() {
    if (!poll) { poll = setInterval(refresh, 20000); }
  }

  function connect() {
    if (!window.EventSource || !stream) { startPolling(); return; }
    source = new EventSource(stream);
    source.onopen = function () {
      retry = 1000;
      if (poll) { clearInterval(poll); poll = null; }
      soon(); /* catch up on what happened while disconnected */
    };
    EVENTS.forEach(function (name) { source.addEventListener(name, soon); });
    source.onmessage = soon;
    source.onerror = function () {
      /* The browser retries by itself unless the stream is closed for good. */
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        startPolling();
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      }
    };
  }

  connect();
})();
