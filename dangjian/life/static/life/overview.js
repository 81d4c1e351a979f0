// Completion charts of the 组织生活 overview: one bar chart per rule, its completion rate per
// period (drawn by js/charts.js from the JSON data block next to each chart).
(function () {
  "use strict";

  window.dangjianCharts.drawAll(".life-chart[data-source]", "220px", function (data) {
    return {
      grid: { left: 40, right: 12, top: 24, bottom: 28 },
      xAxis: { type: "category", data: data.labels, axisLabel: { fontSize: 11 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: "完成率",
          type: "bar",
          data: data.rates,
          itemStyle: { color: "#c8102e" },
          label: { show: true, position: "top", formatter: "{c}%", fontSize: 10 },
        },
      ],
    };
  });
})();
