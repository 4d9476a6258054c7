"""Least-privilege IAM policies for a configured source, rendered from the JSON templates in iam/.

Read-only on exactly the source's bucket prefix (list that prefix, get its objects), nothing else;
the role a source assumes trusts the pipeline's principal only with the agreed external id."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template
from typing import Any

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.s3 import split_uri

_PACKAGE = Path(__file__).resolve().parents[1]
# installed: carbon_pipeline/iam/ (setup.py); a checkout: iam/ beside the package
IAM_DIR = next((p for p in (_PACKAGE / "iam", _PACKAGE.parent / "iam") if p.is_dir()), _PACKAGE / "iam")
S3_KINDS = {"aws_cur", "aws_cur2", "aws_carbon", "focus", "activity_csv"}


def _render(template: str, **values: str) -> dict[str, Any]:
    return json.loads(Template((IAM_DIR / template).read_text()).substitute(values))


def policies_for(source: SourceConfig, pipeline_principal_arn: str | None = None) -> dict[str, dict[str, Any]]:
    """The permissions policy for the source and, when it assumes a role, that role's trust policy."""
    out: dict[str, dict[str, Any]] = {}
    if source.kind == "aws_sustainability_api":
        out["permissions"] = _render("sustainability-api-policy.json")
    elif source.kind in S3_KINDS:
        if not source.is_s3:
            raise ConfigError(f"source '{source.id}' reads a local folder: it needs no IAM policy")
        bucket, prefix = split_uri(source.uri)
        out["permissions"] = _render("s3-export-read-policy.json", Bucket=bucket, Prefix=prefix)
    else:
        raise ConfigError(f"source '{source.id}': no IAM policy template for kind '{source.kind}'")
    role = (source.options.get("credentials") or {}).get("role")
    if role:
        out["trust"] = _render(
            "trust-policy-external-id.json",
            PipelinePrincipalArn=pipeline_principal_arn or "arn:aws:iam::<pipeline-account-id>:role/<pipeline-role>",
            ExternalId=str(role.get("external_id") or "<external-id>"),
        )
    return out
