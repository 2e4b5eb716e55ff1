"""The report's tables, one module each (two where one statement fills two tables): each
owns its SQL, its columns and its note; base.py holds what they share."""
