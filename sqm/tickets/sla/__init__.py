"""SLA clocks. ``calendar`` is the pure business-time arithmetic (no Django, no database)."""
