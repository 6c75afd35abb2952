"""Background work of the organisation app. None yet: its writes need no follow-up work.

Tasks here take ids, are idempotent, and are scheduled in sqm/schedule.py.
"""
