"""Modal screens: confirmation card, edit, detail, help, saved conversations."""
