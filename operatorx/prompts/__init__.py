"""Prompt files (package data): the few-shot system prompt and friends."""
