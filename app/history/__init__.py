"""History (historik): who changed what, when, on companies and contacts."""
