"""Benchmarks and evaluations (`make bench`, `make bench-nlu`, `make eval`, NLU comparison).

Top floor: may import anything below; nothing imports it.
"""
