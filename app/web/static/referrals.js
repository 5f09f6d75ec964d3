// Case page: the "insert referral" picker adds the chosen directory entry to the reply box.
(function () {
  "use strict";
  var picker = document.getElementById("referral");
  var reply = document.getElementById("reply");
  if (!picker || !reply) return;
  picker.addEventListener("change", function () {
    if (picker.value) {
      // Append, so an operator can add a place after typing a greeting.
      reply.value = reply.value ? reply.value.replace(/\s+$/, "") + "\n\n" + picker.value : picker.value;
      reply.focus();
    }
    picker.value = "";
  });
})();
