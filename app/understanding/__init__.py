"""Understanding people's messages: the NLU gateway the core asks, and the coordinators' NLU workbench."""
