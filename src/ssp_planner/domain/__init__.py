"""Typed vocabulary shared by every module: categories, areas, identifiers, dates."""
