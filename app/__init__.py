"""Matcha: a CRM for the jobbmäklare of a Swedish municipal recruitment service."""

__version__ = "0.1.0"
