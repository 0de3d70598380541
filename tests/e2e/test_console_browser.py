"""A real browser (Playwright driving Debian's /usr/bin/chromium, headless) uses the console:
an agent logs in, claims a Messenger ticket, sees the customer's next message arrive
live, replies (the reply reaches a recording fake Graph API) and resolves (the fake Rasa
gets ConversationResumed). Screenshots land in tests/artifacts/ (git-ignored).

Everything listens on 127.0.0.1: a real redis-server, the console app, the fakes.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import pytest_asyncio

from console import appkeys
from tests.conftest import PROJECT_ROOT
from tests.helpers.console_harness import (
    PASSWORD,
    FakeRasaAPI,
    add_user,
    console_server,
    console_settings,
    make_ticket,
    messenger_dossier,
    messenger_relay,
)
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.handoff_support import run_redis

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PSID = "2400000000000777"
# What the probe of this machine kind found necessary for headless Chromium as root with
# no network: no sandbox, no GPU, and no background traffic to Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-browser-redis"))


@pytest_asyncio.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.mark.asyncio
async def test_agent_logs_in_claims_replies_and_resolves(redis_port, tmp_path, browser):
    from handoff.tickets import TranscriptTurn

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with FakeGraphAPI(page_token="page-token") as graph, FakeRasaAPI() as rasa:
        settings = console_settings(redis_port, tmp_path)  # Secure cookie on: as `make run` serves it
        async with console_server(settings, messenger_relay(graph.graph_url, rasa)) as server:
            await add_user(server, "ann", "agent")
            store = server.app[appkeys.STORE]
            seeded = make_ticket(sender=PSID, channel="messenger", priority=2,
                                 dossier=messenger_dossier(PSID, time.time() - 120))
            ticket, _ = await store.create(seeded)
            base = str(server.make_url("")).rstrip("/")

            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(15000)
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # CSP violations and failed loads show up as console errors (the wrong password's
            # 401 is expected and filtered out).
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "401" not in msg.text else None)

            # Not logged in: the queue sends us to the login page.
            await page.goto(f"{base}/")
            await page.wait_for_url(f"{base}/login")
            await page.fill("#username", "ann")
            await page.fill("#password", "wrong password here")
            await page.click("#login-submit")
            await page.wait_for_selector("#notice.error")
            await page.fill("#username", "ann")
            await page.fill("#password", PASSWORD)
            await page.click("#login-submit")
            await page.wait_for_url(f"{base}/")

            row = page.locator(f'.ticket-row[data-id="{ticket.id}"]')
            await row.wait_for()
            assert "Dana Kim" in await row.inner_text()
            await row.click()
            await page.wait_for_selector(f'#conversation[data-ticket="{ticket.id}"]')
            await page.wait_for_selector("#d-summary:has-text('lost bag')")

            await page.click("#btn-claim")
            await page.wait_for_selector("#t-status:text-is('claimed')")
            assert (await store.get(ticket.id)).owner == "ann"
            await page.wait_for_selector(f'.ticket-row[data-id="{ticket.id}"][data-status="claimed"]')

            # The customer writes again during the handoff: it shows up live.
            await store.append_turn(ticket.id, TranscriptTurn("customer", "any news on my bag?", time.time(),
                                                              channel="messenger"))
            await page.wait_for_selector(".turn.customer:has-text('any news on my bag?')")

            await page.fill("#reply-text", "Hi Dana, your bag is on the next flight to Dublin.")
            await page.click("#btn-send")
            await page.wait_for_selector(".turn.agent:has-text('your bag is on the next flight')")
            sent = graph.successful("/me/messages")
            assert [r.json["message"]["text"] for r in sent] == ["Hi Dana, your bag is on the next flight to Dublin."]
            assert sent[0].json["recipient"]["id"] == PSID
            await page.screenshot(path=str(ARTIFACTS / "console_conversation.png"), full_page=True)

            await page.fill("#resolution", "bag traced, on its way")
            await page.click("#btn-resolve")
            await page.wait_for_selector("#t-status:text-is('resolved')")
            resolved = await store.get(ticket.id)
            assert resolved.status == "resolved" and resolved.resolution == "bag traced, on its way"
            assert any(e["event"] == "resume" for e in rasa.events_of(PSID))
            await page.screenshot(path=str(ARTIFACTS / "console_resolved.png"), full_page=True)
            assert errors == []
            await context.close()
    assert (ARTIFACTS / "console_conversation.png").stat().st_size > 10_000


@pytest.mark.asyncio
async def test_supervisor_and_trainer_pages(redis_port, tmp_path, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with console_server(console_settings(redis_port, tmp_path)) as server:
        for name, role in (("sam", "supervisor"), ("tia", "trainer")):
            await add_user(server, name, role)
        store = server.app[appkeys.STORE]
        late, _ = await store.create(make_ticket(priority=1, sla_in=-60))
        base = str(server.make_url("")).rstrip("/")

        async def sign_in(name):
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            page = await context.new_page()
            page.set_default_timeout(15000)
            await page.goto(f"{base}/login")
            await page.fill("#username", name)
            await page.fill("#password", PASSWORD)
            await page.click("#login-submit")
            await page.wait_for_url(f"{base}/")
            return context, page

        context, page = await sign_in("sam")
        # The link is revealed by common.js once the session is fetched: wait for it.
        await page.wait_for_selector("#nav-supervisor", state="visible")
        assert await page.is_visible("#nav-supervisor")
        await page.click("#nav-supervisor")
        await page.wait_for_selector('#agents tr[data-agent="sam"] td.online')
        health = await page.inner_text("#health")
        assert "SLA breached" in health and "agents online" in health
        await page.wait_for_selector("#waiting .sla.breached")
        await page.screenshot(path=str(ARTIFACTS / "console_supervisor.png"), full_page=True)
        await context.close()

        context, page = await sign_in("tia")
        assert not await page.is_visible("#nav-supervisor")
        await page.click("#nav-trainer")
        await page.wait_for_selector(f"#messages a[href='/#{late.id}']")
        assert "my bag never arrived" in await page.inner_text("#messages")
        response = await page.goto(f"{base}/supervisor")
        assert response.status == 403
        await context.close()
