/* Supervisor view: queue health cards, agents online with their load, waiting tickets. */
"use strict";

(async () => {
  const { api, el, clear, notice } = Console;
  await Console.boot();
  let timer = null;

  function card(label, value, kind) {
    return el("div", { class: `card ${kind || ""}` }, el("div", { class: "value" }, String(value)), el("div", { class: "label" }, label));
  }

  async function load() {
    try {
      const [overview, waiting] = await Promise.all([api("GET", "/api/supervisor/overview"), api("GET", "/api/tickets?status=open")]);
      const q = overview.queue;
      const online = overview.agents.filter((a) => a.online).length;
      const health = clear(document.getElementById("health"));
      health.append(
        card("waiting", q.open, q.open > online * 3 ? "warn" : ""),
        card("claimed", q.claimed),
        card("agents online", online, online === 0 && q.open ? "bad" : ""),
        card("SLA breached", q.sla_breached, q.sla_breached ? "bad" : ""),
        card("longest wait", Console.duration(q.longest_wait_s)),
        q.next_deadline_s != null && q.next_deadline_s < 0
          ? card("most overdue", Console.duration(-q.next_deadline_s), "bad")
          : card("next deadline", q.next_deadline_s == null ? "—" : Console.duration(q.next_deadline_s), q.next_deadline_s != null && q.next_deadline_s < 300 ? "warn" : ""),
        ...Object.entries(q.open_by_priority).map(([label, n]) => card(`waiting ${label}`, n)),
      );
      const agents = clear(document.getElementById("agents"));
      for (const a of overview.agents) {
        agents.appendChild(el("tr", { dataset: { agent: a.name } }, el("td", {}, a.name), el("td", {}, a.role),
          el("td", { class: a.online ? "online" : "muted" }, a.online ? "online" : "offline"), el("td", {}, String(a.claimed))));
      }
      const rows = clear(document.getElementById("waiting"));
      for (const t of waiting.tickets) {
        rows.appendChild(el("tr", {}, el("td", {}, el("span", { class: `tag p${t.effective_priority}` }, `P${t.effective_priority}`)),
          el("td", {}, el("a", { href: `/#${t.id}` }, t.customer)), el("td", {}, t.channel),
          el("td", {}, Console.duration(t.waiting_s || 0)),
          el("td", {}, t.sla && t.sla.deadline ? el("span", { class: "sla", dataset: { deadline: t.sla.deadline } }) : "—"),
          el("td", { class: "small" }, t.reasons.map((r) => `${r.code} ${Number(r.score).toFixed(2)}`).join(", "))));
      }
      Console.tickTimers();
    } catch (error) {
      notice(`Could not load the overview: ${error.message}`, "error");
    }
  }

  async function act(letter, action) {
    try {
      await api("POST", `/api/dead-letters/${encodeURIComponent(letter.platform)}/${encodeURIComponent(letter.id)}/${action}`);
      notice(`Dead letter ${letter.id}: ${action === "replay" ? "replayed" : "dropped"}`);
    } catch (error) {
      notice(`Could not ${action} ${letter.id}: ${error.message}`, "error");
    }
    await loadDead();
  }

  async function loadDead() {
    try {
      const dead = await api("GET", "/api/dead-letters?limit=50");
      document.getElementById("dead-count").textContent = `(${dead.count})`;
      const rows = clear(document.getElementById("dead-letters"));
      for (const d of dead.letters) {
        const ids = [d.event_id, d.reply_id, d.thread].filter(Boolean).join(" · ");
        const buttons = el("td", {});
        if (d.replayable) {
          const again = el("button", { class: "link" }, "Replay");
          again.addEventListener("click", () => act(d, "replay"));
          buttons.appendChild(again);
        }
        const drop = el("button", { class: "link" }, "Drop");
        drop.addEventListener("click", () => act(d, "drop"));
        buttons.appendChild(drop);
        rows.appendChild(el("tr", { dataset: { letter: d.id } }, el("td", {}, new Date(d.at_ms).toLocaleString()),
          el("td", {}, d.platform), el("td", {}, d.source), el("td", { class: "small" }, d.reason),
          el("td", { class: "small" }, ids), buttons));
      }
    } catch (error) {
      notice(`Could not load the dead letters: ${error.message}`, "error");
    }
  }

  await load();
  await loadDead();
  setInterval(loadDead, 30000);
  Console.live("/api/live", () => { clearTimeout(timer); timer = setTimeout(load, 300); }, {
    onStatus: (up) => document.getElementById("live-state").classList.toggle("up", up),
  });
  setInterval(load, 15000);
})();
