// Charts of the team quality page (ECharts), fed by the json_script block of the page.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("quality-team-data").textContent);
  var palette = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816"];
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    var c = echarts.init(el);
    option.color = palette;
    c.setOption(option);
    charts.push(c);
  }
  chart("chart-distribution", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {type: "scroll", top: 0},
    grid: grid,
    xAxis: {type: "category", data: data.buckets},
    yAxis: {type: "value", minInterval: 1},
    series: data.distribution.map(function (s) { return {name: s.name, type: "bar", data: s.data, barMaxWidth: 32}; })
  });
  chart("chart-trend", {
    animation: false,
    tooltip: {trigger: "axis"},
    legend: {type: "scroll", top: 0},
    grid: grid,
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", min: 0, max: 100},
    series: data.trend.map(function (s) { return {name: s.name, type: "line", data: s.data, connectNulls: true, showSymbol: true, showAllSymbol: true, symbolSize: 8}; })
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
