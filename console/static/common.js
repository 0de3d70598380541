/* Shared helpers of the console pages: API calls with the CSRF token, safe DOM building
 * (text only, never innerHTML with data), time formatting and reconnecting websockets. */
"use strict";

const Console = (() => {
  let csrf = null;
  let user = null;
  let clockOffset = 0; // server seconds - browser seconds

  async function session() {
    const response = await fetch("/api/session", { credentials: "same-origin", cache: "no-store" });
    const body = await response.json();
    csrf = body.csrf_token;
    user = body.user;
    return body;
  }

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrf || "";
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 401 && path !== "/api/login") {
      window.location.href = "/login";
      throw new Error("login required");
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (data && typeof data.now === "number") clockOffset = data.now - Date.now() / 1000;
    if (!response.ok) {
      const error = new Error((data && data.error) || `HTTP ${response.status}`);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  function now() { return Date.now() / 1000 + clockOffset; }

  /* el("div", {class: "x", dataset: {id: 1}, onclick: fn}, "text", child, ...) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function duration(seconds) {
    const sign = seconds < 0 ? "-" : "";
    let s = Math.abs(Math.round(seconds));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return h ? `${sign}${h}h ${String(m).padStart(2, "0")}m` : `${sign}${m}m ${String(s).padStart(2, "0")}s`;
  }

  function time(ts) {
    if (!ts) return "";
    return new Date(ts * 1000).toLocaleString([], { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "short" });
  }

  /* Every .sla[data-deadline] element shows the time left and turns red when breached. */
  function tickTimers() {
    for (const node of document.querySelectorAll(".sla[data-deadline]")) {
      const left = Number(node.dataset.deadline) - now();
      node.textContent = left >= 0 ? `SLA ${duration(left)}` : `SLA breached ${duration(-left)}`;
      node.classList.toggle("breached", left < 0);
      node.classList.toggle("soon", left >= 0 && left < 300);
    }
  }

  /* A websocket that reconnects (bounded backoff) and resumes after the last event id. */
  function live(path, onEvent, options = {}) {
    let socket = null;
    let closed = false;
    let lastId = options.lastId || null;
    let delay = 500;
    function open() {
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      const sep = path.includes("?") ? "&" : "?";
      const url = `${scheme}://${window.location.host}${path}${lastId ? `${sep}last_id=${encodeURIComponent(lastId)}` : ""}`;
      socket = new WebSocket(url);
      socket.onopen = () => { delay = 500; if (options.onStatus) options.onStatus(true); };
      socket.onmessage = (message) => {
        if (message.data === "pong") return;
        const event = JSON.parse(message.data);
        if (event.id) lastId = event.id;
        onEvent(event);
      };
      socket.onclose = () => {
        if (options.onStatus) options.onStatus(false);
        if (closed) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      };
    }
    open();
    return { close() { closed = true; if (socket) socket.close(); } };
  }

  function notice(text, kind) {
    const node = document.getElementById("notice");
    if (!node) return;
    node.textContent = text || "";
    node.className = kind ? `notice ${kind}` : "notice";
  }

  /* Header: user name, links the role allows, logout. */
  function header(info) {
    const name = document.getElementById("user-name");
    if (name && info.user) name.textContent = `${info.user.name} (${info.user.role})`;
    const perms = new Set(info.permissions || []);
    for (const [id, perm] of [["nav-queue", "tickets:read"], ["nav-supervisor", "supervisor"], ["nav-trainer", "trainer"]]) {
      const link = document.getElementById(id);
      if (link) link.hidden = !perms.has(perm);
    }
    const logout = document.getElementById("logout");
    if (logout) logout.addEventListener("click", async () => {
      try { await api("POST", "/api/logout"); } finally { window.location.href = "/login"; }
    });
  }

  async function boot() {
    const info = await session();
    if (!info.user) { window.location.href = "/login"; throw new Error("login required"); }
    header(info);
    setInterval(tickTimers, 1000);
    return info;
  }

  return { session, api, el, clear, duration, time, now, tickTimers, live, notice, boot,
           get user() { return user; } };
})();
