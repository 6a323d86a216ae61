// The roster's staffing advice and the plan proposal's coverage (kefu/workforce/templates/workforce/_staffing.html,
// plan_detail.html): required agents per hour (line) over the agents on shift (bars), a bar red when under,
// green when covered, orange when a whole agent or more over.
(function () {
  var COLORS = {under: "#d63939", ok: "#2fb344", over: "#f76707"};
  function draw() {
    var node = document.getElementById("staffing-data");
    var box = document.getElementById("staffing-chart");
    if (!node || !box || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var old = echarts.getInstanceByDom(box);
    if (old) old.dispose();
    var chart = echarts.init(box);
    var labels = box.dataset;
    chart.setOption({
      tooltip: {trigger: "axis"}, legend: {bottom: 0},
      grid: {left: 8, right: 8, top: 16, bottom: 32, containLabel: true},
      xAxis: {type: "category", data: data.hours}, yAxis: {type: "value", minInterval: 1},
      series: [
        {name: labels.scheduledLabel || "on shift", type: "bar", barMaxWidth: 28,
         data: data.scheduled.map(function (v, i) { return {value: v, itemStyle: {color: COLORS[data.state[i]]}}; })},
        {name: labels.requiredLabel || "required", type: "line", step: "middle", symbol: "none",
         data: data.required, lineStyle: {width: 2, color: "#1d273b"}, itemStyle: {color: "#1d273b"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
  // the roster loads its staffing advice by HTMX: draw once the fragment is in
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "staffing") draw();
  });
})();
