"""Benchmarks at scale and the load test (README "Performance").

``scripts/benchmark`` and ``scripts/loadtest`` start a throwaway PostgreSQL and
Redis, generate data (``manage.py generate_data``), serve the app with gunicorn
on loopback under ``ipgar.settings.bench`` and drive load from a second process
(locust, headless). Nothing here is imported by the application itself.
"""
