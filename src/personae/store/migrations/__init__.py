"""Alembic migrations of the personae schema, shipped inside the package and run on open."""
