/* Renders a ticket's dossier (built by handoff.dossier) into the conversation view.
 * Known sections get their own place; anything else is listed under "Details". */
"use strict";

const Dossier = (() => {
  const { el, clear } = Console;
  const SHOWN = new Set(["summary", "profile", "customer", "transcript", "turns", "suggested_answers",
    "knowledge", "sentiment", "reasons", "intents", "sender_id", "channel", "built_at", "v"]);

  function text(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
    return JSON.stringify(value);
  }

  /* {"a": 1, "b": "x"} -> "a 1 · b x" (one line per lookup, entity, earlier ticket). */
  function flat(value) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return Object.entries(value).filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length))
        .map(([k, v]) => `${k.replace(/_/g, " ")} ${typeof v === "object" ? JSON.stringify(v) : text(v)}`).join(" · ");
    }
    return text(value);
  }

  function summaryText(dossier) {
    const summary = dossier.summary;
    if (!summary) return "No summary.";
    if (typeof summary === "string") return summary;
    if (Array.isArray(summary)) return summary.join(" ");
    return summary.text || summary.headline || text(summary);
  }

  function keyValues(node, object) {
    clear(node);
    const entries = Object.entries(object || {}).filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length));
    if (!entries.length) node.appendChild(el("dd", { class: "muted" }, "—"));
    for (const [key, value] of entries) {
      node.appendChild(el("dt", {}, key.replace(/_/g, " ")));
      if (Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null)) {
        node.appendChild(el("dd", {}, el("ul", { class: "compact" }, value.map((v) => el("li", {}, flat(v))))));
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        node.appendChild(el("dd", {}, el("ul", { class: "compact" }, Object.entries(value)
          .filter(([, v]) => v !== null && v !== "")
          .map(([k, v]) => el("li", {}, `${k.replace(/_/g, " ")}: ${k.endsWith("_at") && typeof v === "number" ? Console.time(v) : flat(v)}`)))));
      } else {
        node.appendChild(el("dd", {}, text(value)));
      }
    }
  }

  function sentimentPoints(dossier) {
    const raw = dossier.sentiment || {};
    const points = Array.isArray(raw) ? raw : (raw.points || []);
    return points.map((p) => (typeof p === "number" ? p : (p && p.score))).filter((v) => typeof v === "number");
  }

  function renderSentiment(node, dossier) {
    clear(node);
    const points = sentimentPoints(dossier);
    if (!points.length) { node.appendChild(el("span", { class: "muted small" }, "no scores")); return; }
    for (const value of points) {
      const bar = el("span", { class: `bar ${value < -0.25 ? "neg" : value > 0.25 ? "pos" : "neu"}`, title: value.toFixed(2) });
      bar.style.height = `${Math.round(4 + Math.abs(value) * 28)}px`;
      node.appendChild(bar);
    }
    const trend = (dossier.sentiment && dossier.sentiment.trend) || "";
    node.appendChild(el("span", { class: "muted small" }, ` ${trend} · last ${points[points.length - 1].toFixed(2)}`));
  }

  function renderReasons(node, reasons) {
    clear(node);
    for (const reason of reasons || []) {
      node.appendChild(el("li", {}, el("strong", {}, reason.code), ` ${reason.detail || ""} `,
        el("span", { class: "score" }, `score ${Number(reason.score).toFixed(2)}`)));
    }
  }

  /* One transcript line: who, when, where, text, and the NLU reading for customer turns. */
  function turnNode(turn, extraClass) {
    const who = turn.speaker === "agent" ? `agent ${turn.agent || ""}` : turn.speaker;
    const meta = [Console.time(turn.timestamp), turn.channel];
    if (turn.intent) meta.push(`${turn.intent} ${turn.confidence != null ? Number(turn.confidence).toFixed(2) : ""}`);
    if (turn.sentiment != null) meta.push(`sentiment ${Number(turn.sentiment).toFixed(2)}`);
    if (turn.delivered === false) meta.push("not delivered");
    return el("li", { class: `turn ${turn.speaker || "system"} ${extraClass || ""}`, dataset: { speaker: turn.speaker || "" } },
      el("div", { class: "who" }, who, el("span", { class: "meta" }, meta.filter(Boolean).join(" · "))),
      el("div", { class: "text" }, turn.text || ""));
  }

  function render(ticket, onUseSuggestion) {
    const dossier = ticket.dossier || {};
    document.getElementById("d-summary").textContent = summaryText(dossier);
    renderReasons(document.getElementById("d-reasons"), ticket.reasons);
    const suggestions = clear(document.getElementById("d-suggestions"));
    if (!ticket.suggestions.length) suggestions.appendChild(el("li", { class: "muted small" }, "none"));
    for (const s of ticket.suggestions) {
      suggestions.appendChild(el("li", {},
        el("div", {}, el("strong", {}, s.title), s.score != null ? el("span", { class: "score" }, ` ${Number(s.score).toFixed(2)}`) : null),
        el("div", { class: "small" }, s.text),
        el("button", { class: "link use-suggestion", onclick: () => onUseSuggestion(s.text) }, "use")));
    }
    keyValues(document.getElementById("d-profile"), dossier.profile || dossier.customer || {});
    renderSentiment(document.getElementById("d-sentiment"), dossier);
    const details = {};
    for (const [key, value] of Object.entries(dossier)) if (!SHOWN.has(key)) details[key] = value;
    keyValues(document.getElementById("d-details"), details);
    const history = clear(document.getElementById("d-history"));
    for (const h of ticket.history || []) {
      history.appendChild(el("li", {}, `${Console.time(h.at)} ${h.action}${h.agent ? ` by ${h.agent}` : ""}${h.to ? ` to ${h.to}` : ""}`));
    }
  }

  function earlierTurns(dossier) {
    const turns = dossier.transcript || dossier.turns || [];
    return Array.isArray(turns) ? turns : [];
  }

  return { render, turnNode, earlierTurns };
})();
