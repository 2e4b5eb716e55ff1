"""Rekryteringsuppdrag: assignments, their pipeline board and list."""
