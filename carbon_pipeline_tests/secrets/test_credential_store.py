"""The credential store keeps secrets encrypted at rest, shows them only on request, and fails loudly
(without leaking) when the key or the file is wrong."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import stat
from pathlib import Path

import pytest

from carbon_pipeline.secrets import Credential, CredentialStore, CredentialStoreError, generate_key, open_store
from carbon_pipeline.secrets.cli import main

CANARY = "canary-7f3c9e1d-SECRET"
AWS = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": CANARY, "aws_session_token": "token-1"}
ENV_VARS = ("CARBON_CREDENTIALS_KEY", "CARBON_CREDENTIALS_KEY_FILE", "CARBON_CREDENTIALS_STORE")


@pytest.fixture
def key() -> str:
    return generate_key()


@pytest.fixture
def store(tmp_path: Path, key: str) -> CredentialStore:
    return CredentialStore(tmp_path / "credentials.enc", key)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str) -> Path:
    """A clean environment with the key in CARBON_CREDENTIALS_KEY and the default store path under tmp_path."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CARBON_CREDENTIALS_KEY", key)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data" / "credentials.enc"


def envelope(path: Path) -> dict:
    return json.loads(path.read_text())


def flip_first_bit(text: str) -> str:
    data = bytearray(base64.b64decode(text))
    data[0] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def files_containing(root: Path, needle: str) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and needle.encode() in path.read_bytes()]


def key_file(folder: Path, key: str, mode: int) -> Path:
    path = folder / "credentials.key"
    path.write_text(key + "\n")
    path.chmod(mode)
    return path


def test_a_stored_credential_reads_back_with_the_same_fields_and_values(store, tmp_path, key):
    store.put("prod-cur", AWS)

    credential = CredentialStore(tmp_path / "credentials.enc", key).get("prod-cur")

    assert credential.name == "prod-cur"
    assert credential.fields == list(AWS)
    assert {field: credential.reveal(field) for field in credential.fields} == AWS


def test_a_missing_store_file_is_an_empty_store_and_names_come_back_sorted(store):
    assert store.names() == []
    store.put("zeta", {"token": "z"})
    store.put("alpha", {"token": "a"})
    assert store.names() == ["alpha", "zeta"]


def test_put_replaces_a_whole_entry_and_remove_deletes_it(store):
    store.put("prod-cur", AWS)
    store.put("prod-cur", {"aws_access_key_id": "AKIANEW", "aws_secret_access_key": "new"})
    assert store.get("prod-cur").fields == ["aws_access_key_id", "aws_secret_access_key"]

    store.remove("prod-cur")

    assert store.names() == []


def test_the_store_file_is_a_json_envelope_holding_only_format_version_nonce_and_ciphertext(store):
    store.put("prod-cur", AWS)

    data = envelope(store.path)

    assert set(data) == {"format", "version", "nonce", "ciphertext"}
    assert (data["format"], data["version"]) == ("carbon_pipeline-credentials", 1)
    assert len(base64.b64decode(data["nonce"])) == 12


def test_every_write_uses_a_fresh_nonce(store):
    nonces = set()
    for _ in range(5):
        store.put("prod-cur", AWS)
        nonces.add(envelope(store.path)["nonce"])
    assert len(nonces) == 5


def test_the_store_file_is_readable_and_writable_by_its_owner_only(store):
    store.put("prod-cur", AWS)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_after_rotation_the_old_key_fails_and_the_new_key_reads_every_entry(store, tmp_path, key):
    store.put("prod-cur", AWS)
    store.put("dev-cur", {"token": "dev"})
    new_key = generate_key()

    store.rotate(new_key)

    with pytest.raises(CredentialStoreError, match="wrong key or the file was modified"):
        CredentialStore(store.path, key).names()
    reopened = CredentialStore(store.path, new_key)
    assert reopened.names() == ["dev-cur", "prod-cur"]
    assert reopened.get("prod-cur").reveal("aws_secret_access_key") == CANARY
    assert store.get("dev-cur").reveal("token") == "dev"  # the rotated store object uses the new key too


