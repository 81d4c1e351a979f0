// The chart of the 帮扶统计 page (drawn by js/charts.js from the JSON block it names):
// {labels, amounts, counts} — the help given (yuan) by organization as bars, the members on the
// register as a line on a second axis. Organizations only: no person is ever charted.
(function () {
  "use strict";

  window.dangjianCharts.drawAll(".care-chart[data-source]", "260px", function (data) {
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
    };
  });
})();
