"""`carbon-pipeline credentials ...`: manage the encrypted credential store (docs/credentials.md).

Secret values never pass through argv, which every local user can read in the process list and which
lands in shell history: they come from standard input as KEY=VALUE lines or from a no-echo prompt.
Arguments are only names, paths and the names of environment variables.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterable

from carbon_pipeline.secrets.store import (
    KEY_ENV,
    KEY_FILE_ENV,
    CredentialStoreError,
    check_name,
    decode_key,
    generate_key,
    open_store,
    read_key_file,
)

Handler = Callable[[argparse.Namespace], int]


def keygen(_: argparse.Namespace) -> int:
    print(generate_key())
    return 0


def add(args: argparse.Namespace) -> int:
    check_name(args.name)
    store = open_store()  # before reading any secret, so a missing key fails before anything is typed
    if args.name in store.names() and not args.replace:
        raise CredentialStoreError(f"credential {args.name!r} already exists in {store.path}; add --replace")
    fields = _prompt_fields(args.name, args.field) if args.field else _read_fields(sys.stdin)
    store.put(args.name, fields)
    print(f"stored {args.name!r} ({', '.join(fields)}) in {store.path}")
    return 0


def list_names(_: argparse.Namespace) -> int:
    for name in open_store().names():
        print(name)
    return 0


def rotate(args: argparse.Namespace) -> int:
    if args.new_key_env:
        value = os.environ.get(args.new_key_env)
        if not value:
            raise CredentialStoreError(f"{args.new_key_env} (named by --new-key-env) is not set")
        new_key = decode_key(value, origin=args.new_key_env)
    else:
        new_key = read_key_file(args.new_key_file)
    store = open_store()
    count = len(store.names())
    store.rotate(new_key)
    print(
        f"re-encrypted {count} credential(s) in {store.path} under the new key; the old key no longer opens it, "
        f"so point {KEY_ENV} or {KEY_FILE_ENV} at the new key everywhere the store is used"
    )
    return 0


def remove(args: argparse.Namespace) -> int:
    store = open_store()
    store.remove(args.name)
    print(f"removed {args.name!r} from {store.path}")
    return 0


def add_credentials_commands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `credentials` on an existing parser's subcommands; dispatch with `run_credentials`."""
    parser = subparsers.add_parser(
        "credentials",
        help="manage the encrypted credential store (docs/credentials.md)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="credentials_command", required=True)
    commands.add_parser("keygen", help="print a new random key (urlsafe base64)").set_defaults(
        credentials_handler=keygen
    )
    add_parser = commands.add_parser(
        "add",
        help="store a credential; fields come from KEY=VALUE lines on standard input, or --field prompts",
    )
    add_parser.add_argument("name", help="entry name, as referenced from the sources file")
    add_parser.add_argument(
        "--field",
        action="append",
        metavar="KEY",
        help="prompt for this field without echo (repeatable) instead of reading standard input",
    )
    add_parser.add_argument("--replace", action="store_true", help="overwrite an existing entry of that name")
    add_parser.set_defaults(credentials_handler=add)
    commands.add_parser("list", help="print entry names, one per line (never values)").set_defaults(
        credentials_handler=list_names
    )
    rotate_parser = commands.add_parser("rotate", help="re-encrypt the store under a new key")
    source = rotate_parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--new-key-env", metavar="VAR", help="environment variable holding the new key")
    source.add_argument("--new-key-file", metavar="PATH", help="mode-0600 file holding the new key")
    rotate_parser.set_defaults(credentials_handler=rotate)
    remove_parser = commands.add_parser("remove", help="delete an entry")
    remove_parser.add_argument("name")
    remove_parser.set_defaults(credentials_handler=remove)
    return parser


def run_credentials(args: argparse.Namespace) -> int:
    """Run the chosen `credentials` subcommand; store errors become `error: ...` and exit code 2."""
    handler: Handler = args.credentials_handler
    try:
        return handler(args)
    except CredentialStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """A parser with only `credentials`, for tests and `python -m carbon_pipeline.secrets.cli`."""
    parser = argparse.ArgumentParser(prog="carbon-pipeline")
    add_credentials_commands(parser.add_subparsers(dest="command", required=True))
    return run_credentials(parser.parse_args(argv))


def _read_fields(stream: Iterable[str]) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments are skipped. Bad lines are reported by number only,
    since the line may hold a secret."""
    if getattr(stream, "isatty", lambda: False)():
        raise CredentialStoreError(
            "standard input is a terminal, where typed values would be echoed: pipe KEY=VALUE lines in, "
            "or use --field KEY to be prompted without echo"
        )
    fields: dict[str, str] = {}
    for number, line in enumerate(stream, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        field, separator, value = line.partition("=")
        field, value = field.strip(), value.strip()
        if not separator or not field:
            raise CredentialStoreError(f"standard input line {number} is not KEY=VALUE (line not shown)")
        if field in fields:
            raise CredentialStoreError(f"standard input line {number} repeats a field given on an earlier line")
        fields[field] = value
    if not fields:
        raise CredentialStoreError("no fields on standard input: expected KEY=VALUE lines")
    return fields


def _prompt_fields(name: str, field_names: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for field in field_names:
        if field in fields:
            raise CredentialStoreError(f"--field {field!r} given twice")
        try:
            fields[field] = getpass.getpass(f"{field} for {name}: ")
        except EOFError:
            raise CredentialStoreError(f"no value entered for field {field!r}") from None
    return fields


if __name__ == "__main__":
    sys.exit(main())
