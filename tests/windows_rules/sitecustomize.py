"""Imposes Windows' file rule (see tests/file_rules.py) on the Python process that starts with
this folder on ``PYTHONPATH``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.file_rules import WindowsFileRules

WindowsFileRules().install()
