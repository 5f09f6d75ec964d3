"""Casework: the structured case record (HTCDS-aligned codes), referrals made, follow-ups, returning people."""
