"""An OpenID provider (Entra-shaped) for the sign-in tests: see provider.py."""
