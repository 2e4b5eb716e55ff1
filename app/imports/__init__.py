"""Import of the old Excel sheets: reading, mapping, preview, jobs and undo."""
