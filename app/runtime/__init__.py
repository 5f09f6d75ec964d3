"""The running app: the container (construction only), the job loop, health, and the whole-app commands."""
