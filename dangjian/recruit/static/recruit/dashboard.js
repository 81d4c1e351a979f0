// Charts of the 发展党员 dashboard (drawn by js/charts.js from the JSON data block next to each
// chart). data-kind="bar": {labels, values}; data-kind="bars": {labels, series: [{name, values}]}.
(function () {
  "use strict";

  var COLORS = ["#c8102e", "#1f5fa8", "#a36200"];

  function bars(name, values, i) {
    return {
      name: name,
      type: "bar",
      data: values,
      itemStyle: { color: COLORS[i % COLORS.length] },
      label: { show: true, position: "top", fontSize: 10 },
    };
  }

  window.dangjianCharts.drawAll(".recruit-chart[data-source]", "240px", function (data, el) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    var series =
      el.getAttribute("data-kind") === "bars"
        ? data.series.map(function (s, i) {
            return bars(s.name, s.values, i);
          })
        : [bars("案例数", data.values, 0)];
    return {
      grid: { left: 8, right: 8, top: series.length > 1 ? 48 : 28, bottom: 8, containLabel: true },
      legend: { show: series.length > 1, top: 0 },
      xAxis: {
        type: "category",
        data: data.labels,
        axisLabel: {
          fontSize: 10,
          interval: 0,
          rotate: data.labels.length > 4 ? 30 : 0,
          width: 72,
          overflow: "truncate",
        },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    };
  });
})();