def test_rotating_a_store_that_does_not_exist_is_refused_rather_than_creating_an_empty_one(store):
    with pytest.raises(CredentialStoreError, match="nothing to rotate"):
        store.rotate(generate_key())
    assert not store.path.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda data: data | {"ciphertext": flip_first_bit(data["ciphertext"])}, id="ciphertext-bit"),
        pytest.param(lambda data: data | {"nonce": flip_first_bit(data["nonce"])}, id="nonce-bit"),
        pytest.param(lambda data: data | {"note": "added"}, id="header-field-added"),
        pytest.param(lambda data: data | {"ciphertext": data["ciphertext"][:-8]}, id="ciphertext-truncated"),
    ],
)
def test_a_modified_file_cannot_be_decrypted_and_says_so(store, tamper):
    store.put("prod-cur", AWS)
    store.path.write_text(json.dumps(tamper(envelope(store.path))))

    with pytest.raises(CredentialStoreError, match=r"cannot decrypt .*the file was modified"):
        store.get("prod-cur")


def test_a_wrong_key_cannot_decrypt_and_says_wrong_key_or_modified(store):
    store.put("prod-cur", AWS)
    with pytest.raises(CredentialStoreError, match="cannot decrypt .*: wrong key or the file was modified"):
        CredentialStore(store.path, generate_key()).names()


def test_a_changed_version_is_reported_as_an_unsupported_version(store):
    store.put("prod-cur", AWS)
    store.path.write_text(json.dumps(envelope(store.path) | {"version": 2}))
    with pytest.raises(CredentialStoreError, match="store version 2; this release reads version 1"):
        store.names()


@pytest.mark.parametrize(
    "content",
    [f"aws_secret_access_key={CANARY}\n", json.dumps({"prod-cur": AWS}), json.dumps({"format": "other"})],
    ids=["plaintext-env-file", "plaintext-json", "other-format"],
)
def test_a_file_that_is_not_a_store_is_refused_without_echoing_its_content(store, content):
    store.path.write_text(content)
    with pytest.raises(CredentialStoreError, match="is not a carbon_pipeline credential store") as raised:
        store.names()
    assert CANARY not in str(raised.value)


def test_an_unknown_name_lists_the_available_names(store):
    store.put("prod-cur", AWS)
    store.put("dev-cur", AWS)
    with pytest.raises(CredentialStoreError, match=r"no credential named 'prod-cru' .*available: dev-cur, prod-cur"):
        store.get("prod-cru")


def test_a_secret_passed_where_a_name_belongs_is_not_echoed_in_the_error(store):
    store.put("prod-cur", AWS)
    pasted = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with pytest.raises(CredentialStoreError, match="invalid credential name") as raised:
        store.get(pasted)
    assert pasted not in str(raised.value)


def test_the_canary_secret_never_reaches_disk_not_even_in_the_temp_file(store, tmp_path, monkeypatch):
    temp_files: list[tuple[Path, int]] = []
    real_replace = os.replace

    def replace_after_checking(source, destination):
        temp_files.append((Path(source), stat.S_IMODE(os.stat(source).st_mode)))
        assert files_containing(tmp_path, CANARY) == []  # the temp file is complete at this point
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace_after_checking)
    store.put("prod-cur", AWS)
    store.put("dev-cur", {"token": CANARY})
    store.rotate(generate_key())
    store.remove("dev-cur")

    assert len(temp_files) == 4
    assert all(path.parent == tmp_path and mode == 0o600 for path, mode in temp_files)
    assert files_containing(tmp_path, CANARY) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["credentials.enc"]  # no temp file left


