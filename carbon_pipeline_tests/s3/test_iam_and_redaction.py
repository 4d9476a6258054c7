"""Least-privilege IAM policies per source, and the log-redaction safety net."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.secrets.redaction import RedactingFilter, redact, register_secret
from carbon_pipeline.sources.credentials import AwsCredentials
from carbon_pipeline.sources.iam import policies_for
from carbon_pipeline.sources.sources_file import load_sources_file

SOURCES = """\
sources:
  - id: prod-cur
    kind: aws_cur
    uri: s3://acme-billing/cur/prod-cur
    credentials: {role: {arn: "arn:aws:iam::111122223333:role/carbon-read", external_id: acme-7c1f}}
  - id: local
    kind: aws_cur
    uri: landing/cur
"""


def test_an_s3_source_gets_read_only_access_to_exactly_its_prefix_and_an_external_id_trust(tmp_path: Path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    source = load_sources_file(path).sources[0]
    policies = policies_for(source, "arn:aws:iam::999988887777:role/pipeline")
    statements = policies["permissions"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion"}
    assert {s["Resource"] for s in statements} == {
        "arn:aws:s3:::acme-billing",
        "arn:aws:s3:::acme-billing/cur/prod-cur/*",
    }
    assert statements[0]["Condition"]["StringLike"]["s3:prefix"] == ["cur/prod-cur", "cur/prod-cur/*"]
    trust = policies["trust"]["Statement"][0]
    assert trust["Principal"] == {"AWS": "arn:aws:iam::999988887777:role/pipeline"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "acme-7c1f"}}


def test_a_local_source_needs_no_policy(tmp_path: Path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    with pytest.raises(ConfigError, match="needs no IAM policy"):
        policies_for(load_sources_file(path).sources[1])


def test_credentials_never_show_their_values_and_are_masked_in_logs(caplog):
    secret = "wJalrXUtnFEMI-K7MDENG-canary"
    credentials = AwsCredentials("AKIAEXAMPLE", secret, None)
    assert secret not in repr(credentials) and secret not in str(credentials)
    logger = logging.getLogger("carbon_pipeline.test")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("connecting with %s", secret)
    assert secret not in caplog.text and "***" in caplog.text


def test_short_values_are_not_registered_so_ordinary_words_survive():
    register_secret("abc")
    assert redact("abc def") == "abc def"
