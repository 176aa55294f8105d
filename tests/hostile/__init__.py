"""Hostile inputs for tests/test_hostile_inputs.py, one module per pair of surfaces."""
