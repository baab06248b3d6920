"""OperatorX: ask in plain language, confirm, then scan or search."""

__version__ = "0.1.0"
