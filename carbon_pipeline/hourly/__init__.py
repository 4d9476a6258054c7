"""Hourly carbon (issue 16): location-based emissions by the hour for sites and cloud regions, and hourly-matched
market-based Scope 2, BESIDE the annual inventory, never instead of it.

Why a package of its own: hourly is an option (the ``hourly:`` section of the sources file, off by default).
Nothing here runs, and none of its tables exist, unless a user turns it on, so the annual inventory and every
demo table stay byte-for-byte what they were (the golden fingerprint). Its tables live in the ``hourly``
schema plus ``marts.hourly_*``, created by ``dbt_like_sql/hourly/schema.sql`` only when hourly runs.
Method, sources and how to read the results: docs/hourly.md.
"""
