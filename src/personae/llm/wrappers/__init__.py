"""Wrappers: each is a `Backend` around a `Backend`, adding one behaviour."""
