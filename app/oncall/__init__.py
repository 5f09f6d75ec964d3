"""On-call: escalations and alerts, operators' actions on cases, the console and roster pages, the on-call CLI."""
