"""Readers for the standard, machine-readable parts: RFC 3464/6533 DSN, ARF, MDN, RFC 3834."""
