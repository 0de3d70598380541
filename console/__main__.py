"""`python -m console`: serve the agent console (what `socialcare run` starts)."""
from console.app import run

if __name__ == "__main__":
    run()
