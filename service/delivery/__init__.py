"""The delivery of answers: what makes reads fast and safe, for every route alike."""
