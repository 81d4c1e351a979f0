// The chart of the 教育培训 figures page (drawn by js/charts.js from the JSON block it names):
// {labels, shares} — the share (%) of members who reached their yearly hours, one bar per
// organization, sector or region. Organization-level figures only: no person is charted.
(function () {
  "use strict";

  window.dangjianCharts.drawAll(".training-chart[data-source]", "280px", function (data) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    return {
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
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
      yAxis: { type: "value", min: 0, max: 100, name: "达标比例（%）" },
      series: [
        {
          name: "达到规定学时的党员比例（%）",
          type: "bar",
          data: data.shares,
          itemStyle: { color: "#c8102e" },
        },
      ],
    };
  });
})();
