"""An AES-256-GCM encrypted credential store (docs/credentials.md).

The whole store is one encrypted JSON document `{name: {field: value}}`: small enough to rewrite on
every change, and one authentication tag covers every entry, so no entry can be swapped, dropped or
rolled back on its own. Plaintext exists only in memory; the file on disk is always a complete
envelope of ciphertext, replaced atomically.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_ENV = "CARBON_CREDENTIALS_KEY"
KEY_FILE_ENV = "CARBON_CREDENTIALS_KEY_FILE"
STORE_ENV = "CARBON_CREDENTIALS_STORE"
STORE_DEFAULT = Path("data") / "credentials.enc"

FORMAT = "carbon_pipeline-credentials"
VERSION = 1
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, the size GCM is specified for
_TAG_BYTES = 16
_KEYGEN_HINT = "create one with `carbon-pipeline credentials keygen`"

# Names and field names appear in errors, listings and the sources file, so they are restricted to
# characters no secret needs to have in common with them; a value pasted where a name belongs is
# then recognisable as invalid and is never echoed back.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")


class CredentialStoreError(Exception):
    """Anything wrong with the key, the store file or a lookup. Messages never contain secret values."""


class SecretValue:
    """A secret that prints as `***` in logs, tracebacks and Dagster metadata until `reveal()` is called.

    Pickling is refused because pickles end up on disk (IO managers, caches) in plaintext.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: call it where the secret is handed to a client, not earlier."""
        return self._value

    def __repr__(self) -> str:
        return "SecretValue('***')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("secret values cannot be pickled: a pickle would put the plaintext on disk")


class Credential:
    """One named entry. Field names are shown (they say what kind of credential it is), values are not."""

    __slots__ = ("name", "_fields")

    def __init__(self, name: str, fields: Mapping[str, str]) -> None:
        self.name = name
        self._fields = {field: SecretValue(value) for field, value in fields.items()}

    @property
    def fields(self) -> list[str]:
        return list(self._fields)

    def secret(self, field: str) -> SecretValue:
        """The field still wrapped, for passing on without revealing it yet."""
        try:
            return self._fields[field]
        except KeyError:
            shown = repr(field) if _FIELD.fullmatch(field) else "(an invalid field name, not shown)"
            raise CredentialStoreError(
                f"credential {self.name!r} has no field {shown}; it has: {', '.join(self._fields)}"
            ) from None

    def reveal(self, field: str) -> str:
        """The plaintext of one field, for the one call that needs it (e.g. a boto3 session)."""
        return self.secret(field).reveal()

    def __repr__(self) -> str:
        return f"Credential(name={self.name!r}, fields={self.fields!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("credentials cannot be pickled: a pickle would put the plaintext on disk")


def generate_key() -> str:
    """A new random 256-bit key, urlsafe base64, as `CARBON_CREDENTIALS_KEY` and key files expect it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(key: bytes | str, origin: str = "credential key") -> bytes:
    """Raw key bytes from the base64 text (or raw bytes) a user supplies; `origin` names where it came from
    so the error can say which setting to fix without showing the key."""
    if isinstance(key, bytes):
        raw = key
    else:
        text = key.strip().rstrip("=")
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise CredentialStoreError(f"malformed key in {origin}: not urlsafe base64; {_KEYGEN_HINT}") from None
    if len(raw) != KEY_BYTES:
        raise CredentialStoreError(
            f"malformed key in {origin}: {len(raw)} bytes, AES-256 needs {KEY_BYTES}; {_KEYGEN_HINT}"
        )
    return raw


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    """The key from a file, refusing files other users can read or that sit in a git work tree, because
    either one hands the key to whoever can read the file or the repository."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise CredentialStoreError(f"key file {path} is not a regular file")
            data = handle.read(1024)
    except OSError as exc:
        raise CredentialStoreError(f"cannot read key file {path}: {exc.strerror}") from None
    if os.name == "posix" and mode & 0o077:
        raise CredentialStoreError(
            f"refusing key file {path}: its mode {stat.S_IMODE(mode):04o} lets other users read it; "
            f"run `chmod 600 {path}`"
        )
    work_tree = _git_work_tree(path)
    if work_tree is not None:
        raise CredentialStoreError(
            f"refusing key file {path}: it is inside the git work tree {work_tree}, from where it can be "
            "committed; keep the key outside every repository (see docs/credentials.md)"
        )
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise CredentialStoreError(f"malformed key in key file {path}: not base64 text; {_KEYGEN_HINT}") from None
    return decode_key(text, origin=f"key file {path}")


def key_from_environ(environ: Mapping[str, str] | None = None) -> bytes:
    """The key named by the environment. Both variables at once is refused: during a rotation it would
    be unclear which key the store is under."""
    env = os.environ if environ is None else environ
    key, key_file = env.get(KEY_ENV), env.get(KEY_FILE_ENV)
    if key and key_file:
        raise CredentialStoreError(f"both {KEY_ENV} and {KEY_FILE_ENV} are set; set only one")
    if key:
        return decode_key(key, origin=KEY_ENV)
    if key_file:
        return read_key_file(key_file)
    raise CredentialStoreError(
        f"no credential key configured: set {KEY_ENV} to the key (urlsafe base64) or {KEY_FILE_ENV} to "
        f"a mode-0600 file holding it; {_KEYGEN_HINT}"
    )


def open_store(environ: Mapping[str, str] | None = None) -> CredentialStore:
    """The store the deployment is configured for; `environ` defaults to the process environment and is
    a parameter so tests and the CLI can open stores side by side."""
    env = os.environ if environ is None else environ
    return CredentialStore(env.get(STORE_ENV) or STORE_DEFAULT, key_from_environ(env))


def check_name(name: str) -> None:
    """Refuse a name that could be a pasted secret, so errors and listings can show names safely."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CredentialStoreError(
            "invalid credential name (not shown): use 1-128 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )


