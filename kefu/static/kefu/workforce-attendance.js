// Charts of the attendance board (ECharts), fed by the json_script block of the page.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("attendance-trend-data").textContent);
  var palette = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816", "#4299e1"];
  var charts = [];
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    option.color = palette;
    c.setOption(option);
    charts.push(c);
  }
  chart("chart-attendance-rate", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    legend: {type: "scroll", top: 0},
    grid: grid,
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
    series: data.teams.map(function (t) {
      return {name: t.team, type: "line", data: t.rate, connectNulls: true, symbolSize: 7};
    })
  });
  chart("chart-attendance-late", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {type: "scroll", top: 0},
    grid: grid,
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", minInterval: 1, name: data.labels.late},
    series: data.teams.map(function (t) {
      return {name: t.team, type: "bar", data: t.late, barMaxWidth: 24};
    })
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
