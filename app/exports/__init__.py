"""Exports: CSV files of the company list, the contact list and a company's activities."""
