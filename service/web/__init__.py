"""The web layer: everything that knows about HTTP besides the delivery of answers."""
