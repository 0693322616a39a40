"""cityservices."""
