"""How a source authenticates to its bucket. The sources file never holds a secret: it names the
default credential chain, environment variables, an IAM role to assume, or a credential-store entry.
Resolved values live only in memory for the client being built; nothing here logs them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carbon_pipeline.errors import ConfigError

ENV_FIELDS = {
    "access_key_id": "aws_access_key_id",
    "secret_access_key": "aws_secret_access_key",
    "session_token": "aws_session_token",
}


@dataclass(frozen=True, repr=False)
class AwsCredentials:
    """Keys for one client. ``repr`` shows which fields are set, never their values."""

    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None

    def __post_init__(self) -> None:
        from carbon_pipeline.secrets.redaction import register_secret

        register_secret(self.aws_secret_access_key)
        register_secret(self.aws_session_token)

    def as_kwargs(self) -> dict[str, str | None]:
        return {
            "aws_access_key_id": self.aws_access_key_id,
            "aws_secret_access_key": self.aws_secret_access_key,
            "aws_session_token": self.aws_session_token,
        }

    def __repr__(self) -> str:
        present = [k for k, v in self.as_kwargs().items() if v]
        return f"AwsCredentials(fields={present})"


def validate_credentials_option(source_id: str, option: Any) -> None:
    """Called while reading the sources file so mistakes show before any run."""
    if option is None:
        return
    if not isinstance(option, Mapping) or len(option) != 1:
        raise ConfigError(
            f"source '{source_id}': 'credentials' must be one of {{chain: default}}, {{env: {{...}}}}, "
            "{role: {arn: ..., external_id: ...}} or {store: NAME}"
        )
    ((mode, value),) = option.items()
    if mode == "chain":
        if value != "default":
            raise ConfigError(f"source '{source_id}': credentials.chain must be 'default'")
    elif mode == "env":
        if not isinstance(value, Mapping) or not {"access_key_id", "secret_access_key"} <= set(value):
            raise ConfigError(
                f"source '{source_id}': credentials.env names the environment variables "
                "access_key_id, secret_access_key (and optionally session_token)"
            )
        unknown = sorted(set(value) - set(ENV_FIELDS))
        if unknown:
            raise ConfigError(f"source '{source_id}': unknown key 'credentials.env.{unknown[0]}'")
    elif mode == "role":
        if not isinstance(value, Mapping) or "arn" not in value:
            raise ConfigError(f"source '{source_id}': credentials.role needs 'arn' (and usually 'external_id')")
        unknown = sorted(set(value) - {"arn", "external_id", "session_name", "base"})
        if unknown:
            raise ConfigError(f"source '{source_id}': unknown key 'credentials.role.{unknown[0]}'")
    elif mode == "store":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"source '{source_id}': credentials.store names an entry of the credential store")
    else:
        raise ConfigError(f"source '{source_id}': unknown key 'credentials.{mode}'")


def resolve_credentials(
    source_id: str,
    option: Mapping[str, Any] | None,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> AwsCredentials:
    """Keys for the source's client; empty for the default chain (boto3 finds them itself)."""
    env = os.environ if environ is None else environ
    if not option or "chain" in option:
        return AwsCredentials()
    if "env" in option:
        values = {}
        for field, variable in option["env"].items():
            if variable not in env:
                raise ConfigError(f"source '{source_id}': environment variable {variable} is not set")
            values[ENV_FIELDS[field]] = env[variable]
        return AwsCredentials(**values)
    if "store" in option:
        from carbon_pipeline.secrets.store import CredentialStoreError, open_store

        try:
            credential = open_store(env).get(option["store"])
        except CredentialStoreError as exc:
            raise ConfigError(f"source '{source_id}': credential store: {exc}") from exc
        return AwsCredentials(
            **{
                field: credential.reveal(field)
                for field in credential.fields
                if field in AwsCredentials.__dataclass_fields__
            }
        )
    role = option["role"]
    return _assume_role(source_id, role, region=region, endpoint_url=endpoint_url, environ=env)


def _assume_role(
    source_id: str,
    role: Mapping[str, Any],
    *,
    region: str | None,
    endpoint_url: str | None,
    environ: Mapping[str, str],
) -> AwsCredentials:
    from carbon_pipeline.safety.s3_client import aws_session

    base = resolve_credentials(source_id, role.get("base"), region=region, endpoint_url=endpoint_url, environ=environ)
    sts = aws_session().client("sts", region_name=region or "us-east-1", endpoint_url=endpoint_url, **base.as_kwargs())
    params = {"RoleArn": str(role["arn"]), "RoleSessionName": str(role.get("session_name") or "carbon-pipeline")}
    if role.get("external_id"):
        params["ExternalId"] = str(role["external_id"])
    answer = sts.assume_role(**params)["Credentials"]
    return AwsCredentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])
