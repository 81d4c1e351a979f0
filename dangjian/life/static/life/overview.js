// Completion charts of the 组织生活 overview: one bar chart per rule, drawn on a canvas from the
// JSON data block next to it (no inline script, no inline style: the page runs under a strict
// Content-Security-Policy; sizes are set through the CSSOM).
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    el.style.width = "100%";
    el.style.height = "220px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 12, top: 24, bottom: 28 },
      tooltip: { trigger: "axis", renderMode: "richText" },
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
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    var charts = document.querySelectorAll(".life-chart[data-source]");
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
