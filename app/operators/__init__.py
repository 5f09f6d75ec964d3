"""Operator accounts: validation, upsert, the admins' accounts page and ``helpline operator add``."""
