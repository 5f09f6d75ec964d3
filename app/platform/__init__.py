"""What every room stands on: settings, database, models, identity, events, logs, metrics, errors."""
