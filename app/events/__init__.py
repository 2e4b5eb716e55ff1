"""Rekryteringsträffar: events with participating companies, checklist and outcome."""
