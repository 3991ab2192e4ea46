"""Benchmarks for `make bench`. Each reports figures as ratios against a baseline measured
in the same run, on the same machine, so numbers compare across machines."""
