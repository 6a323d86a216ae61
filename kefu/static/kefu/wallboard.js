// The wallboard (performance/wallboard.html): draws the per-hour chart and refreshes every figure from
// GET /api/v1/wallboard every few seconds (data-refresh), without reloading the page (ECharts setOption).
(function () {
  var root = document.querySelector("[data-testid=wallboard]");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("wallboard-labels").textContent);
  var chart = typeof echarts !== "undefined" ? echarts.init(document.getElementById("wb-chart"), "dark") : null;

  function pick(data, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, data);
  }

  function render(data) {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      if (name === "stale" || name === "causes") return;
      var value = pick(data, name);
      if (name === "at") value = String(value).slice(11, 19);
      el.textContent = value == null ? "—" : value;
    });
    var body = root.querySelector("[data-field=causes]");
    body.textContent = "";
    if (!data.causes.length) {
      var empty = document.createElement("tr");
      empty.innerHTML = "<td class=\"wb-sub\"></td>";
      empty.firstChild.textContent = labels.none;
      body.appendChild(empty);
    }
    data.causes.forEach(function (c) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      name.textContent = c.cause;
      var n = document.createElement("td");
      n.className = "text-end";
      n.textContent = c.today + " / " + c.week;
      tr.appendChild(name);
      tr.appendChild(n);
      body.appendChild(tr);
    });
    if (chart) {
      chart.setOption({
        backgroundColor: "transparent", tooltip: {trigger: "axis"}, legend: {top: 0, textStyle: {fontSize: 16}},
        grid: {left: 8, right: 8, top: 36, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: data.contacts.hours.map(function (h) { return h + ":00"; })},
        yAxis: {type: "value", minInterval: 1},
        series: [
          {name: labels.today, type: "bar", data: data.contacts.today_by_hour, itemStyle: {color: "#4dabf7"}},
          {name: labels.last_week, type: "line", data: data.contacts.last_week_by_hour, itemStyle: {color: "#adb5bd"}}
        ]
      });
    }
  }

  function refresh() {
    fetch(root.getAttribute("data-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { render(data); root.querySelector("[data-field=stale]").hidden = true; })
      .catch(function () { root.querySelector("[data-field=stale]").hidden = false; });
  }

  render(JSON.parse(document.getElementById("wallboard-data").textContent));
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  setInterval(refresh, 1000 * Number(root.getAttribute("data-refresh") || 10));
})();
