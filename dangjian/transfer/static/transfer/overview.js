// The chart of the 转接在途 page (drawn by js/charts.js from the JSON block it names):
// {labels, in_transit, overdue} — transfers in transit by organization, the overdue among them.
(function () {
  "use strict";

  window.dangjianCharts.drawAll(".transfer-chart[data-source]", "260px", function (data) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    return {
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      xAxis: {
        type: "category",
        data: data.labels,
        axisLabel: { fontSize: 10, interval: 0, rotate: data.labels.length > 4 ? 30 : 0, width: 72, overflow: "truncate" },
      },
      yAxis: { type: "value", minInterval: 1, name: "件" },
      series: [
        { name: "在途", type: "bar", data: data.in_transit, itemStyle: { color: "#1f5fa8" } },
        { name: "其中超期", type: "bar", data: data.overdue, itemStyle: { color: "#c8102e" } },
      ],
    };
  });
})();
