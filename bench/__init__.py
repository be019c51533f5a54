"""geomap benchmarks: `python -m bench` (or `make bench`) runs every bench_*.py and prints figures."""
