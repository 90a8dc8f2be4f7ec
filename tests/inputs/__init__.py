"""Tests of rodin_mcp.inputs: real files, data: URIs, and URLs against a server on 127.0.0.1.

No test sends traffic anywhere but loopback (see ``conftest.loopback_only_network``).
"""
