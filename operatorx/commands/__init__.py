"""Subcommands of `operatorx`; each module defines register(subparsers)."""
