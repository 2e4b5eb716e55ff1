"""Benchmarks: server-side render times of the main pages on the 50,000-company demo data."""
