// The chart of the 流动党员和失联党员统计 page (drawn by js/charts.js from the JSON block it
// names): {labels, series: [{name, values}]} — one bar per series and organization.
(function () {
  "use strict";

  var charts = window.dangjianCharts;
  var COLORS = ["#1f5fa8", "#2e7d32", "#f0b429", "#e07b00", "#c8102e"];

  charts.drawAll(".mobile-chart[data-source]", "300px", function (data) {
    return charts.categoryChart(data, {
      top: 56,
      fullLabels: true,
      yAxis: { type: "value", minInterval: 1, name: "人数" },
      series: charts.seriesOf(data.series, "bar", COLORS),
    });
  });
})();