class CredentialStore:
    """The encrypted file at `path`. Every call reads the file afresh, so several processes (the CLI,
    Dagster runs) see each other's completed writes; concurrent writers are not coordinated: the last
    write wins."""

    def __init__(self, path: str | os.PathLike[str], key: bytes | str) -> None:
        self.path = Path(path)
        self._aead = AESGCM(decode_key(key))

    def __repr__(self) -> str:
        return f"CredentialStore(path={str(self.path)!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("credential stores cannot be pickled: a pickle would put the key on disk")

    def names(self) -> list[str]:
        """Entry names only, so listing a store never decrypts values into anyone's terminal."""
        return sorted(self._load())

    def get(self, name: str) -> Credential:
        entries = self._load()
        if name not in entries:
            check_name(name)
            available = ", ".join(sorted(entries)) or f"none (the store at {self.path} is empty or missing)"
            raise CredentialStoreError(f"no credential named {name!r} in {self.path}; available: {available}")
        return Credential(name, entries[name])

    def put(self, name: str, fields: Mapping[str, str]) -> None:
        """Create or replace the entry `name` with exactly `fields`."""
        check_name(name)
        clean = _check_fields(name, fields)
        entries = self._load()
        entries[name] = clean
        self._save(entries, self._aead)

    def remove(self, name: str) -> None:
        entries = self._load()
        if name not in entries:
            self.get(name)  # raises the unknown-name error listing what is there
        del entries[name]
        self._save(entries, self._aead)

    def rotate(self, new_key: bytes | str) -> None:
        """Re-encrypt every entry under `new_key` in one atomic replace, so the file is never half old key,
        half new. A missing store is an error: silently creating an empty one would hide a wrong path."""
        new_aead = AESGCM(decode_key(new_key, origin="the new key"))
        if not self.path.exists():
            raise CredentialStoreError(f"no credential store at {self.path}: nothing to rotate")
        self._save(self._load(), new_aead)
        self._aead = new_aead

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CredentialStoreError(f"cannot read credential store {self.path}: {exc.strerror}") from None
        header, nonce, ciphertext = _parse_envelope(raw, self.path)
        try:
            plaintext = self._aead.decrypt(nonce, ciphertext, _associated_data(header))
        except InvalidTag:
            raise CredentialStoreError(f"cannot decrypt {self.path}: wrong key or the file was modified") from None
        return _parse_entries(plaintext, self.path)

    def _save(self, entries: dict[str, dict[str, str]], aead: AESGCM) -> None:
        header: dict[str, object] = {"format": FORMAT, "version": VERSION}
        nonce = os.urandom(NONCE_BYTES)  # fresh per write: GCM is broken by nonce reuse under one key
        ciphertext = aead.encrypt(nonce, json.dumps(entries).encode("utf-8"), _associated_data(header))
        envelope = {**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}
        _atomic_write(self.path, (json.dumps(envelope, indent=2) + "\n").encode("ascii"))


