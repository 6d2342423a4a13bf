// The deployment form: show the provider-specific fields of the provider chosen only
// (every field stays in the page without JavaScript).
(function () {
  var select = document.querySelector('select[name="custom_llm_provider"]');
  if (!select) return;
  var sets = document.querySelectorAll("fieldset[data-provider]");
  function show() {
    sets.forEach(function (set) { set.hidden = set.getAttribute("data-provider") !== select.value; });
  }
  select.addEventListener("change", show);
  show();
})();
