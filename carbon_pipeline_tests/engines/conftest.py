"""The engines tests. Those marked ``spark`` start a local Spark session (a JVM, a few seconds); they run in
`make test` by default and can be left out with ``-m "not spark"``."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: starts a local Apache Spark session (deselect with -m 'not spark')")
