"""Tickets are worked in SQM's own pages; the Django admin shows them read-only."""
