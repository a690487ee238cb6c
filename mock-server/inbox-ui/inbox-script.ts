/**
 * The web inbox's browser script, plain JavaScript served as is (no build step
 * for users). It only calls its world's /__admin API and listens to its
 * /__admin/events for live updates; every path is relative to the world the
 * page was opened in (/__inbox or /w/<name>/__inbox). Everything shown is
 * escaped: template variables are user input.
 */
export const INBOX_SCRIPT = String.raw`
"use strict";
const state = { corpId: null, deptId: null, userid: null, tab: "inbox", live: false };
// "/w/<name>" for a named world, "" for the default one (plus any prefix the server is mounted under).
const base = location.pathname.replace(/\/__inbox\/?$/, "");
const worldMatch = /\/w\/([^/]+)$/.exec(base);
const worldName = worldMatch ? decodeURIComponent(worldMatch[1]) : "default";
const root = worldMatch ? base.slice(0, -worldMatch[0].length) : base;
const inboxOf = (name) => root + (name === "default" ? "" : "/w/" + encodeURIComponent(name)) + "/__inbox";
const $ = (id) => document.getElementById(id);
const esc = (value) => String(value).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]);
const chinaTime = (iso) => new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString().replace("T", " ").slice(0, 19);

async function api(path, options) {
  // Paths starting with "//" are the server's own (the list of worlds), the rest are this world's.
  const response = await fetch(path.startsWith("//") ? root + path.slice(1) : base + path, options);
  if (response.status === 204) return null;
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}
const post = (path, body) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) });

async function refreshWorlds() {
  const { worlds } = await api("//__admin/worlds");
  const names = worlds.map((w) => w.name);
  if (!names.includes(worldName)) names.push(worldName);
  $("world").innerHTML = names.sort().map((name) => "<option" + (name === worldName ? " selected" : "") + ">" + esc(name) + "</option>").join("");
}

async function refreshClock() {
  const clock = await api("/__admin/clock");
  $("clock").textContent = chinaTime(clock.now) + " China time" + (clock.frozen ? " (frozen)" : "");
  $("clock").dataset.next = clock.nextChinaMidnight;
  $("freeze").textContent = clock.frozen ? "Run clock" : "Freeze clock";
  $("freeze").dataset.frozen = String(clock.frozen);
}

async function refreshDirectory() {
  const { corps } = await api("/__admin/directory");
  const items = [];
  for (const corp of corps) {
    if (!state.corpId) state.corpId = corp.corpId;
    const byParent = new Map();
    for (const dept of corp.departments) {
      const key = dept.parentId === undefined ? "root" : dept.parentId;
      if (!byParent.has(key)) byParent.set(key, []);
      byParent.get(key).push(dept);
    }
    const walk = (parent, depth) => {
      for (const dept of byParent.get(parent) || []) {
        items.push('<li data-corp="' + esc(corp.corpId) + '" data-dept="' + dept.deptId + '" class="' + (state.deptId === dept.deptId ? "selected" : "") + '" style="padding-left:' + (8 + depth * 14) + 'px">' +
          '<span>' + esc(dept.name) + ' <span class="muted">' + dept.members + '</span></span>' + badge(dept.unread) + "</li>");
        walk(dept.deptId, depth + 1);
      }
    };
    walk("root", 0);
  }
  $("departments").innerHTML = items.join("");
}

async function refreshUsers() {
  if (state.deptId === null) { $("users").innerHTML = '<li class="muted">Pick a department</li>'; return; }
  const dept = await api("/__admin/directory/" + encodeURIComponent(state.corpId) + "/departments/" + state.deptId);
  $("users-title").textContent = dept.name + " (" + dept.users.length + ")";
  $("users").innerHTML = dept.users.slice(0, 500).map((user) =>
    '<li data-user="' + esc(user.userid) + '" class="' + (state.userid === user.userid ? "selected" : "") + '"><span>' + esc(user.name) + ' <span class="muted">' + esc(user.userid) + "</span></span>" + badge(user.unread) + "</li>").join("") +
    (dept.users.length > 500 ? '<li class="muted">… and ' + (dept.users.length - 500) + " more: open one by id above</li>" : "");
}

function badge(count) {
  return '<span class="badge' + (count ? "" : " zero") + '" aria-label="' + count + ' unread">' + count + "</span>";
}

async function refreshInbox() {
  if (!state.userid) { $("messages").innerHTML = '<p class="muted">Pick an employee, or type a userid above.</p>'; return; }
  const inbox = await api("/__admin/inbox/" + encodeURIComponent(state.userid) + "?corpId=" + encodeURIComponent(state.corpId));
  $("inbox-title").textContent = (inbox.name ? inbox.name + " · " : "") + inbox.userid;
  const received = inbox.messages.slice().reverse().map((m) =>
    '<div class="message' + (m.read ? "" : " unread") + (m.recalled ? " recalled" : "") + '" data-message="' + esc(m.messageId) + '" data-task="' + m.taskId + '">' +
      "<strong>" + esc(m.title) + "</strong> " + (m.recalled ? '<span class="tag recalled">recalled</span> ' : "") + (m.read ? '<span class="tag">read</span>' : '<span class="tag">unread</span>') +
      "<div>" + esc(m.text) + "</div>" +
      '<div class="meta">' + chinaTime(m.receivedAt) + " · " + esc(m.appName) + " (agent " + m.agentId + ") · task " + m.taskId + "</div></div>");
  const withheld = inbox.withheld.slice().reverse().map((w) =>
    '<div class="message withheld" data-task="' + w.taskId + '"><strong>Not delivered</strong> <span class="code">' + esc(w.code) + "</span> " + esc(w.meaning) +
      '<div class="meta">' + chinaTime(w.at) + " · agent " + w.agentId + " · task " + w.taskId + " · template " + esc(w.templateId) + "</div>" +
      '<div class="muted">' + esc(w.explanation) + "</div></div>");
  $("messages").innerHTML = (received.join("") || '<p class="muted">Nothing received.</p>') + (withheld.length ? "<h2>Withheld by the vendor's limits</h2>" + withheld.join("") : "");
}

async function openTask(taskId, message) {
  if (message && state.userid) await post("/__admin/inbox/" + encodeURIComponent(state.userid) + "/" + encodeURIComponent(message) + "/read").catch(() => {});
  const task = await api("/__admin/tasks/" + taskId);
  const rows = [];
  for (const userid of task.delivered.slice(0, 200)) rows.push("<tr><td>" + esc(userid) + '</td><td>delivered</td><td class="muted"></td></tr>');
  for (const entry of task.forbidden.slice(0, 200)) rows.push("<tr><td>" + esc(entry.userid) + '</td><td><span class="code">' + esc(entry.code) + "</span> forbidden</td><td>" + esc(entry.explanation) + "</td></tr>");
  for (const userid of task.invalidUserIds) rows.push("<tr><td>" + esc(userid) + '</td><td>invalid</td><td class="muted">no such employee</td></tr>');
  for (const deptId of task.invalidDeptIds) rows.push("<tr><td>department " + deptId + '</td><td>invalid</td><td class="muted">no such department</td></tr>');
  for (const userid of task.failed.slice(0, 200)) rows.push("<tr><td>" + esc(userid) + '</td><td>failed</td><td class="muted">beyond the per-send maximum</td></tr>');
  $("task").innerHTML = "<h2>Task " + task.taskId + "</h2>" +
    '<p class="muted">' + chinaTime(task.createdAt) + " · agent " + task.agentId + " · template " + esc(task.templateId) + (task.recalled ? " · recalled" : "") + "</p>" +
    "<p>" + task.counts.delivered + " delivered · " + task.counts.forbidden + " forbidden · " + (task.counts.invalidUsers + task.counts.invalidDepartments) + " invalid · " + task.counts.failed + " failed</p>" +
    "<table><thead><tr><th>recipient</th><th>outcome</th><th>why</th></tr></thead><tbody>" + rows.join("") + "</tbody></table>" +
    (task.call ? "<h2>Request</h2><pre>" + esc(JSON.stringify(task.call.params, null, 2)) + "</pre><h2>Answer</h2><pre>" + esc(JSON.stringify(task.call.answer, null, 2)) + "</pre>" : "");
  $("task").classList.remove("hidden");
  await Promise.all([refreshInbox(), refreshUsers(), refreshDirectory()]);
}

async function refreshJournal() {
  const endpoint = $("journal-endpoint").value;
  const errcode = $("journal-errcode").value.trim();
  const query = new URLSearchParams({ limit: "200" });
  if (endpoint) query.set("endpoint", endpoint);
  if (errcode) query.set("errcode", errcode);
  const journal = await api("/__admin/journal?" + query);
  $("journal-rows").innerHTML = journal.entries.slice().reverse().map((e) => {
    const answer = e.answer || {};
    const code = answer.errcode === 88 ? "88/" + answer.sub_code : answer.errcode;
    return "<tr><td>" + e.seq + "</td><td>" + chinaTime(e.at) + "</td><td>" + esc(e.endpoint) + "</td><td>" + esc(code === undefined ? "HTTP " + e.status : code) + '</td><td class="muted">' + esc(e.notes.slice(0, 3).join(" · ")) + "</td></tr>";
  }).join("");
  $("journal-dropped").textContent = journal.dropped ? journal.dropped + " older entries dropped" : "";
}

async function refreshQuotas() {
  const quotas = await api("/__admin/quotas");
  const meter = (used, limit) => '<div class="meter"><span style="width:' + Math.min(100, (used / limit) * 100) + '%"></span></div>';
  $("quota-apps").innerHTML = quotas.apps.map((a) => "<tr><td>" + esc(a.name) + " (" + a.agentId + ")</td><td>" + a.minute.used + " / " + a.minute.limit + "</td><td>" + meter(a.minute.used, a.minute.limit) + "</td></tr>").join("");
  $("quota-employees").innerHTML = quotas.employees.map((e) => "<tr><td>" + esc(e.userid) + "</td><td>" + e.agentId + "</td><td>" + e.used + " / " + e.limit + "</td><td>" + meter(e.used, e.limit) + "</td></tr>").join("") || '<tr><td colspan="4" class="muted">No messages today (' + quotas.chinaDay + ")</td></tr>";
}

async function refreshFaults() {
  const { rules } = await api("/__admin/faults");
  $("fault-rows").innerHTML = rules.map((r) => "<tr><td>" + esc(r.id) + "</td><td>" + esc(r.endpoint) + "</td><td>" + esc(r.drop ? "drop" : r.httpStatus ? "HTTP " + r.httpStatus : "errcode " + r.errcode) + "</td><td>" + esc(r.times === undefined ? (r.probability === undefined ? "always" : r.probability * 100 + "%") : r.times + " calls") + "</td><td>" + r.hits + '</td><td><button data-remove="' + esc(r.id) + '">Remove</button></td></tr>').join("") || '<tr><td colspan="6" class="muted">No fault rules</td></tr>';
}

async function refreshAll() {
  await refreshClock();
  if (state.tab === "inbox") await Promise.all([refreshDirectory(), refreshUsers(), refreshInbox()]);
  if (state.tab === "journal") await refreshJournal();
  if (state.tab === "quotas") await refreshQuotas();
  if (state.tab === "faults") await refreshFaults();
}

function showTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll("nav.tabs button")) button.classList.toggle("active", button.dataset.tab === tab);
  for (const view of document.querySelectorAll("[data-view]")) view.classList.toggle("hidden", view.dataset.view !== tab);
  refreshAll().catch(report);
}

function report(error) { $("error").textContent = error.message; setTimeout(() => { $("error").textContent = ""; }, 6000); }

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-tab],[data-dept],[data-user],[data-message],[data-task],[data-remove],#advance,#next-day,#freeze");
  if (!target) return;
  const run = async () => {
    if (target.dataset.tab) return showTab(target.dataset.tab);
    if (target.id === "advance") await post("/__admin/clock", { advanceMs: 60000 });
    else if (target.id === "next-day") await post("/__admin/clock", { now: $("clock").dataset.next });
    else if (target.id === "freeze") await post("/__admin/clock", { frozen: $("freeze").dataset.frozen !== "true" });
    else if (target.dataset.remove) await api("/__admin/faults/" + encodeURIComponent(target.dataset.remove), { method: "DELETE" });
    else if (target.dataset.dept) { state.corpId = target.dataset.corp; state.deptId = Number(target.dataset.dept); state.userid = null; }
    else if (target.dataset.user) { state.userid = target.dataset.user; $("task").classList.add("hidden"); }
    else if (target.dataset.task) return openTask(Number(target.dataset.task), target.dataset.message);
    await refreshAll();
  };
  run().catch(report);
});

$("world").addEventListener("change", () => { location.href = inboxOf($("world").value); });
$("world").addEventListener("focus", () => refreshWorlds().catch(report));
$("open-world").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("world-name").value.trim();
  // A world is created on its first use: opening its inbox is enough.
  if (name) location.href = inboxOf(name);
});
$("open-user").addEventListener("submit", (event) => { event.preventDefault(); state.userid = $("userid").value.trim(); refreshAll().catch(report); });
$("journal-filter").addEventListener("submit", (event) => { event.preventDefault(); refreshJournal().catch(report); });
$("fault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const rule = { endpoint: $("fault-endpoint").value };
  const effect = $("fault-effect").value;
  if (effect === "drop") rule.drop = true; else if (effect.startsWith("http")) rule.httpStatus = Number(effect.slice(4)); else rule.errcode = Number(effect);
  const times = Number($("fault-times").value);
  if (times > 0) rule.times = times;
  post("/__admin/faults", rule).then(refreshFaults).catch(report);
});

function connect() {
  const events = new EventSource(base + "/__admin/events");
  let pending = null;
  events.addEventListener("open", () => { state.live = true; $("live").classList.add("on"); $("live").textContent = "live"; });
  events.addEventListener("error", () => { state.live = false; $("live").classList.remove("on"); $("live").textContent = "reconnecting…"; });
  events.addEventListener("world-dropped", () => {
    events.close();
    state.live = false;
    $("live").classList.remove("on");
    $("live").textContent = "world dropped";
  });
  // A new world took this one's name: show it from scratch.
  events.addEventListener("world-replaced", () => { events.close(); location.reload(); });
  // Bursts of calls refresh once.
  events.addEventListener("call", () => { clearTimeout(pending); pending = setTimeout(() => refreshAll().catch(report), 150); });
}

document.title = (worldName === "default" ? "" : worldName + " · ") + document.title;
showTab("inbox");
refreshWorlds().catch(report);
connect();
`;
