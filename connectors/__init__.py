"""Platform connectors for socialcare.

The pure core lives here: ``security`` (HMAC helpers and typed errors), ``events``
(platform-neutral dataclasses) and one package per platform whose ``events`` module
verifies and parses webhooks without any framework import. Rasa channels, HTTP
clients and the durable intake are separate modules that wrap this core.
"""
