// The charts of the 两新组织覆盖 page (drawn by js/charts.js from the JSON blocks they name):
// data-kind="bars": {labels, organized, worked} — the two coverage rates (%) by region or sector;
// data-kind="grid": {labels (columns: the last two digits of a region code), rows (the upper
// region code), cells [[column, row, rate, name]]} — a map-like grid of the 组织覆盖率 by region
// (when the deployment supplies no region boundaries); data-kind="map": {labels, geo (a GeoJSON
// FeatureCollection, properties.code the region code), values [{name: code, value: rate, label}]}
// — the choropleth of the 组织覆盖率. Units only: no person.
"use strict";

var RATE_COLORS = { inRange: { color: ["#fde8e8", "#c8102e"] } };

window.dangjianCharts.drawAll(".lx-chart[data-source]", "280px", function (data, el) {
  if (el.getAttribute("data-kind") === "map") {
    window.echarts.registerMap("dangjian-regions", data.geo);
    var labels = {};
    data.values.forEach(function (v) {
      labels[v.name] = v.label;
    });
    return {
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          return (labels[p.name] || p.name) + "：" + (isNaN(p.value) ? "—" : p.value + "%");
        },
      },
      visualMap: {
        min: 0,
        max: 100,
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        text: ["100%", "0%"],
        inRange: RATE_COLORS.inRange,
      },
      series: [
        {
          name: "组织覆盖率",
          type: "map",
          map: "dangjian-regions",
          nameProperty: "code",
          roam: true,
          bottom: 40,
          label: { show: false },
          data: data.values.map(function (v) {
            return { name: v.name, value: v.value };
          }),
        },
      ],
    };
  }
  if (el.getAttribute("data-kind") === "grid") {
    return {
      grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.labels, splitArea: { show: true } },
      yAxis: { type: "category", data: data.rows, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: 100,
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        text: ["100%", "0%"],
        inRange: RATE_COLORS.inRange,
      },
      series: [
        {
          name: "组织覆盖率",
          type: "heatmap",
          data: data.cells,
          label: {
            show: true,
            fontSize: 10,
            formatter: function (p) {
              return p.value[3] + "\n" + p.value[2] + "%";
            },
          },
        },
      ],
    };
  }
  return window.dangjianCharts.categoryChart(data, {
    top: 36,
    yAxis: { type: "value", max: 100, name: "%" },
    series: [
      { name: "组织覆盖率", type: "bar", data: data.organized, itemStyle: { color: "#c8102e" } },
      { name: "工作覆盖率", type: "bar", data: data.worked, itemStyle: { color: "#1f5fa8" } },
    ],
  });
});
