// KPI page charts (ECharts), fed by the json_script block "kpi-data".
document.addEventListener("DOMContentLoaded", function () {
  var d = JSON.parse(document.getElementById("kpi-data").textContent);
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }
  chart("chart-kpi", {
    color: ["#206bc4", "#2fb344", "#f59f00"], tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {type: "scroll", top: 0}, grid: grid,
    xAxis: {type: "category", data: d.names, axisLabel: {hideOverlap: true}}, yAxis: {type: "value", min: 0, max: 100},
    series: [
      {name: d.labels.assessment, type: "bar", data: d.assessment, barMaxWidth: 28},
      {name: d.labels.fcr, type: "line", data: d.fcr},
      {name: d.labels.sla, type: "line", data: d.sla}
    ]
  });
  chart("chart-trend", {
    color: ["#206bc4"], tooltip: {trigger: "axis"}, grid: grid,
    xAxis: {type: "category", data: d.trend.days.map(function (x) { return x.slice(5); })},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: d.labels.resolved, type: "bar", data: d.trend.resolved, barMaxWidth: 22}]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
