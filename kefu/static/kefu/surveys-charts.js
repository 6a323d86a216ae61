// Charts of the survey pages (ECharts), fed by their json_script blocks: the RATER trend and CSAT on the
// list, the dimensions and teams of one survey on its page.
document.addEventListener("DOMContentLoaded", function () {
  var palette = ["#206bc4", "#2fb344", "#f59f00", "#ae3ec9", "#d63939"];
  var grid = {left: 8, right: 12, top: 40, bottom: 8, containLabel: true};
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    option.color = option.color || palette;
    c.setOption(option);
    charts.push(c);
  }
  var trend = document.getElementById("surveys-trend-data");
  if (trend) {
    var t = JSON.parse(trend.textContent);
    chart("chart-rater", {
      tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 0}, grid: grid,
      xAxis: {type: "category", data: t.rater.months},
      yAxis: {type: "value", min: 1, max: 5},
      series: t.rater.series.map(function (s) { return {name: s.name, type: "line", data: s.data, connectNulls: false}; })
    });
    chart("chart-csat", {
      tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 0}, grid: grid,
      xAxis: {type: "category", data: t.csat.months},
      yAxis: [{type: "value", min: 1, max: 5}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
      series: [
        {name: t.labels.avg, type: "line", data: t.csat.avg},
        {name: t.labels.satisfied, type: "bar", yAxisIndex: 1, barMaxWidth: 28,
         data: t.csat.satisfied.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; })}
      ]
    });
  }
  var detail = document.getElementById("survey-detail-data");
  if (detail) {
    var d = JSON.parse(detail.textContent);
    chart("chart-dimensions", {
      tooltip: {}, radar: {indicator: d.dimensions.map(function (x) { return {name: x.name, min: 0, max: 5}; })},
      series: [{type: "radar", data: [{value: d.dimensions.map(function (x) { return x.avg; }), name: ""}],
                areaStyle: {opacity: 0.2}}]
    });
    chart("chart-teams", {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}, legend: {type: "scroll", top: 0}, grid: grid,
      xAxis: {type: "category", data: d.teams.map(function (x) { return x.name; })},
      yAxis: {type: "value", min: 0, max: 5},
      series: d.codes.map(function (code, i) {
        return {name: d.names[i], type: "bar", barMaxWidth: 22, data: d.teams.map(function (x) { return x[code]; })};
      })
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
