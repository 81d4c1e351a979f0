// The chart of a 述职评议 page (drawn by js/charts.js from the JSON block it names):
// {labels, counts} — the number of organizations per grade (好/较好/一般/差). Organizations only:
// no person is ever charted or ranked.
"use strict";

window.dangjianCharts.drawAll(".review-chart[data-source]", "220px", function (data) {
  return window.dangjianCharts.categoryChart(data, {
    top: 32,
    yAxis: [{ type: "value", minInterval: 1, name: "组织数" }],
    series: [{ name: "组织数", type: "bar", data: data.counts, itemStyle: { color: "#c8102e" } }],
  });
});
