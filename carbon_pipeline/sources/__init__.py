"""Readers for what clouds and people deliver: each turns one source's objects into raw rows."""
