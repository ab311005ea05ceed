"""The benchmark: `python -m tests.bench.run` (`make bench`). Not part of the test suite."""
