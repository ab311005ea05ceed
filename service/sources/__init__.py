"""Sources domain."""
