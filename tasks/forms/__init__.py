"""Forms of the task area (validation only), one module per concern."""
