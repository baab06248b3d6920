"""tools/elastic."""
