"""Synthetic demo data: actors, sources, items and their histories, written in bulk
(`python -m tools.demo_data --items N`).

For trying the dashboard on a realistic data set and for the benchmark (tests/bench). Every row
it makes is marked: actors, sources and items have slugs that start with `demo-`, and the user
who signs the events is `demo-editor`, who cannot sign in. It refuses to write into a database
that holds other items unless forced.

The sources are made up but shaped like the real ones (live-update pages of a few KB, with
non-ASCII punctuation); every item quotes one of their sentences verbatim at its offsets. Each
item gets a history (a `created` event, then status changes, progress and edits) whose last event
leaves the item as it is stored: versions run 1..n without gaps.

words.py holds what the texts are written from, texts.py makes the sources and their claims,
writer.py writes the items and events in bulk, cli.py is the command.
"""

from tools.demo_data.writer import DemoRefused, DemoReport, generate

__all__ = ["DemoRefused", "DemoReport", "generate"]
