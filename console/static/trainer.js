/* Trainer view: recent low-confidence customer messages from handed-over conversations. */
"use strict";

(async () => {
  const { api, el, clear, notice } = Console;
  const info = await Console.boot();
  const canOpen = (info.permissions || []).includes("tickets:read");

  async function load() {
    const below = document.getElementById("threshold").value || "0.6";
    try {
      const data = await api("GET", `/api/trainer/recent?below=${encodeURIComponent(below)}`);
      const body = clear(document.getElementById("messages"));
      if (!data.messages.length) body.appendChild(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "Nothing below the threshold.")));
      for (const m of data.messages) {
        body.appendChild(el("tr", {}, el("td", { class: "small" }, Console.time(m.timestamp)), el("td", {}, m.text),
          el("td", {}, m.intent || "—"), el("td", {}, m.confidence == null ? "—" : Number(m.confidence).toFixed(2)),
          el("td", { class: "small" }, m.reasons.join(", ")),
          el("td", {}, canOpen ? el("a", { href: `/#${m.ticket_id}` }, m.ticket_id) : m.ticket_id)));
      }
    } catch (error) {
      notice(`Could not load messages: ${error.message}`, "error");
    }
  }

  document.getElementById("threshold").addEventListener("change", load);
  await load();
})();
