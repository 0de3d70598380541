"""The triage policy: hands a conversation to a person when the routing decision says so."""
