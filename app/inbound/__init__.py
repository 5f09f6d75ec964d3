"""The way in: accept a provider's delivery, store it once, claim it, and route it to the side that handles it.

webhook → ``accept`` (limits, Unicode guard, store, wake) → ``deliveries``
(claim, decrypt, one transaction each) → ``route`` (operator's action or a
person's message) → a ``Handler`` the container wired in: the conversation
core for people, on-call for operators. Nothing here imports a feature.
"""