def _check_fields(name: str, fields: Mapping[str, str]) -> dict[str, str]:
    if not fields:
        raise CredentialStoreError(f"credential {name!r} needs at least one field")
    clean: dict[str, str] = {}
    for position, (field, value) in enumerate(fields.items(), 1):
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise CredentialStoreError(
                f"credential {name!r}: field #{position} has an invalid name (not shown); use letters, digits, "
                "'_', '.' or '-', starting with a letter or '_'"
            )
        if not isinstance(value, str) or not value:
            raise CredentialStoreError(f"credential {name!r}: field {field!r} must be a non-empty string")
        clean[field] = value
    return clean


def _associated_data(header: Mapping[str, object]) -> bytes:
    """Everything in the envelope except nonce and ciphertext is authenticated, canonically serialised,
    so a changed format, version or any added header field makes decryption fail."""
    return json.dumps(dict(header), sort_keys=True, separators=(",", ":")).encode("ascii")


def _parse_envelope(raw: bytes, path: Path) -> tuple[dict[str, object], bytes, bytes]:
    # Never echo file content: a wrong CARBON_CREDENTIALS_STORE may point at a plaintext secrets file.
    not_a_store = f"{path} is not a carbon_pipeline credential store"
    try:
        envelope = json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        raise CredentialStoreError(f"{not_a_store} (not JSON)") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise CredentialStoreError(f'{not_a_store} (no "format": "{FORMAT}")')
    version = envelope.get("version")
    if type(version) is not int or version != VERSION:
        shown = version if type(version) is int else "an invalid one"
        raise CredentialStoreError(f"{path} has store version {shown}; this release reads version {VERSION}")
    nonce = _unb64(envelope.get("nonce"), "nonce", path)
    ciphertext = _unb64(envelope.get("ciphertext"), "ciphertext", path)
    if len(nonce) != NONCE_BYTES or len(ciphertext) < _TAG_BYTES:
        raise CredentialStoreError(f"cannot decrypt {path}: the file was modified (nonce or ciphertext truncated)")
    header = {field: value for field, value in envelope.items() if field not in ("nonce", "ciphertext")}
    return header, nonce, ciphertext


def _parse_entries(plaintext: bytes, path: Path) -> dict[str, dict[str, str]]:
    try:
        entries = json.loads(plaintext)
    except ValueError:
        entries = None
    valid = isinstance(entries, dict) and all(
        isinstance(fields, dict) and all(isinstance(value, str) for value in fields.values())
        for fields in entries.values()
    )
    if not valid:
        raise CredentialStoreError(f"{path} decrypted, but its content is not a credential map")
    return entries


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, field: str, path: Path) -> bytes:
    try:
        if not isinstance(value, str):
            raise ValueError
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialStoreError(f"cannot decrypt {path}: the file was modified ({field!r} is not base64)") from None


def _atomic_write(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one, even after a crash mid-write. The temp
    file is created 0600 (mkstemp) and only ever holds ciphertext."""
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CredentialStoreError(f"cannot write credential store {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise CredentialStoreError(f"cannot write credential store {path}: {exc.strerror}") from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; without it a power cut can bring back the previous file."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _git_work_tree(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None
