"""Reports: what changed in a window of days, the counts at its start and end, overdue items and
the progress of numeric targets; as a page, JSON, Markdown, and from any tracker's JSON API."""
