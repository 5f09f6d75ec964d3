"""The coordinators' area: bot texts, statistics, accounts."""
