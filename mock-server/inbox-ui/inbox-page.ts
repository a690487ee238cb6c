import { INBOX_SCRIPT } from "./inbox-script.ts";
import { INBOX_STYLES } from "./inbox-styles.ts";

/** The whole web inbox in one document: works offline, nothing to build or fetch from elsewhere. */
export const INBOX_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mock DingTalk inbox</title>
<style>${INBOX_STYLES}</style>
</head>
<body>
<header>
  <h1>Mock DingTalk inbox</h1>
  <label class="world">World <select id="world" title="Each world has its own clock, quotas, tokens, faults, journal and inboxes"></select></label>
  <form class="inline" id="open-world"><input id="world-name" placeholder="another world" size="12" aria-label="world name"><button>Open</button></form>
  <span class="clock" id="clock">…</span>
  <button id="advance" title="Move the mock's clock one minute on">+1 minute</button>
  <button id="next-day" title="Jump to 00:00 China time of the next day">Next China day</button>
  <button id="freeze">Freeze clock</button>
  <span class="live" id="live">connecting…</span>
  <span class="muted" id="error" role="alert"></span>
</header>
<nav class="tabs">
  <button data-tab="inbox">Inbox</button>
  <button data-tab="journal">Journal</button>
  <button data-tab="quotas">Quotas</button>
  <button data-tab="faults">Faults</button>
</nav>
<main data-view="inbox">
  <section class="panel"><h2>Departments</h2><ul class="list" id="departments"></ul></section>
  <section class="panel">
    <h2 id="users-title">Employees</h2>
    <form class="inline" id="open-user"><input id="userid" placeholder="userid, e.g. 123" size="14"><button>Open</button></form>
    <ul class="list" id="users"></ul>
  </section>
  <section class="panel">
    <h2 id="inbox-title">Inbox</h2>
    <div id="messages"></div>
    <div id="task" class="hidden"></div>
  </section>
</main>
<main data-view="journal" class="hidden" style="grid-template-columns:1fr">
  <section class="panel">
    <h2>Journal</h2>
    <form class="inline" id="journal-filter">
      <select id="journal-endpoint">
        <option value="">every endpoint</option>
        <option>sendByTemplate</option><option>getSendProgress</option><option>getSendResult</option><option>recall</option>
        <option>getToken</option><option>getCorpToken</option><option>listSubDepartments</option><option>listDepartmentUsers</option><option>unknown</option>
      </select>
      <input id="journal-errcode" placeholder="errcode" size="8" inputmode="numeric">
      <button>Filter</button> <span class="muted" id="journal-dropped"></span>
    </form>
    <table><thead><tr><th>#</th><th>China time</th><th>endpoint</th><th>errcode</th><th>why</th></tr></thead><tbody id="journal-rows"></tbody></table>
  </section>
</main>
<main data-view="quotas" class="hidden" style="grid-template-columns:1fr">
  <section class="panel">
    <h2>Recipients this minute, per app</h2>
    <table><tbody id="quota-apps"></tbody></table>
    <h2 style="margin-top:16px">Today's busiest employees, per app</h2>
    <table><thead><tr><th>userid</th><th>agent</th><th>messages</th><th></th></tr></thead><tbody id="quota-employees"></tbody></table>
  </section>
</main>
<main data-view="faults" class="hidden" style="grid-template-columns:1fr">
  <section class="panel">
    <h2>Fault rules</h2>
    <form class="inline" id="fault-form">
      <select id="fault-endpoint"><option>sendByTemplate</option><option>getSendResult</option><option>getToken</option><option>getCorpToken</option><option value="*">every endpoint</option></select>
      <select id="fault-effect"><option value="-1">errcode -1 (busy)</option><option value="500">errcode 500</option><option value="http502">HTTP 502</option><option value="drop">drop the connection</option></select>
      <input id="fault-times" type="number" min="1" value="1" size="4" aria-label="calls"> calls
      <button>Add</button>
    </form>
    <table><thead><tr><th>id</th><th>endpoint</th><th>effect</th><th>for</th><th>fired</th><th></th></tr></thead><tbody id="fault-rows"></tbody></table>
  </section>
</main>
<script>${INBOX_SCRIPT}</script>
</body>
</html>`;
