"""Human handoff: tickets, the dossier, the Redis queue, live transcripts and the relay.

What the agent console (``console/``) calls. Everything is async and takes its Redis
client / HTTP sessions from the caller's process; nothing runs at import.

Setup (one per console process, e.g. in an aiohttp ``cleanup_ctx``)::

    from handoff.connect import RelaySettings
    from handoff.relay import Relay
    settings = RelaySettings.from_env(env)    # once, at the process's start
    relay = Relay.from_settings(settings)     # TicketStore on the Redis of core.settings,
    await relay.start()               # Rasa HTTP API client (RASA_URL, RASA_TOKEN), platform clients
    store = relay.store               # handoff.store.TicketStore
    ...
    await relay.close()

Queue and tickets (`handoff.store.TicketStore`, tickets are `handoff.tickets.Ticket`)::

    await store.list_open()                  # open tickets, earliest SLA deadline first
    await store.list_claimed(agent=None)     # claimed (by one agent)
    await store.list_resolved(limit, offset) # newest first; stay forever, with dossier
    await store.search("bag dublin")         # every word must match (dossier included)
    await store.get(ticket_id)               # -> Ticket (ticket.dossier is a JSON dict)
    await store.transcript(ticket_id)        # live turns since the handoff [(entry_id, TranscriptTurn)]
    await store.claim(ticket_id, agent)      # atomic; TicketOwned if someone else has it
    await store.release(ticket_id, agent)    # back to the queue; customer stays with people
    await store.transfer(ticket_id, agent, to_agent, force=is_supervisor)
    await store.stats()                      # QueueStats(open, claimed, agents_online)
    await store.position(ticket_id)          # open tickets ahead of this one
    await store.active_ticket(sender_id)     # the sender's unresolved ticket, if any
    await store.heartbeat(agent) / store.agents_online() / store.sign_off(agent)
    handoff.priority.effective_priority(ticket, now, policy)  # with waiting-time ageing

Live updates (websocket)::

    async for event in store.subscribe(ticket_id, last_id="0"):   # replay, then live
        event.kind          # "turn" (event.turn is a TranscriptTurn) or "status"
        event.entry_id      # pass back as last_id to resume after a reconnect
    async for event in store.feed():                               # queue-wide changes
        event.data["action"], event.data["ticket_id"]

Replying and resolving (`handoff.relay.Relay`; these also write the Rasa tracker)::

    turn = await relay.send_agent_reply(ticket_id, text, agent)
        # sends through the customer's channel (Messenger: HUMAN_AGENT tag after 24 h,
        # up to 7 days; X DM; public X reply), records a BotUttered agent turn in the
        # Rasa tracker and a TranscriptTurn(speaker="agent") on the ticket.
        # Raises NotOwner, InvalidTransition, WindowClosed(.channel, .alternatives),
        # DeliveryFailed.
    ticket = await relay.resolve(ticket_id, agent, resolution="", ask_csat=True)
        # closes the ticket, appends ConversationResumed to the Rasa conversation (the bot
        # answers the next message again) and, with ask_csat, asks the customer for a
        # 1-5 score; the answer lands on ticket.csat.
    handoff.relay.window_state(ticket, now) -> MessagingWindow(open, state, tag, closes_at,
        alternatives, reason)    # what the reply box shows (relay.window(ticket) also
                                 # counts customer messages that arrived live)

Errors (`handoff.errors`) carry an HTTP ``status``: TicketNotFound 404, TicketOwned 409,
InvalidTransition 409, NotOwner 403, WindowClosed 409, DeliveryFailed 502, StoreBusy 503.

Modules: tickets (dataclasses, versioned JSON), keys (every Redis key name), transitions
(the pure rules of status changes and ownership), store and live (queue, transactions,
streams), dossier + summary + suggest (pure), config + hours + priority + wait + window
(pure team rules from bot/handoff.yml), opening (ticket from a tracker), broker (Rasa
event broker), relay + senders + rasa_api (replies, resolve), csat (the satisfaction
question), connect (settings from an environment mapping, the store they open), errors.

How the pieces meet: ``action_handoff`` (action server) builds the dossier from the
tracker (`handoff.dossier`, pure), creates the ticket, tells the customer the expected
wait (`handoff.wait`) and pauses the Rasa conversation. While the sender has an active
ticket, Rasa logs but does not answer their messages; the event broker
(`handoff.broker.HandoffEventBroker`, endpoints.yml) copies each customer message into
the ticket's transcript stream, where the console sees it live.
"""
