// Charts of the ticket dashboard (ECharts), fed by the json_script block of the page.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("tickets-dashboard-data").textContent);
  var L = data.labels;
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  var days = data.days.map(function (d) { return d.slice(5); });  // MM-DD
  var palette = ["#206bc4", "#4299e1", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816"];
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    option.color = option.color || palette;
    c.setOption(option);
    charts.push(c);
  }
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  function stackedPerDay(series) {
    return {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {type: "scroll", top: 0},
      grid: grid,
      xAxis: {type: "category", data: days, axisLabel: {hideOverlap: true}},
      yAxis: {type: "value", minInterval: 1},
      series: series.map(function (s) {
        return {name: s.name, type: "bar", stack: "n", data: s.data, barMaxWidth: 28, emphasis: {focus: "series"}};
      })
    };
  }
  chart("chart-types", stackedPerDay(data.types));
  chart("chart-channels", stackedPerDay(data.channels));
  var s = data.sla;
  chart("chart-sla", {
    color: ["#2fb344", "#d63939", "#74b816", "#f76707"],
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {type: "scroll", top: 0},
    grid: grid,
    xAxis: {type: "category", data: days, axisLabel: {hideOverlap: true}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: L.first_met, type: "bar", stack: "first", data: s.first_met, barMaxWidth: 18},
      {name: L.first_breached, type: "bar", stack: "first", data: s.first_breached, barMaxWidth: 18},
      {name: L.resolution_met, type: "bar", stack: "resolution", data: s.resolution_met, barMaxWidth: 18},
      {name: L.resolution_breached, type: "bar", stack: "resolution", data: s.resolution_breached,
       barMaxWidth: 18}
    ]
  });
  chart("chart-causes", {
    tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
    legend: {type: "scroll", bottom: 0},
    series: [{type: "pie", radius: narrow ? ["30%", "60%"] : ["40%", "70%"], center: ["50%", "45%"],
              data: data.causes, label: {formatter: "{b}: {c}"}}]
  });
  chart("chart-status", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    grid: {left: 16, right: 32, top: 8, bottom: 8, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", inverse: true, data: data.open_by_status.map(function (r) { return r.name; }),
            axisLabel: {width: narrow ? 100 : 180, overflow: "truncate"}},
    series: [{name: L.tickets, type: "bar", barMaxWidth: 28, label: {show: true, position: "right"},
              data: data.open_by_status.map(function (r, i) {
                return {value: r.value, itemStyle: {color: ["#4299e1", "#206bc4", "#f59f00", "#ae3ec9", "#2fb344"][i % 5]}};
              })}]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
