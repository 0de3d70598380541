"""Rasa graph components of the assistant: glue in component.py, pure code beside it."""
