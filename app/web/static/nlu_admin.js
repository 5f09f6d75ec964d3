// NLU page: while a candidate model trains, reload every 5 s so the comparison appears by itself.
(function () {
  "use strict";
  var box = document.querySelector("[data-nlu-status='training']");
  if (box) setTimeout(function () { window.location.reload(); }, 5000);
})();
