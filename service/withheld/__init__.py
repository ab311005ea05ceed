"""Withheld names domain."""
