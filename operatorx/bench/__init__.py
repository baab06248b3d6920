"""Benchmarks (run as modules, e.g. ``python -m operatorx.bench.planner``)."""
