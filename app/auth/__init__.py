"""Sign-in, sessions, CSRF and roles for the web workspaces (console and admin)."""
