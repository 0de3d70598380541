"""The bottom layer: settings from the environment, Redis key rules, paths, the embedded Redis.

Imports nothing of ours; every other package may import it.
"""
