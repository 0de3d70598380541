"""Triage: urgency and language signals on each message, and the policy that hands a
conversation to a person when the routing decision says so."""
