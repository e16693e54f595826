/**
 * The live page's script (browser JavaScript, served as `/ui/app.js`; the project's TypeScript has
 * no DOM types, so it is plain JavaScript in a string, as the report's chart script is).
 *
 * Routes by the URL's hash: `#/` the simulations, `#/simulations/<id>` one simulation,
 * `#/simulations/<id>/orders/<order id>` with that order's path drawn. Each view listens to the
 * server's events at `/ui/live` (server-sent events, the session cookie going with them) and
 * redraws in place. Every value from the server is written as text, never as markup; the machines'
 * drawings are the server's own `<template>`s.
 */
export const pageScript = String.raw`(function () {
  "use strict";
  var main = document.getElementById("main");
  var liveBadge = document.getElementById("live");
  var source = null;
  var shown = null;

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(arguments[i]);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function money(v) {
    if (v === null || v === undefined) return "\u2014";
    var n = Number(v);
    return isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(v);
  }

  function time(ms) { return ms === null || ms === undefined ? "\u2014" : new Date(ms).toISOString().replace("T", " ").replace(/\.000Z$/, "Z"); }

  function stateBadge(state) { return el("span", { class: "badge", "data-state": state, text: state }); }

  function table(headers, rows, rowAttrs) {
    var body = el("tbody");
    rows.forEach(function (cells, i) {
      var tr = el("tr", rowAttrs ? rowAttrs(i) : null);
      cells.forEach(function (c) { tr.appendChild(c instanceof Node ? el("td", null, c) : el("td", { text: c })); });
      body.appendChild(tr);
    });
    var head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", { text: h })); });
    return el("table", null, el("thead", null, head), body);
  }

  function machine(name) {
    return document.getElementById("machine-" + name).content.firstElementChild.cloneNode(true);
  }

  function highlight(svg, current) {
    svg.querySelectorAll("g.state.current").forEach(function (g) { g.classList.remove("current"); });
    var node = svg.querySelector('g.state[data-state="' + current + '"]');
    if (node) node.classList.add("current");
  }

  // The order's steps, in order: each state it entered numbered, each transition it took marked.
  function drawPath(svg, path) {
    var numbers = {};
    path.forEach(function (step, i) {
      (numbers[step.state] = numbers[step.state] || []).push(i + 1);
      var node = svg.querySelector('g.state[data-state="' + step.state + '"]');
      if (node) {
        node.classList.add("visited");
        node.style.animationDelay = (i * 120) + "ms";
      }
      if (i === 0) return;
      var edge = svg.querySelector('g.edge[data-source="' + path[i - 1].state + '"][data-target="' + step.state + '"]');
      if (edge) {
        edge.classList.add("taken");
        edge.style.animationDelay = (i * 120) + "ms";
      }
    });
    Object.keys(numbers).forEach(function (state) {
      var node = svg.querySelector('g.state[data-state="' + state + '"]');
      if (!node) return;
      node.setAttribute("data-steps", numbers[state].join(","));
      var rect = node.querySelector("rect");
      var badge = document.createElementNS("http://www.w3.org/2000/svg", "text");
      badge.setAttribute("class", "step-badge");
      badge.setAttribute("x", String(Number(rect.getAttribute("x")) + Number(rect.getAttribute("width")) - 4));
      badge.setAttribute("y", String(Number(rect.getAttribute("y")) - 4));
      badge.textContent = numbers[state].join(" \u00b7 ");
      node.appendChild(badge);
    });
    if (path.length > 0) highlight(svg, path[path.length - 1].state);
  }

  function listen(url, handlers) {
    if (source) source.close();
    source = new EventSource(url);
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (e) { handlers[name](JSON.parse(e.data)); });
    });
    source.onopen = function () { liveBadge.textContent = "live"; liveBadge.className = "live on"; };
    source.onerror = function () {
      liveBadge.textContent = "reconnecting\u2026";
      liveBadge.className = "live off";
      // Closed for good (the session ended, say): reloading shows the sign-in page.
      if (source.readyState === 2) location.reload();
    };
  }

  // ── The simulations ─────────────────────────────────────────────────

  function showList() {
    shown = null;
    document.title = "paperfloor \u2014 simulations";
    clear(main).appendChild(el("h1", { text: "Simulations" }));
    var holder = main.appendChild(el("div", { id: "simulations" }, el("p", { class: "note", text: "loading\u2026" })));
    listen("/ui/live", {
      simulations: function (rows) {
        var headers = ["simulation", "model", "account", "state", "updates", "portfolio value", "open orders"];
        var cells = rows.map(function (r) {
          return [
            el("a", { href: "#/simulations/" + encodeURIComponent(r.id), text: r.id }),
            r.modelId + " " + r.modelVersion,
            r.keyId === null ? "\u2014" : r.keyId,
            stateBadge(r.state),
            String(r.updates),
            money(r.portfolioValue),
            String(r.openOrders)
          ];
        });
        clear(holder).appendChild(rows.length === 0 ? el("p", { class: "note", text: "No simulations in this store yet." }) : table(headers, cells, function (i) { return { "data-simulation": rows[i].id, title: rows[i].reason || "" }; }));
      },
      problem: function (p) { clear(holder).appendChild(el("p", { class: "problem", text: p.message })); }
    });
  }

  // ── One simulation ──────────────────────────────────────────────────

  function chart(target, label, colour, unit) {
    var opts = {
      width: Math.max(300, target.clientWidth || 600),
      height: 220,
      scales: { x: { time: true } },
      series: [{}, { label: label, stroke: colour, width: 1.5, fill: unit === "percent" ? "rgba(220,38,38,0.08)" : undefined }],
      axes: [{}, { size: 70, values: function (u, vals) { return vals.map(function (v) { return unit === "percent" ? v.toFixed(1) + "%" : v.toLocaleString("en-US"); }); } }],
      legend: { show: true }
    };
    return { opts: opts, target: target, plot: null };
  }

  function setChart(c, xKind, x, y) {
    if (c.plot === null || c.xKind !== xKind) {
      if (c.plot) c.plot.destroy();
      c.opts.scales.x.time = xKind === "time";
      c.xKind = xKind;
      c.plot = new uPlot(c.opts, [x, y], c.target);
    } else c.plot.setData([x, y]);
    c.target.setAttribute("data-points", String(x.length));
  }

  function showSimulation(id, orderId) {
    if (shown && shown.id === id) {
      shown.orderId = orderId;
      if (shown.view) renderOrders(shown);
      return;
    }
    document.title = "paperfloor \u2014 " + id;
    clear(main);
    var s = {
      id: id, orderId: orderId, view: null, x: [], equity: [], drawdown: [], xKind: "time",
      header: el("div", { class: "header" }),
      cards: el("div", { class: "cards" }),
      simMachine: machine("simulation"),
      positions: el("div", { id: "positions" }),
      openOrders: el("div", { id: "open-orders", class: "order-grid" }),
      orders: el("div", { id: "orders", class: "scroll" }),
      path: el("div", { id: "order-path" }),
      log: el("ol", { id: "event-log", reversed: "" })
    };
    shown = s;
    main.appendChild(el("p", null, el("a", { href: "#/", text: "\u2190 all simulations" })));
    main.appendChild(s.header);
    main.appendChild(s.cards);
    main.appendChild(el("h2", { text: "Simulation machine" }));
    main.appendChild(el("div", { id: "simulation-machine", class: "machine-box" }, s.simMachine));
    main.appendChild(el("h2", { text: "Equity" }));
    var equityBox = main.appendChild(el("div", { id: "equity-chart", class: "chart" }));
    main.appendChild(el("h2", { text: "Drawdown" }));
    var drawdownBox = main.appendChild(el("div", { id: "drawdown-chart", class: "chart" }));
    s.equityChart = chart(equityBox, "equity", "#2563eb", "money");
    s.drawdownChart = chart(drawdownBox, "drawdown", "#dc2626", "percent");
    main.appendChild(el("h2", { text: "Positions" }));
    main.appendChild(s.positions);
    main.appendChild(el("h2", { text: "Open orders on the order machine" }));
    main.appendChild(s.openOrders);
    main.appendChild(el("h2", { text: "Orders" }));
    main.appendChild(el("p", { class: "note", text: "Click an order to see its path through the order machine." }));
    main.appendChild(s.orders);
    main.appendChild(s.path);
    main.appendChild(el("h2", { text: "Event log" }));
    main.appendChild(s.log);
    listen("/ui/live?simulation=" + encodeURIComponent(id), {
      simulation: function (view) { if (shown === s) render(s, view); },
      problem: function (p) { clear(s.header).appendChild(el("p", { class: "problem", text: p.message })); }
    });
  }

  function render(s, view) {
    s.view = view;
    clear(s.header).appendChild(el("h1", { text: view.id }));
    s.header.appendChild(el("p", { class: "sub" },
      document.createTextNode(view.modelId + " " + view.modelVersion + (view.keyId ? " \u00b7 account " + view.keyId : "") + " \u00b7 "),
      el("span", { id: "simulation-state", class: "badge", "data-state": view.state, text: view.state }),
      view.reason ? document.createTextNode(" " + view.reason) : null));
    var p = view.portfolio;
    clear(s.cards);
    [["portfolio value", money(p.totalValue)], ["cash", money(p.cash)], ["buying power", money(p.buyingPower)], ["realized P&L", money(p.realizedPnl)],
     ["unrealized P&L", money(p.unrealizedPnl)], ["updates", String(view.updates)], ["last update", time(view.lastUpdateTime)]].forEach(function (kv) {
      s.cards.appendChild(el("div", { class: "card", "data-card": kv[0] }, el("div", { class: "k", text: kv[0] }), el("div", { class: "v", text: kv[1] })));
    });
    highlight(s.simMachine, view.state);

    var e = view.equity;
    if (e.from === 0 || e.xKind !== s.xKind) { s.x = []; s.equity = []; s.drawdown = []; }
    s.xKind = e.xKind;
    var scale = e.xKind === "time" ? 1000 : 1;
    for (var i = 0; i < e.x.length; i++) { s.x.push(e.x[i] / scale); s.equity.push(e.equity[i]); s.drawdown.push(e.drawdown[i]); }
    setChart(s.equityChart, e.xKind, s.x, s.equity);
    setChart(s.drawdownChart, e.xKind, s.x, s.drawdown);

    clear(s.positions).appendChild(p.positions.length === 0 ? el("p", { class: "note", text: "No positions." }) :
      table(["symbol", "quantity", "average cost", "market price", "market value", "unrealized P&L", "realized P&L"],
        p.positions.map(function (q) { return [q.symbol, q.quantity, money(q.averageCost), money(q.marketPrice), money(q.marketValue), money(q.unrealizedPnl), money(q.realizedPnl)]; }),
        function (i) { return { "data-symbol": p.positions[i].symbol }; }));

    clear(s.log);
    view.log.slice().reverse().forEach(function (entry) {
      s.log.appendChild(el("li", { "data-seq": String(entry.seq), "data-type": entry.type }, el("time", { text: entry.at.replace("T", " ").replace(/\.\d+Z$/, "Z") }), document.createTextNode(" " + entry.text)));
    });
    if (view.log.length === 0) s.log.appendChild(el("li", { class: "note", text: "No events since the server started." }));
    renderOrders(s);
    main.setAttribute("data-version", view.version);
  }

  function describe(o) {
    return o.id + " \u00b7 " + o.side + " " + o.quantity + " " + o.symbol + " " + o.type + (o.limitPrice ? " @" + o.limitPrice : "") + (o.stopPrice ? " stop " + o.stopPrice : "");
  }

  function select(s, orderId) { location.hash = "#/simulations/" + encodeURIComponent(s.id) + "/orders/" + encodeURIComponent(orderId); }

  function renderOrders(s) {
    var view = s.view;
    clear(s.openOrders);
    var open = view.orders.filter(function (o) { return o.open; });
    open.forEach(function (o) {
      var svg = machine("order");
      highlight(svg, o.status);
      var card = el("div", { class: "open-order" + (o.id === s.orderId ? " selected" : ""), "data-order": o.id, tabindex: "0" },
        el("div", { class: "order-title", text: describe(o) }), el("div", { class: "order-status" }, stateBadge(o.status)), svg);
      card.addEventListener("click", function () { select(s, o.id); });
      s.openOrders.appendChild(card);
    });
    if (open.length === 0) s.openOrders.appendChild(el("p", { class: "note", text: "No open orders." }));
    if (view.openOrders > open.length) s.openOrders.appendChild(el("p", { class: "note", text: "and " + (view.openOrders - open.length) + " more" }));

    var rows = view.orders.map(function (o) {
      return [o.id, o.symbol, o.side, o.type, o.quantity, o.filledQuantity, o.averageFillPrice === null ? "\u2014" : o.averageFillPrice, o.orderList || "", stateBadge(o.status)];
    });
    clear(s.orders).appendChild(view.orders.length === 0 ? el("p", { class: "note", text: "No orders yet." }) :
      table(["order", "symbol", "side", "type", "qty", "filled", "avg price", "list", "status"], rows, function (i) {
        return { "data-order": view.orders[i].id, class: "clickable" + (view.orders[i].id === s.orderId ? " selected" : "") };
      }));
    s.orders.querySelectorAll("tr[data-order]").forEach(function (tr) {
      tr.addEventListener("click", function () { select(s, tr.getAttribute("data-order")); });
    });

    clear(s.path);
    if (s.orderId === null) return;
    var order = view.orders.filter(function (o) { return o.id === s.orderId; })[0];
    s.path.appendChild(el("h2", { text: "Path of order " + s.orderId }));
    if (!order) { s.path.appendChild(el("p", { class: "note", text: "This order is not among the orders shown." })); return; }
    s.path.appendChild(el("p", { class: "sub", text: describe(order) }));
    var svg = machine("order");
    drawPath(svg, order.path);
    s.path.appendChild(el("div", { class: "machine-box" }, svg));
    var steps = el("ol", { id: "path-steps" });
    order.path.forEach(function (step) { steps.appendChild(el("li", { "data-state": step.state }, el("code", { text: step.event }), document.createTextNode(" \u2192 " + step.state))); });
    s.path.appendChild(steps);
    if (!order.complete) s.path.appendChild(el("p", { class: "note", text: "Shown from the state the server first saw this order in: it was placed before the server started (or is older than the 5,000 latest orders whose paths are kept)." }));
  }

  function route() {
    var m = /^#\/simulations\/([^\/]+)(?:\/orders\/([^\/]+))?$/.exec(location.hash);
    if (m) showSimulation(decodeURIComponent(m[1]), m[2] ? decodeURIComponent(m[2]) : null);
    else showList();
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("resize", function () {
    if (!shown) return;
    [shown.equityChart, shown.drawdownChart].forEach(function (c) { if (c.plot) c.plot.setSize({ width: Math.max(300, c.target.clientWidth), height: 220 }); });
  });
  route();
})();
`
