"""The reference assistant: a fictional airline, Aurora Air (IATA code AU).

A brand replaces this package with its own domain, data, actions and backend.
"""
