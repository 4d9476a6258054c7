"""Which FOCUS version a header is, and what each of its columns means, for FOCUS 1.0 to 1.4 and the
1.0-preview names still written by the FinOps Foundation's focus-converter (issue 14).

Kept apart from focus.py (the reader: layouts, deliveries, staging) because the column vocabulary moves
with each FOCUS release while the reader does not:

* 1.0-preview: ``Provider``, ``Publisher``, ``InvoiceIssuer`` (renamed ``ProviderName``, ``PublisherName``,
  ``InvoiceIssuerName`` in 1.0);
* 1.1: ``ServiceSubcategory``, ``SkuMeter``, ``SkuPriceDetails``, commitment quantity, capacity reservations;
* 1.2: ``InvoiceId``, pricing-currency columns (``BillingAccountType``/``SubAccountType`` too, but Azure's
  1.0 export already has them, so they prove nothing);
* 1.3 (2025-12): ``ServiceProviderName`` and ``HostProviderName`` (``ProviderName``/``PublisherName``
  deprecated), allocation columns, ``ContractApplied``;
* 1.4 (2026-06): ``ProviderName``/``PublisherName`` removed; ``CommitmentProgramEligibilityDetails``,
  ``InvoiceDetailId``.

``ServiceProviderName`` is read as ``ProviderName`` (the spec's replacement: who sold the service), so a 1.4
file, which no longer has ``ProviderName``, loads. ``HostProviderName`` is not used: the ledger's provider
stays the seller, as in every earlier version.

Header matching ignores case and underscores (snake_case copies), but when two headers mean the same column
the one spelled exactly as FOCUS spells it wins and the other keeps its own name: a converter that carries
its source's ``billing_account_id`` beside ``BillingAccountId`` loads, and so does a 1.3 file with both the
deprecated ``ProviderName`` and ``ServiceProviderName``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

# older or newer names of a column the reader uses -> its FOCUS 1.0-1.2 name
ALIASES = {
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "InvoiceIssuer": "InvoiceIssuerName",
    "ServiceProviderName": "ProviderName",
}
# columns first introduced by a version, newest version first
VERSION_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("1.4", ("CommitmentProgramEligibilityDetails", "InvoiceDetailId")),
    (
        "1.3",
        (
            "ServiceProviderName",
            "HostProviderName",
            "AllocatedMethodId",
            "AllocatedMethodDetails",
            "AllocatedResourceId",
            "AllocatedResourceName",
            "AllocatedTags",
            "ContractApplied",
        ),
    ),
    (
        "1.2",
        (
            "InvoiceId",
            "PricingCurrency",
            "PricingCurrencyContractedUnitPrice",
            "PricingCurrencyEffectiveCost",
            "PricingCurrencyListUnitPrice",
        ),
    ),
    (
        "1.1",
        (
            "ServiceSubcategory",
            "SkuMeter",
            "SkuPriceDetails",
            "CommitmentDiscountQuantity",
            "CommitmentDiscountUnit",
            "CapacityReservationId",
            "CapacityReservationStatus",
        ),
    ),
)
PREVIEW_NAMES = ("Provider", "Publisher", "InvoiceIssuer")
OLDEST_VERSION = "1.0"
PREVIEW_VERSION = "1.0-preview"


def match_key(header: str) -> str:
    """How headers are compared: ``billed_cost``, ``BILLEDCOST`` and ``BilledCost`` are the same column."""
    return header.strip().lstrip("\ufeff").replace("_", "").lower()


def detect_version(columns: Iterable[str]) -> str:
    """The newest FOCUS version whose own columns appear in the header; ``1.0-preview`` for a header with the
    preview names and none of 1.0's. Exports do not state their version in the data, and a version's own
    columns are the only evidence that survives a copy."""
    present = {match_key(c) for c in columns}
    for version, markers in VERSION_MARKERS:
        if any(match_key(m) in present for m in markers):
            return version
    if any(match_key(p) in present for p in PREVIEW_NAMES) and match_key("ProviderName") not in present:
        return PREVIEW_VERSION
    return OLDEST_VERSION


def header_normaliser(header: Sequence[str], known: Iterable[str]) -> Callable[[str], str]:
    """The name each header column is read as: its FOCUS spelling among ``known`` (directly, or through an
    alias), else its own name. Where several headers would take the same FOCUS name, the exactly spelled one
    takes it, then a direct match before an alias; the others keep their own names, so nothing collides."""
    canonical = {match_key(name): name for name in known}
    aliases = {match_key(old): new for old, new in ALIASES.items() if new in canonical.values()}

    def candidate(name: str) -> tuple[str | None, int]:
        key = match_key(name)
        if key in canonical:
            target = canonical[key]
            return target, 0 if name.strip().lstrip("\ufeff") == target else 1
        if key in aliases:
            return aliases[key], 2
        return None, 3

    best: dict[str, tuple[int, int]] = {}  # FOCUS name -> (rank, position) of the header that gets it
    for position, name in enumerate(header):
        target, rank = candidate(name)
        if target is not None and (target not in best or (rank, position) < best[target]):
            best[target] = (rank, position)
    winners = {position: target for target, (_, position) in best.items()}
    by_name = {name: winners.get(position) for position, name in enumerate(header)}

    def normalise(name: str) -> str:
        return by_name.get(name) or name.strip()

    return normalise
