// Charts of the 发展党员 dashboard (drawn by js/charts.js from the JSON data block next to each
// chart). data-kind="bar": {labels, values}; data-kind="bars": {labels, series: [{name, values}]}.
(function () {
  "use strict";

  var charts = window.dangjianCharts;
  var COLORS = ["#c8102e", "#1f5fa8", "#a36200"];
  var LABEL = { label: { show: true, position: "top", fontSize: 10 } };

  charts.drawAll(".recruit-chart[data-source]", "240px", function (data, el) {
    var list =
      el.getAttribute("data-kind") === "bars" ? data.series : [{ name: "案例数", values: data.values }];
    var series = charts.seriesOf(list, "bar", COLORS, LABEL);
    return charts.categoryChart(data, {
      top: series.length > 1 ? 48 : 28,
      legend: { show: series.length > 1, top: 0 },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    });
  });
})();
