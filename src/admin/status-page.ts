/**
 * The status page at the admin port's `/`: every balanced service with its
 * replicas (state, in flight, req/s, errors, p50/p99 over the last minute) and
 * what happened to them lately, updated live from /status/stream (polling
 * /status when server-sent events do not get through). One file, no external
 * assets, readable on a phone. Everything shown is text content, never HTML
 * from the data.
 */
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>compose-lb</title>
<style>
  :root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #656d76; --line: #d0d7de; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  header { padding: 12px 16px; background: #fff; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  .muted { color: var(--muted); }
  main { padding: 12px 16px; display: grid; gap: 16px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow-x: auto; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); }
  td.n { text-align: right; }
  .state { font-weight: 600; }
  .ready { color: var(--ok); } .starting, .draining, .drained, .ejected { color: var(--warn); } .unhealthy { color: var(--bad); }
  ul.events { list-style: none; padding: 0; margin: 8px 0 0; max-height: 12em; overflow-y: auto; }
  ul.events li { padding: 2px 0; border-bottom: 1px dotted var(--line); }
  #conn.live { color: var(--ok); } #conn.down { color: var(--bad); }
  @media (max-width: 600px) { th.wide, td.wide { display: none; } }
</style>
</head>
<body>
<header>
  <h1>compose-lb</h1>
  <span id="project" class="muted"></span>
  <span id="source" class="muted"></span>
  <span id="conn" class="muted">connecting…</span>
</header>
<main id="services"><p class="muted">Waiting for the first picture…</p></main>
<script>
(function () {
  'use strict';
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function ms(v) { return v === null ? '–' : (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ms'; }
  function ago(at, now) {
    var s = Math.max(0, Math.round((now - at) / 1000));
    return s < 60 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { tr.appendChild(c); });
    return tr;
  }
  function cell(text, cls) { return el('td', text, cls); }
  function render(doc) {
    document.getElementById('project').textContent = 'project ' + doc.project + ' · ' + doc.strategy;
    var from = doc.replicasFrom;
    document.getElementById('source').textContent = 'replicas from ' + from.source + (from.connected ? '' : ' (unreachable since ' + ago(from.since, doc.at) + ': last known view)');
    var main = document.getElementById('services');
    main.textContent = '';
    doc.services.forEach(function (s) {
      var sec = el('section');
      sec.dataset.service = s.service;
      var h = el('h2', s.service + ' ');
      h.appendChild(el('span', '· ' + s.route + ' · ' + s.ready + ' of ' + s.replicas.length + ' ready' + (s.held ? ' · ' + s.held + ' held' : ''), 'muted'));
      sec.appendChild(h);
      var table = el('table');
      var head = ['replica', 'state', 'in flight', 'req/s', 'errors', 'p50', 'p99', 'address', 'weight'];
      var thr = document.createElement('tr');
      head.forEach(function (t, i) { thr.appendChild(el('th', t, i >= 7 ? 'wide' : '')); });
      table.appendChild(thr);
      s.replicas.forEach(function (r) {
        var tr = row([
          cell(r.name), cell(r.state, 'state ' + r.state), cell(r.inflight, 'n'), cell(r.reqPerSec, 'n'),
          cell(r.errors, 'n'), cell(ms(r.p50), 'n'), cell(ms(r.p99), 'n'), cell(r.address, 'wide'), cell(r.weight, 'n wide')
        ]);
        tr.dataset.replica = r.name;
        table.appendChild(tr);
      });
      if (s.replicas.length === 0) table.appendChild(row([cell('no replicas', 'muted')]));
      sec.appendChild(table);
      var events = el('ul', undefined, 'events');
      s.events.slice(0, 20).forEach(function (e) {
        var li = el('li');
        li.appendChild(el('span', ago(e.at, doc.at) + ' ', 'muted'));
        li.appendChild(el('strong', e.replica + ' ' + e.event));
        li.appendChild(el('span', ' — ' + e.why, 'muted'));
        events.appendChild(li);
      });
      sec.appendChild(events);
      main.appendChild(sec);
    });
  }
  var conn = document.getElementById('conn');
  function live(ok) { conn.textContent = ok ? 'live' : 'reconnecting…'; conn.className = ok ? 'live' : 'down'; }
  function poll() {
    fetch('status', { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(function (doc) { render(doc); live(true); }, function () { live(false); })
      .then(function () { setTimeout(poll, 2000); });
  }
  if (window.EventSource) {
    var source = new EventSource('status/stream');
    source.onmessage = function (m) { render(JSON.parse(m.data)); live(true); };
    source.onerror = function () { live(false); };
  } else {
    poll();
  }
})();
</script>
</body>
</html>
`;
