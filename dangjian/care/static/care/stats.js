// The chart of the 帮扶统计 page (drawn by js/charts.js from the JSON block it names):
// {labels, amounts, counts} — the help given (yuan) by organization as bars, the members on the
// register as a line on a second axis. Organizations only: no person is ever charted.
"use strict";

window.dangjianCharts.drawAll(".care-chart[data-source]", "260px", function (data) {
  return window.dangjianCharts.categoryChart(data, {
    top: 48,
    yAxis: [
      { type: "value", name: "元" },
      { type: "value", minInterval: 1, name: "人" },
    ],
    series: [
      { name: "帮扶金额", type: "bar", data: data.amounts, itemStyle: { color: "#c8102e" } },
      {
        name: "在册困难党员",
        type: "line",
        yAxisIndex: 1,
        data: data.counts,
        itemStyle: { color: "#1f5fa8" },
      },
    ],
  });
});