def test_the_canary_secret_never_shows_in_repr_str_or_error_messages(store, key):
    store.put("prod-cur", AWS)
    credential = store.get("prod-cur")
    secret = credential.secret("aws_secret_access_key")
    errors: list[CredentialStoreError] = []
    for attempt in (
        lambda: credential.reveal("aws_secret"),
        lambda: store.get("prod-cru"),
        lambda: store.put("bad-field", {"aws secret": CANARY}),
        lambda: store.put("bad-field", {"aws_secret_access_key": CANARY, "": "x"}),
        lambda: CredentialStore(store.path, generate_key()).get("prod-cur"),
        lambda: CredentialStore(store.path, CANARY),
        lambda: CredentialStore(store.path, key).get(f"prod/{CANARY}"),
    ):
        with pytest.raises(CredentialStoreError) as raised:
            attempt()
        errors.append(raised.value)

    shown = [repr(store), str(store), repr(credential), str(credential), repr(secret), str(secret), f"{secret}"]
    shown += [str(error) for error in errors]
    assert all(CANARY not in text and key not in text for text in shown)
    assert repr(credential) == (
        "Credential(name='prod-cur', fields=['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'])"
    )


def test_credentials_and_secret_values_refuse_to_be_pickled_because_pickles_land_on_disk(store):
    store.put("prod-cur", AWS)
    credential: Credential = store.get("prod-cur")
    for value in (credential, credential.secret("aws_secret_access_key"), store):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(value)


def test_open_store_reads_the_key_and_store_path_from_the_environment(tmp_path, key):
    CredentialStore(tmp_path / "elsewhere.enc", key).put("prod-cur", AWS)
    store = open_store({"CARBON_CREDENTIALS_KEY": key, "CARBON_CREDENTIALS_STORE": str(tmp_path / "elsewhere.enc")})
    assert store.names() == ["prod-cur"]


def test_the_store_path_defaults_to_data_credentials_enc_under_the_working_folder(env):
    assert open_store().path == Path("data") / "credentials.enc"


def test_without_a_key_the_error_names_both_environment_variables():
    with pytest.raises(CredentialStoreError, match="CARBON_CREDENTIALS_KEY .*CARBON_CREDENTIALS_KEY_FILE"):
        open_store({})


def test_setting_both_key_variables_is_refused_as_ambiguous(tmp_path, key):
    path = key_file(tmp_path, key, 0o600)
    with pytest.raises(CredentialStoreError, match="set only one"):
        open_store({"CARBON_CREDENTIALS_KEY": key, "CARBON_CREDENTIALS_KEY_FILE": str(path)})


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64 !!", "not urlsafe base64"), (base64.urlsafe_b64encode(b"x" * 16).decode(), "16 bytes")],
    ids=["not-base64", "aes-128-sized"],
)
def test_a_malformed_key_is_refused_with_where_it_came_from_but_not_the_key(value, message):
    with pytest.raises(CredentialStoreError, match=f"malformed key in CARBON_CREDENTIALS_KEY: {message}") as raised:
        open_store({"CARBON_CREDENTIALS_KEY": value})
    assert value not in str(raised.value)


def test_a_key_file_with_mode_0600_outside_any_repository_is_accepted(tmp_path, key):
    CredentialStore(tmp_path / "credentials.enc", key).put("prod-cur", AWS)
    path = key_file(tmp_path, key, 0o600)
    store = open_store(
        {"CARBON_CREDENTIALS_KEY_FILE": str(path), "CARBON_CREDENTIALS_STORE": str(tmp_path / "credentials.enc")}
    )
    assert store.names() == ["prod-cur"]


def test_a_key_file_other_users_can_read_is_refused_with_the_fix(tmp_path, key):
    path = key_file(tmp_path, key, 0o644)
    with pytest.raises(CredentialStoreError, match=r"refusing key file .*mode 0644 .*chmod 600") as raised:
        open_store({"CARBON_CREDENTIALS_KEY_FILE": str(path)})
    assert key not in str(raised.value)


def test_a_key_file_inside_a_git_work_tree_is_refused(tmp_path, key):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "config").mkdir()
    path = key_file(tmp_path / "repo" / "config", key, 0o600)
    with pytest.raises(CredentialStoreError, match="inside the git work tree"):
        open_store({"CARBON_CREDENTIALS_KEY_FILE": str(path)})


