"""A Rodin-compatible emulator: the Hyper3D Rodin REST API, offline, with a fault plan.

It serves ``/api/v2/{rodin,rodin_texture_only,bang,status,download,check_balance}`` as the real
service does (https://developer.hyper3d.ai/api-specification/overview), signed expiring asset
URLs under ``/_files``, and optional admin endpoints under ``/_emulator`` (all described in
docs/emulator.md).
It imports nothing from the client side of rodin-mcp, so a bug shared by both cannot hide.

Quick start::

    from rodin_mcp.emulator import EmulatorConfig, run_emulator_in_thread

    with run_emulator_in_thread(EmulatorConfig(api_key="k", speed=1000)) as emulator:
        ...  # a client configured with emulator.base_url and the key "k"
"""

from rodin_mcp.emulator.app import create_app, emulator_state
from rodin_mcp.emulator.config import EmulatorConfig, ManualClock
from rodin_mcp.emulator.faults import Fault, FaultAction, FaultPlan
from rodin_mcp.emulator.link import AssetLink
from rodin_mcp.emulator.request_log import RequestRecord
from rodin_mcp.emulator.runner import RunningEmulator, run_emulator_in_thread, serve_emulator
from rodin_mcp.emulator.state import EmulatorState
from rodin_mcp.emulator.synthetic import SYNTHETIC_NAME, synthetic_chunks
from rodin_mcp.emulator.tasks import TaskView

__all__ = [
    "SYNTHETIC_NAME",
    "AssetLink",
    "EmulatorConfig",
    "EmulatorState",
    "Fault",
    "FaultAction",
    "FaultPlan",
    "ManualClock",
    "RequestRecord",
    "RunningEmulator",
    "TaskView",
    "create_app",
    "emulator_state",
    "run_emulator_in_thread",
    "serve_emulator",
    "synthetic_chunks",
]
