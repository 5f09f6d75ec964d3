"""The referral directory: where a person can get help, per country and city, in their language."""
