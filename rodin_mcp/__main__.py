"""`python -m rodin_mcp` is the same as the `rodin-mcp` command."""

import sys

from rodin_mcp.cli import main

sys.exit(main())
