// sanctionwatch dashboard: hash-routed views over the JSON API (every view has a JSON twin under /api).
"use strict";

const EVENT_COLORS = {
  port_call: "#2b6cb0", gap: "#718096", encounter: "#c53030", loitering: "#d69e2e",
  destination_mismatch: "#805ad5", identity_change: "#dd6b20", spoofing: "#e53e3e",
  sanctioned_area: "#000000", routing_change: "#319795", trade_anomaly: "#38a169",
};
// The API takes the token only as `Authorization: Bearer`. Opened as `/?token=...`, the page keeps it in
// sessionStorage and removes it from the address bar (history, bookmarks, screenshots).
const token = (() => {
  const q = new URLSearchParams(location.search);
  const t = q.get("token");
  if (t) {
    sessionStorage.setItem("sw_token", t);
    q.delete("token");
    history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : "") + location.hash);
  }
  return sessionStorage.getItem("sw_token");
})();

async function api(path) {
  const res = await fetch(path, { headers: token ? { Authorization: "Bearer " + token } : {} });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}

function esc(v) {
  return v === null || v === undefined ? "" : String(v).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function table(rows, cols, opts = {}) {
  if (!rows.length) return '<p class="muted">none</p>';
  const head = cols.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = rows.map((r) => "<tr>" + cols.map((c) => {
    const cls = c === "evidence" ? ' class="evidence"' : "";
    const v = opts.render && opts.render[c] ? opts.render[c](r[c], r) : esc(r[c]);
    return `<td${cls}>${v}</td>`;
  }).join("") + "</tr>").join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const vesselLink = (m) => (m ? `<a href="#/vessel/${esc(m)}">${esc(m)}</a>` : "");
const pill = (t) => `<span class="pill" style="background:${EVENT_COLORS[t] || "#444"}">${esc(t)}</span>`;

// ---------------------------------------------------------------- map view
let map = null;
let mapReady = null;

function initMap() {
  if (map) return mapReady;
  map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#cfe0ee" } }] },
    center: [132, 40], zoom: 4, attributionControl: { customAttribution: "Natural Earth via world-atlas" },
  });
  map.addControl(new maplibregl.NavigationControl());
  mapReady = new Promise((resolve) => map.on("load", async () => {
    const topo = await (await fetch("/static/vendor/countries-50m.topo.json")).json();
    map.addSource("land", { type: "geojson", data: topojson.feature(topo, topo.objects.countries) });
    map.addLayer({ id: "land", type: "fill", source: "land", paint: { "fill-color": "#eae6dc", "fill-outline-color": "#a89f8a" } });
    map.addSource("areas", { type: "geojson", data: "/api/areas" });
    map.addLayer({ id: "areas", type: "fill", source: "areas", paint: { "fill-color": "#c53030", "fill-opacity": 0.12 } });
    map.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#c53030", "line-width": 1, "line-dasharray": [3, 2] } });
    map.addSource("ports", { type: "geojson", data: "/api/ports?bbox=100,10,160,60" });
    map.addLayer({ id: "ports", type: "circle", source: "ports", minzoom: 3, paint: {
      "circle-radius": 2.5, "circle-color": ["match", ["get", "country"], "KP", "#c53030", "#2d3748"], "circle-opacity": 0.7 } });
    map.on("click", "ports", (e) => {
      const p = e.features[0].properties;
      new maplibregl.Popup().setLngLat(e.lngLat).setHTML(`port ${esc(p.name)} (${esc(p.locode || "no LOCODE")}, ${esc(p.country)})`).addTo(map);
    });
    map.addSource("track", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "track", type: "line", source: "track", filter: ["==", ["get", "kind"], "track"],
      paint: { "line-width": 2.5, "line-color": ["interpolate", ["linear"], ["get", "t"], 0, "#f6e05e", 0.5, "#ed8936", 1, "#9b2c2c"] } });
    map.addLayer({ id: "gaps", type: "line", source: "track", filter: ["==", ["get", "kind"], "gap"],
      paint: { "line-width": 2, "line-color": "#4a5568", "line-dasharray": [2, 2] } });
    map.addSource("events", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "events", type: "circle", source: "events", paint: {
      "circle-radius": 5, "circle-stroke-width": 1, "circle-stroke-color": "#fff",
      "circle-color": ["match", ["get", "type"], ...Object.entries(EVENT_COLORS).flat(), "#444"] } });
    map.on("click", "events", (e) => {
      const p = e.features[0].properties;
      selectVessel(Number(p.mmsi));
      new maplibregl.Popup().setLngLat(e.lngLat).setHTML(
        `${pill(p.type)} ${vesselLink(p.mmsi)}<br>${esc(p.start)} → ${esc(p.end)}<br>${esc(p.port || "")}`).addTo(map);
    });
    document.getElementById("legend").innerHTML = Object.entries(EVENT_COLORS).map(
      ([k, c]) => `<div><span class="sw" style="background:${c}"></span>${k}</div>`).join("") +
      '<div>track: <span style="color:#d69e2e">old</span> → <span style="color:#9b2c2c">recent</span>; gap: dashed</div>' +
      '<div><span style="color:#c53030">▭</span> sanctioned areas; small dots: ports (red: DPRK)</div>';
    // server-side simplification is per zoom: refetch the selected track when the zoom changes
    map.on("moveend", () => {
      const z = Math.round(map.getZoom());
      if (selected && z !== selected.zoom) loadTrack(selected.mmsi, z);
    });
    resolve();
  }));
  return mapReady;
}

