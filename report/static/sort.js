// Sortable tables, added on top of a table that reads fine without it: each column heading becomes a
// button (reachable with the keyboard); numbers sort by the cell's data-sort value.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.dataset.type === "num";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var p = x.dataset.sort !== undefined ? x.dataset.sort : x.textContent.trim();
        var q = y.dataset.sort !== undefined ? y.dataset.sort : y.textContent.trim();
        var r;
        if (numeric) {
          // Cells without a number (withheld, suppressed) go last either way.
          if (p === "" || q === "") { return (p === "") - (q === ""); }
          r = parseFloat(p) - parseFloat(q);
        } else { r = p.localeCompare(q); }
        return ascending ? r : -r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
