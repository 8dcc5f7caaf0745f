"""One test file per decoder (``test_<name>.py``, beside ``fixtures/<name>/``), and the tests every
decoder shares, written once (``test_registry.py``, ``test_smtp.py``, ``test_shared.py``)."""
