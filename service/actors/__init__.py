"""Actors domain."""
