"""Demo data: realistic Swedish employers, contacts and a few years of calls, in bulk.

`matcha seed --companies N` and the benchmark (bench/) use it. Rows go in with bulk
INSERTs of a few thousand at a time; the derived columns are computed with the same
helpers the services use, so the data looks as if it had been typed in. run.py fills the
database, generator.py makes the rows, data.py holds the word lists they are drawn from.
"""

from app.seed.run import BROKER_COUNT, SeedRefused, SeedReport, seed

__all__ = ["BROKER_COUNT", "SeedRefused", "SeedReport", "seed"]
