"""Packaging beyond what pyproject.toml can say: the SQL models live in dbt_like_sql/ and the IAM templates in
iam/ at the top of the repository (where readers look for them), and ship INSIDE the installed package as
carbon_pipeline/sql/ and carbon_pipeline/iam/, so `pip install .` (not only an editable install) runs.
Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["carbon_pipeline*"], exclude=["carbon_pipeline_tests*"]),
        "carbon_pipeline.sql",
        "carbon_pipeline.iam",
    ],
    package_dir={"carbon_pipeline.sql": "dbt_like_sql", "carbon_pipeline.iam": "iam"},
    package_data={
        "carbon_pipeline": ["factors/data/*.csv", "factors/data/*.md", "demo/templates/*", "orchestration/*.json"],
        "carbon_pipeline.sql": ["**/*.sql"],
        "carbon_pipeline.iam": ["*.json"],
    },
)
