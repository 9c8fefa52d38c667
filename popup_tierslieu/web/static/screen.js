/* The room's screen: its panels take turns, one at a time, so that a TV never needs
   scrolling. The turn survives live.js swapping the panels for fresh ones. */
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) { return; }
  var SECONDS = 10, turn = 0;

  function show() {
    var panels = box.querySelectorAll(".panel");
    if (!panels.length) { return; }
    turn = turn % panels.length;
    for (var i = 0; i < panels.length; i++) { panels[i].hidden = i !== turn; }
  }

  document.body.classList.add("turns");
  box.addEventListener("live:updated", show);
  setInterval(function () { turn += 1; show(); }, SECONDS * 1000);
  show();
})();
