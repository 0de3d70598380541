/* Login page: fetch a CSRF token, post the credentials, go to the queue. */
"use strict";

(async () => {
  const form = document.getElementById("login-form");
  const info = await Console.session();
  if (info.user) { window.location.href = "/"; return; }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Console.notice("Signing in…");
    try {
      await Console.api("POST", "/api/login", {
        username: document.getElementById("username").value,
        password: document.getElementById("password").value,
      });
      window.location.href = "/";
    } catch (error) {
      document.getElementById("password").value = "";
      Console.notice(error.status === 429 ? "Too many failed attempts; try again later." : "Wrong user name or password.", "error");
      await Console.session();
    }
  });
})();
