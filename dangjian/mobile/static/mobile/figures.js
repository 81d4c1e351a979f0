// The chart of the 流动党员和失联党员统计 page (drawn by js/charts.js from the JSON block it
// names): {labels, series: [{name, values}]} — one bar per series and organization.
(function () {
  "use strict";

  var COLORS = ["#1f5fa8", "#2e7d32", "#f0b429", "#e07b00", "#c8102e"];

  window.dangjianCharts.drawAll(".mobile-chart[data-source]", "300px", function (data) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    return {
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      legend: { top: 0 },
      xAxis: {
        type: "category",
        data: data.labels,
        axisLabel: { fontSize: 10, interval: 0, rotate: data.labels.length > 4 ? 30 : 0 },
      },
      yAxis: { type: "value", minInterval: 1, name: "人数" },
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
