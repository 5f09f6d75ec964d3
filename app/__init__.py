"""The helpline service: entry points (main, cli) over the runtime, the feature rooms, the way in and out, and the platform."""
