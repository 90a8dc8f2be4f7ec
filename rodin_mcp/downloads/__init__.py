"""Verified result files: a task's download list turned into complete files in one folder.

:func:`download_task` fetches them (:mod:`.task_download`, a few files at once, each through
:mod:`.streaming`), :mod:`.names` makes Rodin's untrusted names safe, and :mod:`.manifest`
writes ``task.json`` from the ledger's record of the task; :mod:`.temp_files` names, locks and
sweeps the temporary files both write through.
"""

from rodin_mcp.downloads.manifest import MANIFEST_NAME, read_manifest, write_manifest
from rodin_mcp.downloads.names import MAX_NAME_BYTES, safe_file_name, task_folder_name
from rodin_mcp.downloads.streaming import ProgressCallback
from rodin_mcp.downloads.task_download import TaskDownload, download_task
from rodin_mcp.downloads.temp_files import sweep_task_folders, write_file_atomically

__all__ = [
    "MANIFEST_NAME",
    "MAX_NAME_BYTES",
    "ProgressCallback",
    "TaskDownload",
    "download_task",
    "read_manifest",
    "safe_file_name",
    "sweep_task_folders",
    "task_folder_name",
    "write_file_atomically",
    "write_manifest",
]
