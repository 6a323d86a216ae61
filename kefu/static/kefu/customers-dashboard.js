// Charts of the customer dashboard (ECharts), fed by the json_script block of the page.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var onTime = document.getElementById("label-on-time").textContent;
  var late = document.getElementById("label-late").textContent;
  var charts = [];
  function chart(id, option) {
    var c = echarts.init(document.getElementById(id));
    c.setOption(option);
    charts.push(c);
  }
  chart("chart-grades", {
    tooltip: {}, xAxis: {type: "category", data: data.grades.labels}, yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", data: data.grades.values, itemStyle: {color: "#206bc4"}}]
  });
  chart("chart-tiers", {
    tooltip: {trigger: "item"}, legend: {bottom: 0},
    series: [{type: "pie", radius: ["40%", "70%"], data: data.tiers}]
  });
  function stacked(labels, good, bad) {
    return {
      tooltip: {trigger: "axis"}, legend: {}, xAxis: {type: "category", data: labels},
      yAxis: {type: "value", minInterval: 1},
      series: [{name: onTime, type: "bar", stack: "n", data: good, itemStyle: {color: "#2fb344"}},
               {name: late, type: "bar", stack: "n", data: bad, itemStyle: {color: "#d63939"}}]
    };
  }
  chart("chart-weeks", stacked(data.weeks.labels, data.weeks.on_time, data.weeks.late));
  chart("chart-agents", stacked(data.agents.labels, data.agents.on_time, data.agents.late));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
