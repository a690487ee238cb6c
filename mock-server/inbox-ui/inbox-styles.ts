/** The web inbox's stylesheet: no framework, no CDN; a phone width stacks the panes. */
export const INBOX_STYLES = `
:root { --bg:#f5f6f8; --panel:#fff; --ink:#1f2329; --muted:#646a73; --line:#dee0e3; --accent:#1664ff; --bad:#d83931; --warn:#de7802; --ok:#2ea121; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif; color:var(--ink); background:var(--bg); }
header { display:flex; flex-wrap:wrap; gap:8px 16px; align-items:center; padding:10px 16px; background:var(--panel); border-bottom:1px solid var(--line); position:sticky; top:0; z-index:2; }
header h1 { font-size:16px; margin:0; }
header .clock { font-variant-numeric:tabular-nums; color:var(--muted); }
header .live { font-size:12px; color:var(--muted); }
header form.inline { margin:0; }
header label.world { font-size:13px; color:var(--muted); }
header .live.on::before { content:"● "; color:var(--ok); }
button, select, input { font:inherit; }
button { border:1px solid var(--line); background:var(--panel); border-radius:6px; padding:4px 10px; cursor:pointer; }
button:hover { border-color:var(--accent); color:var(--accent); }
nav.tabs { display:flex; gap:4px; padding:8px 16px 0; }
nav.tabs button { border-radius:6px 6px 0 0; border-bottom:none; }
nav.tabs button.active { background:var(--accent); color:#fff; border-color:var(--accent); }
main { display:grid; grid-template-columns: 260px 300px 1fr; gap:12px; padding:12px 16px; }
section.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px; min-height:120px; overflow:auto; max-height:calc(100vh - 130px); }
section.panel h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 8px; }
ul.list { list-style:none; margin:0; padding:0; }
ul.list li { display:flex; justify-content:space-between; gap:8px; align-items:center; padding:6px 8px; border-radius:6px; cursor:pointer; }
ul.list li:hover { background:var(--bg); }
ul.list li.selected { background:#e8f0ff; }
.badge { min-width:20px; padding:0 6px; border-radius:10px; background:var(--bad); color:#fff; font-size:12px; text-align:center; }
.badge.zero { background:var(--line); color:var(--muted); }
.message { border:1px solid var(--line); border-radius:8px; padding:8px 10px; margin-bottom:8px; cursor:pointer; }
.message.unread { border-left:4px solid var(--accent); }
.message.recalled { opacity:.55; }
.message .meta, .muted { color:var(--muted); font-size:12px; }
.message.withheld { border-left:4px solid var(--warn); cursor:default; }
.code { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; background:#fff3e0; color:var(--warn); padding:0 4px; border-radius:4px; }
.tag { font-size:12px; padding:0 6px; border-radius:4px; background:var(--bg); }
.tag.recalled { background:#fde2e1; color:var(--bad); }
pre { background:var(--bg); padding:8px; border-radius:6px; overflow:auto; font-size:12px; max-height:260px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
.meter { height:8px; background:var(--bg); border-radius:4px; overflow:hidden; min-width:80px; }
.meter span { display:block; height:100%; background:var(--accent); }
.hidden { display:none !important; }
form.inline { display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin-bottom:8px; }
@media (max-width: 860px) {
  main { grid-template-columns: 1fr; }
  section.panel { max-height:none; }
}
`;
