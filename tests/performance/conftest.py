def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "load: drives the app under gunicorn with locust (a short load test)"
    )
