// gslb status page: fetches /v1/status every 5 s and draws it. Plain DOM,
// no framework; every value from the server is inserted as text, never as
// HTML.
"use strict";
(function () {
  const REFRESH_MS = 5000;
  const STATES = ["up", "ramping", "partial", "drained", "forced-up", "forced-down", "down", "unused"];

  // The bearer token, when the server wants one: given once in the address
  // (/?token=...), kept for this tab only, and taken out of the address bar.
  const params = new URLSearchParams(location.search);
  if (params.has("token")) {
    sessionStorage.setItem("gslb-token", params.get("token"));
    params.delete("token");
    const q = params.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
  }
  const token = sessionStorage.getItem("gslb-token");

  const $ = (sel) => document.querySelector(sel);

  // el builds an element: el("td", {class: "x"}, "text", child, ...).
  function el(tag, attrs, ...children) {
    const svg = ["svg", "g", "circle", "text", "title"].includes(tag) && attrs && attrs.svg;
    const e = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "svg" || v === undefined || v === null || v === false) continue;
      e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const s = (tag, attrs, ...children) => el(tag, Object.assign({ svg: true }, attrs), ...children);

  function fill(tbody, rows, empty, cols) {
    tbody.replaceChildren(...(rows.length ? rows : [el("tr", { class: "empty" }, el("td", { colspan: cols, class: "muted" }, empty))]));
  }

  // Durations and times, relative to the server's clock (doc.time).
  function span(ms) {
    let sec = Math.round(Math.abs(ms) / 1000);
    if (sec < 60) return sec + "s";
    const d = Math.floor(sec / 86400); sec -= d * 86400;
    const h = Math.floor(sec / 3600); sec -= h * 3600;
    const m = Math.floor(sec / 60);
    if (d >= 2) return d + " days";
    if (d) return d + "d" + (h ? " " + h + "h" : "");
    if (h) return h + "h" + (m ? " " + m + "m" : "");
    return m + "m";
  }
  const utc = (t) => new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", " UTC");
  function ago(t, now) {
    if (!t || t.startsWith("0001-")) return "";
    const ms = now - new Date(t);
    return ms >= 0 ? span(ms) + " ago" : "in " + span(ms);
  }
  const stateBadge = (st) => el("span", { class: "badge state-" + st }, st);

  function legend() {
    $("#legend").replaceChildren(...STATES.map((st) => el("span", { class: "state-" + st }, el("span", { class: "dot" }), " " + st)));
  }

  // The map: one marker per datacenter at its coordinates, labels placed
  // where they do not cover another label.
  function drawMap(dcs) {
    // Labels avoid every marker and the labels placed before them.
    const boxes = dcs.map((dc) => ({ owner: dc.name, x0: dc.lon - 4.2, x1: dc.lon + 4.2, y0: -dc.lat - 4.2, y1: -dc.lat + 4.2 }));
    const overlaps = (b, owner) => boxes.some((o) => o.owner !== owner && b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1);
    const markers = [...dcs].sort((a, b) => a.lon - b.lon).map((dc) => {
      const x = dc.lon, y = -dc.lat, w = 3.1 * dc.name.length;
      const tries = [
        { x: x + 4, y: y + 1.8, anchor: "start", b: { x0: x + 4, x1: x + 4 + w, y0: y - 3, y1: y + 2.5 } },
        { x: x, y: y + 8, anchor: "middle", b: { x0: x - w / 2, x1: x + w / 2, y0: y + 3.5, y1: y + 9 } },
        { x: x, y: y - 4.5, anchor: "middle", b: { x0: x - w / 2, x1: x + w / 2, y0: y - 9, y1: y - 3.5 } },
        { x: x - 4, y: y + 1.8, anchor: "end", b: { x0: x - 4 - w, x1: x - 4, y0: y - 3, y1: y + 2.5 } },
      ];
      const at = tries.find((t) => !overlaps(t.b, dc.name)) || tries[0];
      boxes.push(Object.assign({ owner: "" }, at.b));
      return s("g", { class: "dc state-" + dc.state, "data-dc": dc.name, "data-state": dc.state, tabindex: 0 },
        s("title", {}, dc.name + ": " + dc.state + " (" + dc.why + ")"),
        s("circle", { class: "halo", cx: x, cy: y, r: 4.2 }),
        s("circle", { cx: x, cy: y, r: 2.4 }),
        s("text", { x: at.x, y: at.y, "text-anchor": at.anchor }, dc.name));
    });
    $("#markers").replaceChildren(...markers);
    $("#dc-list").replaceChildren(...dcs.map((dc) =>
      el("li", { class: "state-" + dc.state, "data-dc": dc.name },
        el("span", { class: "dot" }), el("strong", {}, dc.name), stateBadge(dc.state), el("span", { class: "why" }, dc.why))));
  }

  function addrs(fs) {
    if (!fs) return el("span", { class: "muted" }, "–");
    return el("div", {},
      el("div", { class: "muted small" }, fs.addrs_up + "/" + fs.addrs.length + " up"),
      fs.addrs.map((a) => el("span", { class: "addr mono" + (a.up ? "" : " down"), title: a.status }, a.addr)));
  }

  function drawPools(pools, now) {
    $("#pools").replaceChildren(...(pools.length ? pools.map((p) =>
      el("div", { class: "pool", "data-pool": p.pool, "data-zone": p.zone },
        el("h3", {}, p.pool, " ", el("span", { class: "muted" }, "in " + p.zone + " · " + p.policy + " · " + (p.check ? "check " + p.check : "not probed"))),
        el("table", {},
          el("thead", {}, el("tr", {}, ["datacenter", "state", "why", "IPv4", "IPv6"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, p.datacenters.map((d) =>
            el("tr", { class: "state-" + d.state, "data-dc": d.datacenter, "data-state": d.state },
              el("td", {}, el("span", { class: "dot" }), " ", el("strong", {}, d.datacenter)),
              el("td", { class: "state" }, stateBadge(d.state)),
              el("td", { class: "why" }, d.why || "",
                d.until ? el("div", { class: "until" }, "until " + utc(d.until) + " (" + ago(d.until, now) + ")") : null),
              d.cname ? el("td", { colspan: 2, class: "mono" }, "CNAME " + d.cname) : [el("td", {}, addrs(d.ipv4)), el("td", {}, addrs(d.ipv6))])))))) :
      [el("p", { class: "muted" }, "No pools: no zone defines one.")]));
  }

  function drawTargets(targets, now) {
    fill($("#targets tbody"), targets.map((t) => {
      const st = t.state, last = st.last || {};
      const tr = (st.transitions || []).at(-1);
      const probed = last.at && !last.at.startsWith("0001-");
      return el("tr", { class: "status-" + st.status, "data-target": t.target.check + "/" + t.target.addr, "data-status": st.status },
        el("td", {}, el("span", { class: "mono" }, t.target.addr), " ", el("span", { class: "muted" }, t.target.check + " · " + t.type + " every " + span(t.interval_ns / 1e6))),
        el("td", {}, el("span", { class: "badge " + (st.status === "up" ? "ok" : st.status === "down" ? "bad" : "") }, st.status), t.seeded ? el("div", { class: "muted small" }, "from the state file") : null),
        el("td", {}, ago(st.since, now)),
        el("td", { class: "last" }, probed ? [el("span", { class: last.ok ? "" : "err" }, last.ok ? "ok" : (last.error || "failed")),
          el("div", { class: "muted small" }, span(last.duration_ns / 1e6) + " probe, " + ago(last.at, now))] : el("span", { class: "muted" }, "not probed yet")),
        el("td", {}, el("div", { class: "history", "aria-label": (st.results || []).map((r) => (r.ok ? "ok" : "fail")).join(" ") },
          (st.results || []).map((r) => el("span", { class: r.ok ? "ok" : "fail", title: utc(r.at) + ": " + (r.ok ? "ok" : r.error || "failed") })))),
        el("td", { class: "small" }, tr ? [tr.from + " → " + tr.to + " " + ago(tr.at, now), el("div", { class: "muted" }, tr.reason || "")] : el("span", { class: "muted" }, "none")));
    }), "No probed targets.", 6);
  }

  function drawOverrides(ovs, now) {
    fill($("#overrides tbody"), ovs.map((o) => {
      const what = [o.addr ? "address " + o.addr : "", o.datacenter ? "datacenter " + o.datacenter : "", o.pool ? "in pool " + o.pool : "in every pool"].filter(Boolean).join(" ");
      return el("tr", { class: "action-" + o.action, "data-datacenter": o.datacenter || "", "data-action": o.action },
        el("td", {}, what),
        el("td", {}, el("span", { class: "badge state-" + (o.action === "drain" ? "drained" : o.action === "force-up" ? "forced-up" : "forced-down") }, o.action)),
        el("td", { class: "until" }, o.until ? [ago(o.until, now), el("div", { class: "muted small" }, utc(o.until))] : "until cleared"),
        el("td", {}, o.reason || el("span", { class: "muted" }, "–"), o.created ? el("div", { class: "muted small" }, "set " + ago(o.created, now)) : null));
    }), "No overrides.", 4);
  }

  function drawZones(zones, zoneErrors, now) {
    // Files that serve nothing (serial 0) are shown with zone_errors below.
    fill($("#zones tbody"), zones.filter((z) => z.serial > 0).map((z) =>
      el("tr", { "data-zone": z.origin, class: z.errors ? "failing" : "" },
        el("td", {}, el("strong", {}, z.origin), z.errors ? el("div", { class: "err small" }, "file failing: this version keeps serving") : null),
        el("td", { class: "num mono serial" }, z.serial),
        el("td", {}, ago(z.loaded, now)),
        el("td", { class: "mono small" }, z.file))), "No zones loaded.", 4);
    $("#zone-errors").replaceChildren(...(zoneErrors.length ? [el("h3", { class: "err" }, "Zone files failing to load")] : []),
      ...zoneErrors.map((fe) => el("div", { class: "zone-error", "data-file": fe.file },
        el("div", {}, el("span", { class: "mono" }, fe.file), " ", el("span", { class: "muted small" }, fe.serving ? "(" + fe.serving + ": the previous version serves)" : "(not served)")),
        el("pre", { class: "errors" }, fe.errors.join("\n")))));
  }

  function drawGeoIP(dbs, now) {
    fill($("#geoip tbody"), dbs.map((d) =>
      el("tr", { "data-database": d.database },
        el("td", {}, d.database), el("td", { class: "small" }, d.type),
        el("td", { title: d.path }, utc(d.built).slice(0, 10), d.stale ? [" ", el("span", { class: "badge wait", title: "older than [geoip] max_age: is geoipupdate running?" }, "stale")] : null,
          el("div", { class: "muted small" }, ago(d.built, now))))), "No GeoIP database: every client's location is unknown.", 3);
  }

  // The cluster: its members as this node sees them and, per target,
  // every node's verdict beside the effective status. Hidden outside a
  // cluster.
  function drawCluster(cs, now) {
    $("#cluster").hidden = !cs;
    if (!cs) return;
    const members = cs.members || [];
    const live = Object.fromEntries(members.map((m) => [m.name, m.state === "alive" || m.state === "suspect"]));
    const alive = members.filter((m) => live[m.name]).length;
    $("#cluster-summary").textContent = "node " + cs.node + " · health_quorum " + cs.quorum + " · " + alive + " of " + members.length + " members live";
    $("#cluster-alone").hidden = !cs.alone;
    const memberBadge = (st) => el("span", { class: "badge " + (st === "alive" ? "ok" : st === "suspect" ? "wait" : st === "dead" ? "bad" : "") }, st);
    fill($("#members tbody"), members.map((m) =>
      el("tr", { "data-member": m.name, "data-state": m.state },
        el("td", {}, el("strong", {}, m.name), m.self ? el("span", { class: "muted small" }, " (this node)") : null),
        el("td", {}, memberBadge(m.state), el("div", { class: "muted small" }, "since " + ago(m.since, now))),
        el("td", { class: "mono small" }, m.addr),
        el("td", {}, m.self ? el("span", { class: "muted" }, "–") : m.last_contact ? ago(m.last_contact, now) : el("span", { class: "muted" }, "never")))),
      "No members.", 4);
    const names = members.map((m) => m.name);
    $("#verdicts thead").replaceChildren(el("tr", {}, el("th", { scope: "col" }, "target"), el("th", { scope: "col" }, "effective"),
      names.map((n) => el("th", { scope: "col", "data-node": n }, n))));
    const statusBadge = (st) => el("span", { class: "badge " + (st === "up" ? "ok" : st === "down" ? "bad" : "") }, st);
    fill($("#verdicts tbody"), (cs.targets || []).map((t) => {
      const by = Object.fromEntries((t.verdicts || []).map((v) => [v.node, v]));
      return el("tr", { "data-target": t.target.check + "/" + t.target.addr, "data-effective": t.effective },
        el("td", {}, el("span", { class: "mono" }, t.target.addr), " ", el("span", { class: "muted" }, t.target.check)),
        el("td", {}, statusBadge(t.effective), el("div", { class: "muted small" }, t.down_votes + " of " + (t.up_votes + t.down_votes) + " see it down")),
        names.map((n) => {
          const v = by[n];
          if (!v) return el("td", { "data-node": n, "data-status": "" }, el("span", { class: "muted" }, "–"));
          const counted = live[n];
          return el("td", { "data-node": n, "data-status": v.status, class: counted ? "" : "muted", title: counted ? "" : "not counted: " + n + " is not live" },
            counted ? statusBadge(v.status) : v.status, v.since ? el("div", { class: "muted small" }, ago(v.since, now)) : null);
        }));
    }), "No targets.", 2 + names.length);
    const zs = cs.zone_differences || [];
    $("#cluster-zones").replaceChildren(...(zs.length ? [el("h3", { class: "err" }, "Zones served differently by a peer")] : []),
      ...zs.map((z) => el("div", { class: "zone-diff", "data-zone": z.origin, "data-node": z.node },
        el("strong", {}, z.origin), " on ", el("strong", {}, z.node), ": ",
        el("span", { class: "mono small" }, "serial " + z.peer_serial + ", hash " + z.peer_hash + " there; serial " + z.serial + ", hash " + z.hash + " here"))));
  }

  function draw(doc) {
    const now = new Date(doc.time);
    const ready = doc.answering ?? doc.ready;
    const badge = $("#readiness");
    badge.textContent = ready ? "answering" : doc.ready ? "starting" : "waiting for the first probe round";
    badge.className = "badge " + (ready ? "ok" : "wait");
    const down = doc.targets.filter((t) => t.state.status === "down").length;
    const n = (k, what) => k + " " + what + (k === 1 ? "" : "s");
    $("#counts").textContent = [n(doc.datacenters.length, "datacenter"), n(doc.pools.length, "pool"),
      n(doc.targets.length, "target") + " (" + down + " down)", n(doc.zones.filter((z) => z.serial > 0).length, "zone")]
      .concat(doc.zone_errors.length ? [n(doc.zone_errors.length, "failing zone file")] : []).join(" · ");
    $("#updated").textContent = "updated " + utc(doc.time);
    drawMap(doc.datacenters);
    drawPools(doc.pools, now);
    drawTargets(doc.targets, now);
    drawOverrides(doc.overrides || [], now);
    drawZones(doc.zones || [], doc.zone_errors || [], now);
    drawGeoIP(doc.geoip || [], now);
    drawCluster(doc.cluster, now);
  }

  function problem(msg) {
    const p = $("#problem");
    p.hidden = !msg;
    p.textContent = msg || "";
    document.body.classList.toggle("stale", !!msg && document.body.dataset.loaded !== undefined);
  }

  async function refresh() {
    try {
      const headers = { Accept: "application/json" };
      if (token) headers.Authorization = "Bearer " + token;
      const r = await fetch("v1/status", { headers, cache: "no-store" });
      if (r.status === 401) {
        problem("The control API wants a bearer token: open this page as /?token=TOKEN (the token of [control] token_file).");
        return;
      }
      if (!r.ok) throw new Error(r.status + " " + r.statusText);
      draw(await r.json());
      problem("");
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    } catch (e) {
      problem("Cannot read the status from gslb: " + e.message + ". Showing the last status read; retrying.");
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  legend();
  refresh();
})();
