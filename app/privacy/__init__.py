"""The promises made to a person: erasure, retention, key rotation (and their commands)."""
