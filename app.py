import gc

from cms import create_app

app = create_app()
# What starting made (the app, its templates, the database mappers) lives as long as the process. Kept out of the
# collector's sight, a full collection walks only what requests make: ≈7 ms instead of ≈100 ms, which set the
# slowest requests' time (tests/bench, issue #16).
gc.freeze()
