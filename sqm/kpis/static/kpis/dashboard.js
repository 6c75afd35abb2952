/* Draws the dashboard's charts: each [data-chart] element names a <script type="application/json">
   holding a Plotly figure ({data, layout}) built on the server. Runs on page load and on every
   htmx swap (htmx:load), so charts inside swapped sections are drawn again. Plotly.js is served
   by SQM itself (/static/plotly/plotly.min.js); nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false,
                 modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"] };

  function drawOne(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.react(el, figure.data, figure.layout, CONFIG).then(function () {
      el.setAttribute("data-drawn", "1");
    });
  }

  function drawIn(root) {
    if (!root || !root.querySelectorAll) { return; }
    if (root.matches && root.matches("[data-chart]")) { drawOne(root); }
    root.querySelectorAll("[data-chart]").forEach(drawOne);
  }

  document.addEventListener("DOMContentLoaded", function () { drawIn(document.body); });
  document.addEventListener("htmx:load", function (event) { drawIn(event.detail.elt); });
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.detail.elt;
    if (el && el.getAttribute && el.getAttribute("data-drawn") && window.Plotly) { window.Plotly.purge(el); }
  });
})();
