"""Compatibility shims for third-party libraries."""
