"""The search in every page's header: companies, contact persons, assignments and events
found by one query, grouped; as live suggestions and as a page of its own."""
