"""The core app offers no API routes of its own: health is at ``GET /healthz`` (outside the API,
for load balancers) and the API object itself lives in ``sqm/api.py``."""
