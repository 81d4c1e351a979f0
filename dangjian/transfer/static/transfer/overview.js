// The chart of the 转接在途 page (drawn by js/charts.js from the JSON block it names):
// {labels, in_transit, overdue} — transfers in transit by organization, the overdue among them.
"use strict";

window.dangjianCharts.drawAll(".transfer-chart[data-source]", "260px", function (data) {
  return window.dangjianCharts.categoryChart(data, {
    top: 32,
    yAxis: { type: "value", minInterval: 1, name: "件" },
    series: [
      { name: "在途", type: "bar", data: data.in_transit, itemStyle: { color: "#1f5fa8" } },
      { name: "其中超期", type: "bar", data: data.overdue, itemStyle: { color: "#c8102e" } },
    ],
  });
});
