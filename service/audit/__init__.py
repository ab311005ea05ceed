"""The audit: what editors did that is not an item's event."""
