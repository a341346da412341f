// Copy buttons: <button class="copy" data-copy="ID" data-done="Tersalin">. Served from this
// server (the CSP allows no inline script); without it the link can still be selected by hand.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button.copy");
  if (!b) return;
  var field = document.getElementById(b.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  var done = function () { b.textContent = b.getAttribute("data-done"); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      document.execCommand("copy"); done();
    });
  } else {
    document.execCommand("copy"); done();
  }
});
