// The score chart of a course's exam results (ECharts), fed by the page's json_script block: attempts per
// score band, the bands at or above the pass mark in green.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("chart-scores");
  var source = document.getElementById("score-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var label = document.getElementById("label-attempts").textContent;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: data.labels},
    yAxis: {type: "value", minInterval: 1},
    series: [{
      name: label, type: "bar",
      data: data.values.map(function (v, i) {
        var low = parseInt(data.labels[i], 10);
        return {value: v, itemStyle: {color: low + 9 >= data.pass_mark ? "#2fb344" : "#d63939"}};
      })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
