"""Benchmarks: figures measured on real servers, printed and written as JSON (never asserted)."""
