// The chart of the 教育培训 figures page (drawn by js/charts.js from the JSON block it names):
// {labels, shares} — the share (%) of members who reached their yearly hours, one bar per
// organization, sector or region. Organization-level figures only: no person is charted.
"use strict";

window.dangjianCharts.drawAll(".training-chart[data-source]", "280px", function (data) {
  return window.dangjianCharts.categoryChart(data, {
    top: 32,
    legend: null,
    yAxis: { type: "value", min: 0, max: 100, name: "达标比例（%）" },
    series: [
      {
        name: "达到规定学时的党员比例（%）",
        type: "bar",
        data: data.shares,
        itemStyle: { color: "#c8102e" },
      },
    ],
  });
});
