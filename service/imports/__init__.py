"""Items imported from an uploaded spreadsheet."""
