"""Performance benchmark of the customer archive on PostgreSQL (``manage.py bench``; see README.md)."""
