"""Encrypted credential store: the sources file names an entry, so secret values never sit in YAML.

See docs/credentials.md for key handling and the threat model.
"""

from carbon_pipeline.secrets.store import (
    Credential,
    CredentialStore,
    CredentialStoreError,
    SecretValue,
    generate_key,
    open_store,
)

__all__ = ["Credential", "CredentialStore", "CredentialStoreError", "SecretValue", "generate_key", "open_store"]