def test_cli_add_reads_fields_from_stdin_and_list_prints_only_the_name(env, key, monkeypatch, capsys):
    lines = "".join(f"{field}={value}\n" for field, value in AWS.items())
    monkeypatch.setattr("sys.stdin", io.StringIO(f"# prod account\n{lines}\n"))

    assert main(["credentials", "add", "prod-cur"]) == 0
    added = capsys.readouterr()
    assert main(["credentials", "list"]) == 0
    listed = capsys.readouterr()

    assert listed.out == "prod-cur\n"
    assert CANARY not in added.out + added.err + listed.out + listed.err
    assert CredentialStore(env, key).get("prod-cur").reveal("aws_secret_access_key") == CANARY


def test_cli_add_with_field_prompts_without_echo(env, key, monkeypatch, capsys):
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or CANARY)

    assert main(["credentials", "add", "api", "--field", "token"]) == 0

    assert prompts == ["token for api: "]
    assert CredentialStore(env, key).get("api").reveal("token") == CANARY
    assert CANARY not in capsys.readouterr().out


def test_cli_add_refuses_to_read_values_from_a_terminal_where_they_would_echo(env, monkeypatch, capsys):
    terminal = io.StringIO("token=x\n")
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", terminal)
    assert main(["credentials", "add", "api"]) == 2
    assert "--field" in capsys.readouterr().err


def test_cli_add_reports_a_bad_stdin_line_by_number_without_showing_it(env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"aws_access_key_id=AKIA\n{CANARY}\n"))
    assert main(["credentials", "add", "prod-cur"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: standard input line 2 is not KEY=VALUE")
    assert CANARY not in err


def test_cli_add_does_not_overwrite_an_entry_without_replace(env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("token=one\n"))
    assert main(["credentials", "add", "api"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("token=two\n"))
    assert main(["credentials", "add", "api"]) == 2
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("token=two\n"))
    assert main(["credentials", "add", "api", "--replace"]) == 0
    assert open_store().get("api").reveal("token") == "two"


def test_cli_rotate_takes_the_new_key_from_a_named_variable_and_prints_nothing_secret(env, key, monkeypatch, capsys):
    CredentialStore(env, key).put("prod-cur", AWS)
    new_key = generate_key()
    monkeypatch.setenv("NEW_CARBON_KEY", new_key)

    assert main(["credentials", "rotate", "--new-key-env", "NEW_CARBON_KEY"]) == 0

    out = capsys.readouterr().out
    assert "re-encrypted 1 credential(s)" in out
    assert new_key not in out and key not in out and CANARY not in out
    assert main(["credentials", "list"]) == 2  # the environment still holds the old key
    assert "wrong key" in capsys.readouterr().err
    assert CredentialStore(env, new_key).names() == ["prod-cur"]


def test_cli_rotate_takes_the_new_key_from_a_key_file(env, key, tmp_path, capsys):
    CredentialStore(env, key).put("prod-cur", AWS)
    new_key = generate_key()
    path = key_file(tmp_path, new_key, 0o600)
    assert main(["credentials", "rotate", "--new-key-file", str(path)]) == 0
    assert CredentialStore(env, new_key).names() == ["prod-cur"]


def test_cli_remove_deletes_the_entry_and_an_unknown_name_is_an_error(env, key, capsys):
    CredentialStore(env, key).put("prod-cur", AWS)
    assert main(["credentials", "remove", "prod-cur"]) == 0
    assert main(["credentials", "remove", "prod-cur"]) == 2
    assert "no credential named 'prod-cur'" in capsys.readouterr().err


def test_cli_keygen_prints_a_key_the_store_accepts(env, capsys, tmp_path):
    assert main(["credentials", "keygen"]) == 0
    printed = capsys.readouterr().out.strip()
    CredentialStore(tmp_path / "fresh.enc", printed).put("api", {"token": "x"})
    assert len(base64.urlsafe_b64decode(printed)) == 32


def test_cli_without_a_key_prints_an_error_naming_the_variables_and_exits_2(env, monkeypatch, capsys):
    monkeypatch.delenv("CARBON_CREDENTIALS_KEY")
    assert main(["credentials", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no credential key configured")
    assert "CARBON_CREDENTIALS_KEY_FILE" in err
