"""A safety net under the rule that secrets are never logged: any value registered here is masked in
every record that passes through Python logging (Dagster's own loggers included) before a handler
formats it. The rule itself is kept by never putting secrets into messages in the first place."""

from __future__ import annotations

import logging
import threading

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
MIN_LENGTH = 6  # shorter values would mask ordinary words


def register_secret(value: str | None) -> None:
    if value and len(value) >= MIN_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install(*logger_names: str) -> None:
    """Attach the filter to the named loggers and to every handler of the root logger."""
    for name in ("", "dagster", "botocore", "boto3", "s3transfer", *logger_names):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
