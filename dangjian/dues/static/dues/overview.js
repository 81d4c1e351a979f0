// The chart of the 党费 overview (drawn by js/charts.js from the JSON block it names):
// {labels, series: [{name, values}]} — arrears by organization as bars (no person named).
"use strict";

window.dangjianCharts.drawAll(".dues-chart[data-source]", "280px", function (data) {
  return window.dangjianCharts.categoryChart(data, {
    top: 48,
    yAxis: [{ type: "value", minInterval: 1 }],
    series: window.dangjianCharts.seriesOf(data.series, "bar", ["#c8102e", "#1f5fa8"]),
  });
});
