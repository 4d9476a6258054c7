"""Values the CUR contract allows, shared by the great-expectations suites (quality/expectations.py) and the
rules checked before a raw month commits (quality/precommit.py). Kept apart from the suites so the raw step,
which runs the before-commit rules on every delivery it reads, does not import great-expectations (about 3 s
of CPU, docs/performance.md) to learn a list of names."""

LINE_ITEM_TYPES = [
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanUpfrontFee",
    "SavingsPlanRecurringFee",
    "RIFee",
    "Fee",
    "Credit",
    "Refund",
    "Tax",
    "Discount",
    "BundledDiscount",
    "EdpDiscount",
    "PrivateRateDiscount",
]