async function loadEvents() {
  const page = await api("/api/events?limit=5000");
  const features = page.items.filter((e) => e.lat !== null && e.lon !== null).map((e) => ({
    type: "Feature", geometry: { type: "Point", coordinates: [e.lon, e.lat] },
    properties: { type: e.type, mmsi: e.mmsi, start: e.start, end: e.end, port: e.port, event_id: e.event_id },
  }));
  map.getSource("events").setData({ type: "FeatureCollection", features });
  document.getElementById("status").textContent = `${features.length} events on map`;
  return features.length;
}

let selected = null;

async function loadTrack(mmsi, zoom) {
  const track = await api(`/api/vessels/${mmsi}/track?zoom=${zoom}`);
  map.getSource("track").setData(track);
  selected = { mmsi, zoom };
  return track;
}

async function selectVessel(mmsi, fit = true) {
  const track = await loadTrack(mmsi, Math.round(map.getZoom()));
  const coords = track.features.flatMap((f) => f.geometry.coordinates);
  if (fit && coords.length) {
    const b = coords.reduce((bb, c) => bb.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
    map.fitBounds(b, { padding: 60, maxZoom: 10 });
  }
  document.getElementById("selected").innerHTML =
    `MMSI ${vesselLink(mmsi)}: ${track.properties.positions} positions (${track.properties.vertices} drawn)`;
}

async function showMap() {
  await initMap();
  await loadEvents();
  const risk = await api("/api/risk?limit=50");
  document.getElementById("risk-list").innerHTML = risk.items.map((r) =>
    `<li data-mmsi="${esc(r.mmsi)}"><b>${esc(r.risk_0_100)}</b> ${esc(r.name || "")} ${esc(r.mmsi)} <span class="muted">${esc(r.signals)}</span></li>`).join("")
    || '<li class="muted">no risk ranking yet (run sanctionwatch risk)</li>';
  document.querySelectorAll("#risk-list li[data-mmsi]").forEach((li) =>
    li.addEventListener("click", () => selectVessel(Number(li.dataset.mmsi))));
  map.resize();
}

// ---------------------------------------------------------------- other views
async function showVessel(mmsi) {
  const el = document.getElementById("view-vessel");
  el.innerHTML = "loading…";
  try {
    const v = await api(`/api/vessels/${mmsi}`);
    const r = v.risk[0];
    el.innerHTML = `<h2>Vessel MMSI ${esc(v.mmsi)}</h2>
      <p>${esc(v.track.positions)} positions, ${esc(v.track.first)} → ${esc(v.track.last)}.
         Risk: <b>${r ? esc(r.risk_0_100) + " / 100 (" + esc(r.points) + " points)" : "not scored"}</b>
         — <a href="/api/vessels/${esc(v.mmsi)}">JSON</a></p>
      <h3>List hits</h3>${table(v.list_hits, ["caption", "dataset", "programs", "match_kind", "field", "score", "list_version", "entity_id"])}
      <h3>Risk breakdown (every point traced)</h3>${table(v.risk_breakdown, ["signal", "points", "ref_kind", "ref_id", "reason"])}
      <h3>Ownership network</h3><div id="network-body">loading…</div>
      <h3>Identity history</h3>${table(v.identity_history, ["imo", "name", "callsign", "ship_type", "first_seen", "last_seen", "reports"])}
      <h3>Declared destinations</h3>${table(v.destinations, ["destination", "first_seen", "last_seen", "reports"])}
      <h3>Events timeline</h3>${table(v.events, ["type", "start", "end", "other_mmsi", "port", "country", "confidence", "evidence"],
        { render: { type: pill, other_mmsi: vesselLink } })}`;
    document.getElementById("network-body").innerHTML = await networkSection(v.identity_history);
  } catch (e) {
    el.innerHTML = `<p>${esc(e.message)}</p>`;
  }
}

// ---------------------------------------------------------------- ownership network (issue 18)
const NODE_FILL = { listed: "#c53030", Vessel: "#2b6cb0", other: "#718096" };

function networkSvg(view) {
  // Radial node-link drawing: the vessel in the centre, its companies around it, their other links outside.
  const center = view.keys[0];
  const near = new Set();
  view.edges.forEach((e) => { if (e.a === center) near.add(e.b); if (e.b === center) near.add(e.a); });
  near.delete(center);
  const ring1 = view.nodes.filter((n) => near.has(n.key));
  const ring2 = view.nodes.filter((n) => n.key !== center && !near.has(n.key)).slice(0, 48);
  const W = 760, H = 520, cx = W / 2, cy = H / 2, pos = {};
  pos[center] = [cx, cy];
  [[ring1, 130], [ring2, 230]].forEach(([ring, rad]) => ring.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(ring.length, 1) - Math.PI / 2;
    pos[n.key] = [cx + rad * Math.cos(a), cy + rad * 0.9 * Math.sin(a)];
  }));
  const lines = view.edges.filter((e) => pos[e.a] && pos[e.b]).map((e) =>
    `<line x1="${pos[e.a][0]}" y1="${pos[e.a][1]}" x2="${pos[e.b][0]}" y2="${pos[e.b][1]}" stroke="${e.origin === "registry" ? "#2b6cb0" : "#a0aec0"}" stroke-width="${e.origin === "registry" ? 2 : 1}"><title>${esc(e.verb)} — ${esc(e.evidence)}</title></line>`).join("");
  const dots = view.nodes.filter((n) => pos[n.key]).map((n) => {
    const fill = n.designated ? NODE_FILL.listed : n.schema === "Vessel" ? NODE_FILL.Vessel : NODE_FILL.other;
    const status = n.designated ? "LISTED: " + n.sources : "not listed";
    const label = n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label;
    const [x, y] = pos[n.key];
    return `<g class="node" data-key="${esc(n.key)}"><circle cx="${x}" cy="${y}" r="${n.key === center ? 10 : 7}" fill="${fill}"><title>${esc(n.label)} (${esc(n.schema)}) — ${esc(status)}</title></circle>` +
      `<text x="${x + 10}" y="${y + 4}" font-size="10" fill="#1b2430">${esc(label)}</text></g>`;
  }).join("");
  return `<svg class="network" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="ownership network">${lines}${dots}</svg>` +
    `<p class="muted">red: listed · blue: vessel · grey: company not listed · blue lines: registry import; hover for the evidence` +
    (view.truncated || ring2.length < view.nodes.length - ring1.length - 1 ? " · drawing cut, see the table and the JSON" : "") + "</p>";
}

