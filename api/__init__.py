"""The REST API for registration sync (/api/v1/): a thin face on the domain services."""
