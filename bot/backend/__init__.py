"""The airline backend behind the transactional forms.

`repository.AirlineRepository` is the interface the actions use; `sqlite.SqliteAirlineRepository`
is the demo implementation seeded by `seed.py`. A brand plugs in its own API by implementing
the same interface.
"""