async function networkSection(identity) {
  const imos = [...new Set(identity.map((r) => r.imo).filter(Boolean))];
  if (!imos.length) return '<p class="muted">no IMO number sent: owners and managers are looked up by IMO</p>';
  const parts = [];
  for (const imo of imos) {
    const id = encodeURIComponent("IMO " + String(imo).padStart(7, "0"));
    try {
      const v = await api(`/api/network/${id}?depth=2`);
      const label = Object.fromEntries(v.nodes.map((n) => [n.key, n.label]));
      const links = v.edges.filter((e) => v.keys.includes(e.a) || v.keys.includes(e.b))
        .map((e) => ({ from: label[e.a] || e.a, link: e.verb, to: label[e.b] || e.b, evidence: e.evidence }));
      parts.push(`<h4>IMO ${esc(imo)} — <a href="/api/network/${id}">JSON</a></h4>` + networkSvg(v) +
        (v.paths.length ? "<p>Paths to designated entities (risk list_hit_related):</p>" + table(v.paths, ["hops", "factor", "path"]) : "") +
        table(links, ["from", "link", "to", "evidence"]) +
        (v.clusters.length ? "<p>Shares a company with designated vessels (context, not scored):</p>" +
          table(v.clusters.map((c) => ({ via: c.via, company: label[c.company] || c.company, vessels: c.designated_vessels.length })), ["via", "company", "vessels"]) : ""));
    } catch (e) {
      parts.push(`<p class="muted">IMO ${esc(imo)}: ${esc(e.message)}</p>`);
    }
  }
  return parts.join("");
}

