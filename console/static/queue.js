/* Queue and conversation view: list tickets with SLA timers, open one with its dossier and
 * live transcript, claim / release / transfer / resolve it, reply through its channel. */
"use strict";

(async () => {
  const { api, el, clear, notice } = Console;
  const $ = (id) => document.getElementById(id);
  const info = await Console.boot();
  const me = info.user.name;
  const perms = new Set(info.permissions || []);
  const canWork = perms.has("tickets:work");
  const canAny = perms.has("tickets:any");
  let current = null;        // ticket detail shown
  let ticketSocket = null;   // live transcript of the current ticket
  let seen = new Set();      // stream entry ids already shown
  let canned = [];
  let queueTimer = null;

  function priorityTag(t) {
    const label = t.effective_priority < t.priority ? `P${t.effective_priority} (was P${t.priority})` : `P${t.priority} ${t.priority_label}`;
    return el("span", { class: `tag p${t.effective_priority}` }, label);
  }

  function slaNode(t) {
    if (t.status === "resolved" || !t.sla || !t.sla.deadline) return el("span", { class: "muted small" }, t.status);
    return el("span", { class: "sla", dataset: { deadline: t.sla.deadline } });
  }

  async function loadQueue() {
    const filter = $("queue-filter").value;
    const q = $("queue-search").value.trim();
    const params = new URLSearchParams({ status: filter });
    if (q) params.set("q", q);
    try {
      const data = await api("GET", `/api/tickets?${params}`);
      const list = clear($("queue-list"));
      for (const t of data.tickets) {
        list.appendChild(el("li", {
          class: `ticket-row ${current && current.id === t.id ? "selected" : ""} ${t.status}`,
          dataset: { id: t.id, status: t.status }, tabindex: "0",
          onclick: () => selectTicket(t.id),
          onkeydown: (e) => { if (e.key === "Enter") selectTicket(t.id); },
        },
        el("div", { class: "row-head" }, priorityTag(t), el("strong", {}, t.customer), slaNode(t)),
        el("div", { class: "row-meta small muted" }, `${t.channel} · ${t.status}${t.owner ? ` · ${t.owner}` : ""} · ${t.reasons.map((r) => r.code).join(", ")}`),
        t.summary ? el("div", { class: "row-summary small" }, t.summary) : null));
      }
      $("queue-empty").hidden = data.tickets.length > 0;
      Console.tickTimers();
    } catch (error) {
      notice(`Could not load the queue: ${error.message}`, "error");
    }
  }

  function scheduleQueue() {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(loadQueue, 250);
  }

  function renderHead(t) {
    $("t-customer").textContent = t.customer;
    $("t-channel").textContent = t.channel;
    const p = $("t-priority");
    p.textContent = `P${t.effective_priority} ${t.priority_label}`;
    p.className = `tag p${t.effective_priority}`;
    $("t-status").textContent = t.status;
    $("t-status").className = `tag status-${t.status}`;
    $("t-owner").textContent = t.owner ? `owner: ${t.owner}` : "unclaimed";
    const sla = $("t-sla");
    if (t.status !== "resolved" && t.sla && t.sla.deadline) { sla.dataset.deadline = t.sla.deadline; } else { delete sla.dataset.deadline; sla.textContent = t.csat ? `CSAT ${t.csat}/5` : ""; }
    const mine = t.status === "claimed" && t.owner === me;
    const manage = t.status === "claimed" && (mine || canAny);
    $("btn-claim").hidden = !canWork || t.status !== "open";
    for (const id of ["btn-release", "btn-resolve", "resolution"]) $(id).hidden = !canWork || !manage;
    const noTargets = $("transfer-to").options.length === 0;
    for (const id of ["btn-transfer", "transfer-to"]) $(id).hidden = !canWork || !manage || noTargets;
    $("ask-csat").parentElement.hidden = !canWork || !manage;
    $("reply-form").hidden = !canWork || t.status === "resolved";
    $("reply-text").disabled = !mine;
    $("btn-send").disabled = !mine;
    $("reply-text").placeholder = mine ? "Reply to the customer" : "Claim the ticket to reply";
    const w = t.window;
    const wn = $("window-notice");
    if (w && w.open === false) { wn.hidden = false; wn.textContent = `Messaging window closed: ${w.reason || ""}`; }
    else if (w && w.tag) { wn.hidden = false; wn.textContent = `Replies go out with the ${w.tag} tag${w.closes_at ? ` until ${Console.time(w.closes_at)}` : ""}.`; }
    else { wn.hidden = true; }
    fillCanned(t);
    Console.tickTimers();
  }

  function fillCanned(t) {
    const select = clear($("canned"));
    select.appendChild(el("option", { value: "" }, "Canned responses…"));
    for (const c of canned) {
      if (c.channels.length && !c.channels.includes(t.channel)) continue;
      select.appendChild(el("option", { value: c.id }, c.title));
    }
  }

  function insertReply(text) {
    const box = $("reply-text");
    const filled = text.replace(/\{name\}/g, current ? current.customer : "").replace(/\{agent\}/g, me);
    box.value = box.value ? `${box.value} ${filled}` : filled;
    box.dispatchEvent(new Event("input"));
    box.focus();
  }

  function addTurn(turn, entryId, extraClass) {
    // The same turn can be in the dossier and in the live stream: show it once.
    const key = `${turn.speaker}|${Math.round(Number(turn.timestamp) || 0)}|${turn.text}`;
    if (seen.has(key) || (entryId && seen.has(entryId))) return;
    seen.add(key);
    if (entryId) seen.add(entryId);
    const list = $("transcript");
    list.appendChild(Dossier.turnNode(turn, extraClass));
    list.scrollTop = list.scrollHeight;
  }

  async function refreshTicket() {
    if (!current) return;
    const id = current.id;
    const data = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
    if (!current || current.id !== id) return;  // another ticket was opened meanwhile
    current = data.ticket;
    renderHead(current);
    Dossier.render(current, insertReply);
  }

  let refreshTimer = null;
  function scheduleRefresh() {  // a replayed stream brings many status events at once
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refreshTicket().catch(() => {}), 200);
  }

  async function selectTicket(id) {
    if (ticketSocket) { ticketSocket.close(); ticketSocket = null; }
    notice("");
    try {
      const data = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
      current = data.ticket;
    } catch (error) {
      notice(`Could not open the ticket: ${error.message}`, "error");
      return;
    }
    window.location.hash = id;
    $("placeholder").hidden = true;
    $("conversation").hidden = false;
    $("conversation").dataset.ticket = id;
    seen = new Set();
    const transcript = clear($("transcript"));
    for (const turn of Dossier.earlierTurns(current.dossier)) addTurn(turn, null, "earlier");
    transcript.appendChild(el("li", { class: "divider" }, "handed over to the team"));
    renderHead(current);
    Dossier.render(current, insertReply);
    for (const row of document.querySelectorAll(".ticket-row")) row.classList.toggle("selected", row.dataset.id === id);
    ticketSocket = Console.live(`/api/tickets/${encodeURIComponent(id)}/live`, (event) => {
      if (!current || current.id !== id) return;
      if (event.kind === "turn") addTurn(event.data, event.id);
      else { scheduleRefresh(); scheduleQueue(); }
    }, { lastId: "0" });
  }

  async function act(label, path, body) {
    if (!current) return null;
    try {
      const result = await api("POST", `/api/tickets/${encodeURIComponent(current.id)}/${path}`, body);
      notice(`${label}.`, "ok");
      await refreshTicket();
      await loadQueue();
      return result;
    } catch (error) {
      const owner = error.data && error.data.owner ? ` (owner: ${error.data.owner})` : "";
      notice(`${label} failed: ${error.message}${owner}`, "error");
      await refreshTicket().catch(() => {});
      return null;
    }
  }

  async function loadAgents() {
    try {
      const data = await api("GET", "/api/agents");
      const select = clear($("transfer-to"));
      for (const a of data.agents) {
        if (a.name === me) continue;
        select.appendChild(el("option", { value: a.name }, `${a.name}${a.online ? " (online)" : ""} · ${a.claimed} open`));
      }
    } catch (error) { /* transfer list stays empty */ }
  }

  $("btn-claim").addEventListener("click", () => act("Claimed", "claim"));
  $("btn-release").addEventListener("click", () => act("Released to the queue", "release"));
  $("btn-transfer").addEventListener("click", () => {
    const to = $("transfer-to").value;
    if (to) act(`Transferred to ${to}`, "transfer", { to });
  });
  $("btn-resolve").addEventListener("click", async () => {
    const done = await act("Resolved; the bot has the conversation again", "resolve",
      { resolution: $("resolution").value, ask_csat: $("ask-csat").checked });
    if (done) $("resolution").value = "";
  });
  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text || !current) return;
    $("btn-send").disabled = true;
    try {
      await api("POST", `/api/tickets/${encodeURIComponent(current.id)}/reply`, { text });
      $("reply-text").value = "";
      $("reply-text").dispatchEvent(new Event("input"));
      notice("Reply sent.", "ok");
    } catch (error) {
      if (error.status === 422 && error.data && error.data.kind === "PersonalDataInPublic") {
        // A public reply with personal data: the agent sends it by DM instead, or edits it.
        const via = (error.data.alternatives || [])[0];
        if (via && window.confirm(`${error.message}\n\nOK: send it by DM instead. Cancel: edit the reply.`)) {
          try {
            await api("POST", `/api/tickets/${encodeURIComponent(current.id)}/reply`, { text, via });
            $("reply-text").value = "";
            $("reply-text").dispatchEvent(new Event("input"));
            notice("Reply sent by DM.", "ok");
          } catch (again) { notice(`Reply not sent: ${again.message}.`, "error"); }
        } else {
          notice("Not sent: edit the reply to remove the personal data.", "warn");
        }
        return;
      }
      const alt = error.data && error.data.alternatives && error.data.alternatives.length ? ` Try: ${error.data.alternatives.join(", ")}.` : "";
      notice(`Reply not sent: ${error.message}.${alt}`, "error");
    } finally {
      $("btn-send").disabled = !(current && current.owner === me && current.status === "claimed");
    }
  });
  $("reply-text").addEventListener("input", () => {
    const n = $("reply-text").value.length;
    $("reply-count").textContent = n ? `${n} characters${current && current.channel === "twitter_mention" && n > 280 ? " (public replies are split past 280)" : ""}` : "";
  });
  $("canned").addEventListener("change", (event) => {
    const item = canned.find((c) => c.id === event.target.value);
    if (item) insertReply(item.text);
    event.target.value = "";
  });
  $("queue-filter").addEventListener("change", loadQueue);
  $("queue-search").addEventListener("input", scheduleQueue);

  try { canned = (await api("GET", "/api/canned")).responses; } catch (error) { canned = []; }
  await loadAgents();
  await loadQueue();
  Console.live("/api/live", () => scheduleQueue(), {
    onStatus: (up) => { $("live-state").classList.toggle("up", up); },
  });
  setInterval(loadQueue, 20000);
  setInterval(loadAgents, 60000);
  const initial = window.location.hash.slice(1);
  if (initial) selectTicket(initial);
})();
