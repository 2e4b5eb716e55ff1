"""Users, roles, sessions, login throttling and CSRF."""
