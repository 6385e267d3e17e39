"""Access's adapters to what lies outside it (its metrics)."""
