"""The read-only Elasticsearch search tool.

``catalog`` (which fields an index has), ``body`` (``EsSearch`` ⇄ Query DSL), ``validate``
(a search against a catalog and the config), ``client`` (the official client and its errors
in the analyst's words), ``runner`` (``_search``/``_count`` → ``SearchResult``). ``fixtures``
writes seeded demo data and is used only by the tests and the demo; ``local_cluster`` runs
the local Elasticsearch they use.
"""
