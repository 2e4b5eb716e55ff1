"""Administration: the admin's pages for managing users."""
