// newsindex: small conveniences only; every page works without JavaScript.
(function () {
  "use strict";
  var box = document.getElementById("q");
  // "/" focuses the search box (as on many sites), unless typing in a field already.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key === "/" && box && tag !== "INPUT" && tag !== "TEXTAREA") {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
  // On the error page, put the caret where the query went wrong.
  var at = document.querySelector(".error-at");
  var pos = document.querySelector("[data-error-position]");
  if (box && at && pos) {
    var n = parseInt(pos.getAttribute("data-error-position"), 10);
    if (!isNaN(n)) {
      box.focus();
      box.setSelectionRange(n, n + 1);
    }
  }
})();
