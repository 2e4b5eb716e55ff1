"""Contact persons at companies: who to call, who supervises placed people."""
