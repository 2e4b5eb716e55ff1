"""Avtal (agreements) with employers."""
