(function () {
  "use strict";
  var table = document.getElementById("findings"), form = document.getElementById("filters");
  var count = document.getElementById("count");
  if (!table || !form) { return; }
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var fields = ["severity", "measure", "site", "rule", "path"];

  function wanted() {
    var w = {};
    fields.forEach(function (k) { w[k] = form.elements[k].value.trim(); });
    return w;
  }
  function apply() {
    var w = wanted(), shown = 0;
    rows.forEach(function (r) {
      var d = r.dataset;
      var ok = (!w.severity || d.severity === w.severity) && (!w.measure || d.measure === w.measure) &&
        (!w.site || d.site === w.site) && (!w.rule || d.rule.toLowerCase().indexOf(w.rule.toLowerCase()) >= 0) &&
        (!w.path || d.path.toLowerCase().indexOf(w.path.toLowerCase()) >= 0);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
    document.body.setAttribute("data-shown", String(shown));
    var q = fields.filter(function (k) { return w[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(w[k]); }).join("&");
    if (history.replaceState) { history.replaceState(null, "", q ? "#" + q : location.pathname + location.search); }
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, "");
    h.split("&").forEach(function (pair) {
      var i = pair.indexOf("="), k = pair.slice(0, i), v = pair.slice(i + 1);
      if (k === "sort") {             // sort=values (descending) or sort=location:asc
        var spec = decodeURIComponent(v).split(":");
        var th = table.tHead.querySelector('th[data-name="' + spec[0].replace(/[^a-z]/g, "") + '"]');
        if (th) { sortBy(th, spec[1] !== "asc"); }
      } else if (i > 0 && fields.indexOf(k) >= 0) {
        try { form.elements[k].value = decodeURIComponent(v.replace(/\+/g, " ")); } catch (e) { /* bad escape */ }
      }
    });
  }
  function sortBy(th, desc) {
    var col = +th.getAttribute("data-col"), num = th.hasAttribute("data-num");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.classList.remove("asc", "desc"); });
    th.classList.add(desc ? "desc" : "asc");
    function key(r) {
      var c = r.cells[col], k = c.hasAttribute("data-key") ? c.getAttribute("data-key") : c.textContent;
      return num ? parseFloat(k) || 0 : k.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), o = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -o : o;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (th.hasAttribute("data-col")) {
      th.addEventListener("click", function () { sortBy(th, !th.classList.contains("desc")); });
    }
  });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  var charts = document.querySelectorAll("img.chart"), drawn = 0;
  function chartsDrawn() {
    drawn = 0;
    Array.prototype.forEach.call(charts, function (img) { if (img.complete && img.naturalWidth > 0) { drawn += 1; } });
    document.body.setAttribute("data-charts", String(drawn));
  }
  Array.prototype.forEach.call(charts, function (img) { img.addEventListener("load", chartsDrawn); });
  fromHash();
  apply();
  chartsDrawn();
}());
