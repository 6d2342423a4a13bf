// Small progressive enhancements; every page works without them.
(function () {
  // Scrollable code blocks (JSON) take keyboard focus, so they can be scrolled without a mouse;
  // so do tables too wide for the window when nothing inside them can take focus.
  var focusable = "a[href], button, input, select, textarea, [tabindex]";
  document.querySelectorAll("pre.json, .table-container, .card").forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if ((box.tagName === "PRE" || scrolls) && !box.hasAttribute("tabindex") && !box.querySelector(focusable)) box.setAttribute("tabindex", "0");
  });
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
  // Confirm before submitting: <form data-confirm="Really?">, or per button <button data-confirm="...">.
  // In the text, {count} is the number of ticked boxes named by data-confirm-count (no box
  // ticked: no question, the server says what is missing) and {choice} the picked option.
  document.addEventListener("submit", function (e) {
    var form = e.target, by = e.submitter;
    var asker = by && by.hasAttribute("data-confirm") ? by : (form.hasAttribute("data-confirm") ? form : null);
    if (!asker) return;
    var text = asker.getAttribute("data-confirm"), countName = asker.getAttribute("data-confirm-count");
    if (countName) {
      var ticked = form.querySelectorAll('input[type=checkbox][name="' + countName + '"]:checked').length;
      if (!ticked) return;
      text = text.replace("{count}", ticked === 1 ? "1 key" : ticked + " keys");
    }
    var select = form.querySelector("select");
    if (select && select.selectedIndex >= 0) text = text.replace("{choice}", select.options[select.selectedIndex].text);
    if (!window.confirm(text)) e.preventDefault();
  });
  // Error summary (inc/form_errors.html): bring the first field in error into view and focus
  // it; each link in the summary focuses its field (a composite widget: its first input).
  function fieldFor(id) {
    var el = document.getElementById(id);
    if (el && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(el.tagName)) el = el.querySelector("input, select, textarea") || el;
    return el;
  }
  function focusField(el) {
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    if (el.focus) el.focus({ preventScroll: true });
  }
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.querySelectorAll("a[data-error-link]").forEach(function (a) {
      a.addEventListener("click", function (e) { var el = fieldFor(a.getAttribute("href").slice(1)); if (el) { e.preventDefault(); focusField(el); } });
    });
    var first = summary.querySelector("a[data-error-link]");
    var form = summary.closest("form");
    var target = first ? fieldFor(first.getAttribute("href").slice(1)) : null;
    if (!target && form) target = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (target) focusField(target); else summary.scrollIntoView({ block: "start" });
  }
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
  // Searchable model picker over a comma-separated text input (which stays the form value):
  // <input data-model-picker data-models-url="/keys/models.json" data-team-select="#id_team_id">
  document.querySelectorAll("input[data-model-picker]").forEach(function (input) {
    var url = input.getAttribute("data-models-url");
    var team = document.querySelector(input.getAttribute("data-team-select"));
    var box = document.createElement("div"); box.className = "picker";
    var chips = document.createElement("ul"); chips.className = "picker-chips"; chips.setAttribute("aria-label", "Chosen models");
    var search = document.createElement("input");
    search.type = "text"; search.id = input.id + "-search"; search.autocomplete = "off";
    search.placeholder = "Type to search models"; search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list"); search.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul"); list.id = input.id + "-options"; list.className = "picker-options";
    list.setAttribute("role", "listbox"); list.hidden = true; search.setAttribute("aria-controls", list.id);
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) label.htmlFor = search.id;
    input.type = "hidden";
    input.parentNode.insertBefore(box, input);
    box.appendChild(chips); box.appendChild(search); box.appendChild(list);
    var active = -1, timer = null, seq = 0;
    function chosen() { return input.value.split(",").map(function (m) { return m.trim(); }).filter(Boolean); }
    function setChosen(names) { input.value = names.join(", "); drawChips(); }
    function drawChips() {
      chips.textContent = "";
      chosen().forEach(function (name) {
        var li = document.createElement("li"); li.className = "chip"; li.textContent = name + " ";
        var x = document.createElement("button"); x.type = "button"; x.className = "chip-remove"; x.textContent = "\u00d7";
        x.setAttribute("aria-label", "Remove " + name);
        x.addEventListener("click", function () { setChosen(chosen().filter(function (m) { return m !== name; })); search.focus(); });
        li.appendChild(x); chips.appendChild(li);
      });
    }
    function close() { list.hidden = true; search.setAttribute("aria-expanded", "false"); search.removeAttribute("aria-activedescendant"); active = -1; }
    function pick(name) {
      var names = chosen(); if (names.indexOf(name) < 0) names.push(name);
      setChosen(names); search.value = ""; close(); search.focus();
    }
    function option(text, value, i) {
      var li = document.createElement("li"); li.id = list.id + "-" + i; li.setAttribute("role", "option");
      li.textContent = text; li.setAttribute("data-value", value);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(value); });
      return li;
    }
    function show(data) {
      list.textContent = ""; active = -1;
      var have = chosen(), text = search.value.trim(), i = 0;
      (data.models || []).forEach(function (m) { if (have.indexOf(m) < 0) list.appendChild(option(m, m, i++)); });
      // Every proxy model is allowed: a name the console does not know (config.yaml) may be typed.
      if (data.any && text && (data.models || []).indexOf(text) < 0 && have.indexOf(text) < 0) list.appendChild(option("Use \u201c" + text + "\u201d", text, i++));
      if (!i) { var none = document.createElement("li"); none.className = "muted"; none.textContent = "No matching models you may give this key."; list.appendChild(none); }
      if (data.more) { var more = document.createElement("li"); more.className = "muted"; more.textContent = "More match: keep typing."; list.appendChild(more); }
      list.hidden = false; search.setAttribute("aria-expanded", "true");
    }
    function load() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        var q = "?team=" + encodeURIComponent(team ? team.value : "") + "&q=" + encodeURIComponent(search.value.trim());
        fetch(url + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { models: [] }; })
          .then(function (data) { if (mine === seq && document.activeElement === search) show(data); })
          .catch(function () {});
      }, 150);
    }
    function move(step) {
      var opts = list.querySelectorAll("[role=option]"); if (!opts.length) return;
      if (active >= 0) opts[active].classList.remove("active");
      active = (active + step + opts.length) % opts.length;
      opts[active].classList.add("active"); opts[active].scrollIntoView({ block: "nearest" });
      search.setAttribute("aria-activedescendant", opts[active].id);
    }
    search.addEventListener("input", load);
    search.addEventListener("focus", load);
    search.addEventListener("blur", close);
    search.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) load(); else move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && !list.hidden) {
        // Enter picks the highlighted option instead of submitting the form.
        var opts = list.querySelectorAll("[role=option]");
        var target = active >= 0 ? opts[active] : (opts.length === 1 ? opts[0] : null);
        if (target) { e.preventDefault(); pick(target.getAttribute("data-value")); }
      } else if (e.key === "Backspace" && !search.value) { var names = chosen(); names.pop(); setChosen(names); }
    });
    if (team) team.addEventListener("change", function () { if (!list.hidden) load(); });
    drawChips();
  });
  // Entity filters' datalists (<datalist data-choices="/choices/team.json">) are sent empty and
  // filled from that URL on the field's first focus: a page does not carry 500 keys and users
  // for fields most views never touch. Without this, typing a name or id still filters.
  document.querySelectorAll("input[list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !list.hasAttribute("data-choices")) return;
    var fill = function () {
      input.removeEventListener("focus", fill);
      fetch(list.getAttribute("data-choices"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { choices: [] }; })
        .then(function (data) {
          var frag = document.createDocumentFragment();
          data.choices.forEach(function (c) {
            var o = document.createElement("option");
            o.value = c[0];
            o.label = c[1] || c[0];
            frag.appendChild(o);
          });
          list.appendChild(frag);
          list.setAttribute("data-loaded", "");
        });
    };
    input.addEventListener("focus", fill);
  });
})();
