// Charts of the 服务统计 page (drawn by js/charts.js from the JSON block each chart names):
// {labels, counts, series: [{name, values}]} — the order count as bars, the three rates (in %)
// as lines on a second axis.
(function () {
  "use strict";

  var charts = window.dangjianCharts;
  var COLORS = ["#c8102e", "#1f5fa8", "#2e7d32"];

  charts.drawAll(".service-chart[data-source]", "260px", function (data) {
    var counts = { name: "点单数", type: "bar", data: data.counts, itemStyle: { color: "#c9ced6" } };
    var rates = charts.seriesOf(data.series, "line", COLORS, { yAxisIndex: 1, connectNulls: false });
    return charts.categoryChart(data, {
      top: 48,
      yAxis: [
        { type: "value", minInterval: 1, name: "件" },
        { type: "value", min: 0, max: 100, name: "%" },
      ],
      series: [counts].concat(rates),
    });
  });
})();
