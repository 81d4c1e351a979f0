// Charts of the 发展党员 dashboard, drawn from the JSON data blocks next to each chart (no inline
// script or style: the pages run under a strict Content-Security-Policy; sizes go through the
// CSSOM). data-kind="bar": {labels, values}; data-kind="bars": {labels, series: [{name, values}]}.
(function () {
  "use strict";

  var COLORS = ["#c8102e", "#1f5fa8", "#a36200"];

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels || data.labels.length === 0) {
      return;
    }
    var series;
    if (el.getAttribute("data-kind") === "bars") {
      series = data.series.map(function (s, i) {
        return {
          name: s.name,
          type: "bar",
          data: s.values,
          itemStyle: { color: COLORS[i % COLORS.length] },
          label: { show: true, position: "top", fontSize: 10 },
        };
      });
    } else {
      series = [
        {
          name: "案例数",
          type: "bar",
          data: data.values,
          itemStyle: { color: COLORS[0] },
          label: { show: true, position: "top", fontSize: 10 },
        },
      ];
    }
    el.style.width = "100%";
    el.style.height = "240px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: series.length > 1 ? 48 : 28, bottom: 8, containLabel: true },
      legend: { show: series.length > 1, top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText" },
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
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    var charts = document.querySelectorAll(".recruit-chart[data-source]");
    for (var i = 0; i < charts.length; i++) {
      draw(charts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
