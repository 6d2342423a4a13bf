// Small progressive enhancements; every page works without them.
(function () {
  // Pages rendered by a POST that must not be re-POSTed on reload: <el data-replace-url="/path/">
  var replace = document.querySelector("[data-replace-url]");
  if (replace && window.history && history.replaceState) { history.replaceState(null, "", replace.getAttribute("data-replace-url")); }
  // Copy buttons: <button data-copy="#element-id">
  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.querySelector(btn.getAttribute("data-copy"));
      if (!el) return;
      var text = el.value !== undefined && el.tagName === "INPUT" ? el.value : el.textContent.trim();
      var done = function () { var old = btn.textContent; btn.textContent = "Copied"; setTimeout(function () { btn.textContent = old; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); }
      else { var t = document.createElement("textarea"); t.value = text; document.body.appendChild(t); t.select(); document.execCommand("copy"); t.remove(); done(); }
    });
  });
  // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + box.getAttribute("data-select-all") + '"]').forEach(function (c) { c.checked = box.checked; });
    });
  });
  // Confirm before submitting: <form data-confirm="Really?">
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault(); });
  });
  // Key/value row editors: <table data-kv-editor> with a template row <tr data-template hidden>
  document.querySelectorAll("[data-add-row]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var table = document.querySelector(btn.getAttribute("data-add-row"));
      var tpl = table.querySelector("tr[data-template]");
      var row = tpl.cloneNode(true); row.hidden = false; row.removeAttribute("data-template");
      row.querySelectorAll("input").forEach(function (i) { i.disabled = false; i.value = ""; });
      tpl.parentNode.appendChild(row);
    });
  });
})();