async function showWatchlist() {
  const el = document.getElementById("view-watchlist");
  const page = await api("/api/risk?limit=500");
  el.innerHTML = `<h2>Watchlist — vessels ranked by risk</h2><p><a href="/api/risk?limit=500">JSON</a></p>` +
    table(page.items, ["mmsi", "name", "risk_0_100", "points", "signals", "top_reasons"], { render: { mmsi: vesselLink } });
}

async function showEvents() {
  const el = document.getElementById("view-events");
  const type = new URLSearchParams(location.hash.split("?")[1] || "").get("type") || "";
  const counts = await api("/api/events/counts");
  const page = await api("/api/events?limit=1000" + (type ? "&type=" + encodeURIComponent(type) : ""));
  el.innerHTML = `<h2>Events</h2><p>Filter: <a href="#/events">all</a> ` +
    counts.map((c) => `<a href="#/events?type=${esc(c.type)}">${esc(c.type)} (${esc(c.n)})</a>`).join(" ") + "</p>" +
    table(page.items, ["type", "mmsi", "other_mmsi", "start", "end", "port", "country", "confidence", "evidence"],
      { render: { type: pill, mmsi: vesselLink, other_mmsi: vesselLink } });
}

async function showTrade() {
  const el = document.getElementById("view-trade");
  el.innerHTML = '<h2>Trade</h2><div id="trade-body">loading…</div>';
  try {
    const t = await api("/api/trade/charts");
    document.getElementById("trade-body").innerHTML = t.items.map(
      (c) => `<h3>${esc(c.title)}</h3><img alt="${esc(c.title)}" src="${esc(c.png)}">`).join("") || "no trade data in the store";
  } catch (e) {
    document.getElementById("trade-body").textContent = e.message;
  }
}

function route() {
  const [path] = (location.hash || "#/map").slice(1).split("?");
  const parts = path.split("/").filter(Boolean);
  const view = parts[0] || "map";
  document.querySelectorAll(".view").forEach((v) => v.classList.toggle("active", v.id === "view-" + view));
  ({ map: showMap, vessel: () => showVessel(parts[1]), watchlist: showWatchlist, events: showEvents, trade: showTrade }[view] || showMap)();
}

window.addEventListener("hashchange", route);
route();
