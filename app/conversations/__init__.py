"""The conversation core: a person's message in, replies and hand-offs out, in the caller's transaction."""
