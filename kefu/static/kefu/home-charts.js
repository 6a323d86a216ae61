// The manager home page's charts (kefu/home/templates/home/home.html): open tickets by status, stacked by
// time-limit state (green within, amber near, red past), and follow-ups overdue per team (red bars).
(function () {
  function draw() {
    var node = document.getElementById("home-charts-data");
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var charts = [];
    var t = document.getElementById("chart-tickets");
    if (t) {
      var tickets = echarts.init(t);
      tickets.setOption({
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}, legend: {bottom: 0},
        grid: {left: 8, right: 8, top: 16, bottom: 32, containLabel: true},
        xAxis: {type: "category", data: data.tickets.categories}, yAxis: {type: "value", minInterval: 1},
        series: data.tickets.series.map(function (s) {
          return {name: s.name, type: "bar", stack: "tickets", data: s.data, barMaxWidth: 48,
                  itemStyle: {color: s.color}};
        })
      });
      charts.push(tickets);
    }
    var o = document.getElementById("chart-overdue");
    if (o) {
      var overdue = echarts.init(o);
      overdue.setOption({
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
        grid: {left: 8, right: 16, top: 8, bottom: 8, containLabel: true},
        xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: data.overdue.teams, inverse: true},
        series: [{type: "bar", barMaxWidth: 28, data: data.overdue.data, itemStyle: {color: "#d63939"}, label: {show: true, position: "right"}}]
      });
      charts.push(overdue);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
