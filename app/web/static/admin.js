// Coordinators' area: live SMS segment count while typing (the server shows the saved count).
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXT = "^{}\\[~]|€\f";
  function segments(text) {
    if (!text) return 0;
    var units = 0, gsm = true;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (GSM.indexOf(ch) >= 0) units += 1;
      else if (EXT.indexOf(ch) >= 0) units += 2;
      else { gsm = false; break; }
    }
    if (!gsm) {
      units = text.length; // UTF-16 code units, as UCS-2 SMS counts them
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
    return units <= 160 ? 1 : Math.ceil(units / 153);
  }
  document.querySelectorAll("textarea[data-sms]").forEach(function (area) {
    var card = area.closest(".card");
    var badge = card && card.querySelector("[data-segments]");
    if (!badge) return;
    var template = badge.textContent.replace(/\d+/, "{n}");
    area.addEventListener("input", function () { badge.textContent = template.replace("{n}", segments(area.value)); });
  });
})();
