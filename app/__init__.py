"""The helpline core: settings, storage, conversations, workspaces and jobs."""
