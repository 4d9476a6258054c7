"""The engines tests. Those marked ``spark`` start a local Spark session (a JVM, a few seconds); they run in
`make test` by default and can be left out with ``-m "not spark"``."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: starts a local Apache Spark session (deselect with -m 'not spark')")


@pytest.fixture(scope="session")
def spark():
    """The run's one in-process Spark session (a JVM; CARBON_ENGINE=spark runs reuse it through
    getOrCreate). The Pipes tests' Spark runs in the external processes Pipes launches, by design."""
    pytest.importorskip("pyspark")
    from carbon_pipeline.engines.spark_engine import spark_session

    session = spark_session()
    yield session
    session.stop()
