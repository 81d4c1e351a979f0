// Charts of the 服务统计 page (drawn by js/charts.js from the JSON block each chart names):
// {labels, counts, series: [{name, values}]} — the order count as bars, the three rates (in %)
// as lines on a second axis.
(function () {
  "use strict";

  var COLORS = ["#c8102e", "#1f5fa8", "#2e7d32"];

  window.dangjianCharts.drawAll(".service-chart[data-source]", "260px", function (data) {
    if (!data.labels || data.labels.length === 0) {
      return null;
    }
    var series = [
      {
        name: "点单数",
        type: "bar",
        data: data.counts,
        itemStyle: { color: "#c9ced6" },
      },
    ].concat(
      data.series.map(function (s, i) {
        return {
          name: s.name,
          type: "line",
          yAxisIndex: 1,
          connectNulls: false,
          data: s.values,
          itemStyle: { color: COLORS[i % COLORS.length] },
        };
      })
    );
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
        { type: "value", minInterval: 1, name: "件" },
        { type: "value", min: 0, max: 100, name: "%" },
      ],
      series: series,
    };
  });
})();
