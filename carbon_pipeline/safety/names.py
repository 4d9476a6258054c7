"""Names are names, never patterns or markup (issue 13, class 6).

* DuckDB globs every path it is given: an object named ``x[1].csv`` was read as ``x1.csv`` and a file named
  ``*.csv`` read every CSV of its folder. ``literal`` escapes the glob characters so exactly the listed object
  is read (each one inside a one-character class, which DuckDB's glob matches literally).
* A report CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to a
  spreadsheet (OWASP CSV injection): ``spreadsheet_cell`` prefixes it with a single quote.
* A chart label with ``$...$`` is parsed as mathtext by matplotlib (and crashed the report when not valid
  TeX): ``chart_label`` escapes the dollar signs so the label is drawn as written.
"""

from __future__ import annotations

from pathlib import Path

_GLOB = {"[": "[[]", "*": "[*]", "?": "[?]"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def literal(path: Path | str) -> str:
    """``path`` as a DuckDB file argument that matches only that file."""
    return "".join(_GLOB.get(c, c) for c in str(path))


def spreadsheet_cell(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would evaluate; numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def chart_label(text: str) -> str:
    """``text`` drawn literally by matplotlib (no mathtext)."""
    return text.replace("$", r"\$")
