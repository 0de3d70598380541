"""`python -m console`: serve the agent console (what `socialcare run` starts).

The process entry point: the settings are read here, once, from the process environment.
"""
import os

from console.app import run
from console.settings import ConsoleSettings

if __name__ == "__main__":
    run(ConsoleSettings.from_env(os.environ))
