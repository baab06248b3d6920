"""Widgets of the chat app: transcript, prompt, card, result tables, charts, status panel."""
