// Bar charts drawn with ECharts from the JSON data block each chart element names in
// data-source (no inline script, no inline style: the pages run under a strict
// Content-Security-Policy; sizes are set through the CSSOM). A page's script calls
// dangjianCharts.drawAll(selector, height, optionFor): optionFor(data, element) gives the chart's
// options (or null: nothing to draw); animation and the axis tooltip are the same on every chart.
(function () {
  "use strict";

  function draw(el, height, optionFor) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var option = optionFor(JSON.parse(source.textContent), el);
    if (!option) {
      return;
    }
    option.animation = false;
    option.tooltip = { trigger: "axis", renderMode: "richText" };
    el.style.width = "100%";
    el.style.height = height;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function drawAll(selector, height, optionFor) {
    function start() {
      var charts = document.querySelectorAll(selector);
      for (var i = 0; i < charts.length; i++) {
        draw(charts[i], height, optionFor);
      }
    }

    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }

  window.dangjianCharts = { drawAll: drawAll };
})();
