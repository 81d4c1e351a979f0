// The chart of the 党费 overview (drawn by js/charts.js from the JSON block it names):
// {labels, series: [{name, values}]} — arrears by organization as bars (no person named).
(function () {
  "use strict";

  var COLORS = ["#c8102e", "#1f5fa8"];

  window.dangjianCharts.drawAll(".dues-chart[data-source]", "280px", function (data) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    return {
      grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0 },
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
      yAxis: [{ type: "value", minInterval: 1 }],
      series: data.series.map(function (s, i) {
        return {
          name: s.name,
          type: "bar",
          data: s.values,
          itemStyle: { color: COLORS[i % COLORS.length] },
        };
      }),
    };
  });
})();
