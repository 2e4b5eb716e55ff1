"""Min dag: the start page of every signed-in user."""
