"""`python -m socialcare.bench`: the Messenger throughput benchmark (see `throughput`)."""
from socialcare.bench.throughput import main

if __name__ == "__main__":
    raise SystemExit(main())
