// Bar charts drawn with ECharts from the JSON data block each chart element names in
// data-source (no inline script, no inline style: the pages run under a strict
// Content-Security-Policy; sizes are set through the CSSOM). A page's script calls
// dangjianCharts.drawAll(selector, height, optionFor): optionFor(data, element) gives the chart's
// options (or null: nothing to draw); a data block without labels draws nothing; animation and the
// axis tooltip are the same on every chart. categoryChart and seriesOf build the options most pages
// share: one category per organization (month, stage…) on the x axis.
(function () {
  "use strict";

  function draw(el, height, optionFor) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels || data.labels.length === 0) {
      return;
    }
    var option = optionFor(data, el);
    if (!option) {
      return;
    }
    option.animation = false;
    // the axis tooltip, unless the chart brings its own (a map's is per item)
    option.tooltip = option.tooltip || { trigger: "axis", renderMode: "richText" };
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

  // The options of a chart with data.labels on the x axis, turned when there are more than four and
  // cut at 72px (fullLabels: not cut). o: top (the grid's top margin), yAxis, series, and legend
  // (default {top: 0}; null: none).
  function categoryChart(data, o) {
    var axisLabel = { fontSize: 10, interval: 0, rotate: data.labels.length > 4 ? 30 : 0 };
    if (!o.fullLabels) {
      axisLabel.width = 72;
      axisLabel.overflow = "truncate";
    }
    var option = {
      grid: { left: 8, right: 8, top: o.top, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: axisLabel },
      yAxis: o.yAxis,
      series: o.series,
    };
    var legend = o.legend === undefined ? { top: 0 } : o.legend;
    if (legend !== null) {
      option.legend = legend;
    }
    return option;
  }

  // One series of the given type per {name, values} of list, coloured in turn from colors; the
  // fields of extra (if any) are added to each.
  function seriesOf(list, type, colors, extra) {
    return list.map(function (s, i) {
      var one = {
        name: s.name,
        type: type,
        data: s.values,
        itemStyle: { color: colors[i % colors.length] },
      };
      for (var key in extra || {}) {
        one[key] = extra[key];
      }
      return one;
    });
  }

  window.dangjianCharts = { drawAll: drawAll, categoryChart: categoryChart, seriesOf: seriesOf };
})();
