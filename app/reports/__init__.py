"""Rapporter: what came of the work, per period, broker and employment type."""
