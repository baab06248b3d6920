"""The nmap tool, one module per job; import from the module itself.

* ``argv``    — ``build_argv``, ``parse_argv``, ``describe`` (``NmapScan`` delegates to them)
* ``results`` — ``ScanResult`` and friends, ``parse_xml``, ``parse_progress_line``
* ``runner``  — execution with progress and cancel, and the privilege rules
  (``requires_privileges``, ``privileged``, ``adapt_for_privileges``)

Nothing is re-exported here: only ``agent/executor.py`` may reach the runner
(tests/test_executor_gate.py checks that by name), and a package that imports nothing keeps
``import operatorx.tools.nmap.argv`` light and free of cycles with ``operatorx.schemas``.
"""
