"""Forms of the ticket pages."""
