// Report page charts (ECharts), fed by the json_script block "report-data": {kind, charts, labels}.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("report-data");
  if (!el) return;
  var d = JSON.parse(el.textContent), c = d.charts || {}, L = d.labels;
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  var charts = [];
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var e = echarts.init(node);
    e.setOption(option);
    charts.push(e);
  }
  function bars(id, categories, series) {
    chart(id, {tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}, legend: {type: "scroll", top: 0}, grid: grid,
      xAxis: {type: "category", data: categories, axisLabel: {hideOverlap: true}}, yAxis: {type: "value", minInterval: 1},
      series: series.map(function (s) { return {name: s[0], type: s[2] || "bar", data: s[1], barMaxWidth: 28}; })});
  }
  function pie(id, labels, values) {
    chart(id, {tooltip: {trigger: "item"}, legend: {type: "scroll", top: 0},
      series: [{type: "pie", radius: ["35%", "65%"], top: 30,
        data: labels.map(function (n, i) { return {name: n, value: values[i]}; })}]});
  }
  if (d.kind === "daily" && c.types) {
    bars("chart-a", c.types.labels.map(function (x) { return L.types[x] || x; }),
      [[L.created, c.types.created], [L.resolved, c.types.resolved]]);
    pie("chart-b", c.channels.labels.map(function (x) { return L.channels[x] || x; }), c.channels.created);
    if (c.shifts && c.shifts.labels.length) {  // per shift: created by type (stacked), stuck and difficult
      chart("chart-c", {tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}, legend: {type: "scroll", top: 0},
        grid: grid, xAxis: {type: "category", data: c.shifts.labels}, yAxis: {type: "value", minInterval: 1},
        series: c.shifts.types.map(function (t) {
          return {name: L.types[t] || t, type: "bar", stack: "created", data: c.shifts.series[t], barMaxWidth: 36};
        }).concat([{name: L.stuck, type: "line", data: c.shifts.stuck}, {name: L.difficult, type: "line", data: c.shifts.difficult}])});
    }
  } else if (d.kind === "weekly" && c.series) {
    bars("chart-a", c.days.map(function (x) { return x.slice(5); }),
      [[L.supervised, c.series.supervised], [L.handed, c.series.handed], [L.complaints, c.series.complaints],
       [L.callbacks, c.series.callbacks, "line"]]);
    pie("chart-b", c.causes.labels, c.causes.values);
  } else if (d.kind === "monthly" && c.teams) {
    bars("chart-a", c.teams, [[L.assessment, c.assessment], [L.previous, c.previous_assessment]]);
    if (c.csat) {
      chart("chart-b", {tooltip: {trigger: "axis"}, legend: {top: 0}, grid: grid,
        xAxis: {type: "category", data: c.csat.months}, yAxis: [{type: "value", min: 0, max: 5}, {type: "value", min: 0, max: 1}],
        series: [{name: L.csat, type: "line", data: c.csat.avg}, {name: L.satisfied, type: "bar", yAxisIndex: 1, data: c.csat.satisfied, barMaxWidth: 24}]});
    }
  }
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
});
