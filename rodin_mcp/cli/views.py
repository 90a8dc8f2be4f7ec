"""How results look to a person: short summaries, aligned tables, colour on terminals only."""

from __future__ import annotations

import json
from pathlib import Path

from rodin_mcp.cli.formatting import format_duration, format_size, format_when
from rodin_mcp.cli.host_setup import (
    ServerCommand,
    claude_code_command,
    claude_desktop_config,
    claude_desktop_config_path,
)
from rodin_mcp.cli.output import Output
from rodin_mcp.cli.progress import JOB_STYLES, STATE_STYLES, job_label
from rodin_mcp.cli.settings_sources import SettingValue
from rodin_mcp.records import TaskKind
from rodin_mcp.service import (
    PRICES,
    BalanceResult,
    ConversionSummary,
    ConvertResult,
    DownloadsResult,
    GenerateResult,
    ModelFacts,
    StatusResult,
    TasksResult,
    TaskSummary,
)

__all__ = [
    "show_balance",
    "show_config",
    "show_conversion",
    "show_files",
    "show_generated",
    "show_host_setup",
    "show_model",
    "show_status",
    "show_tasks",
]


def _mode(sandbox: bool) -> str:
    return "sandbox, no real credits" if sandbox else "real Rodin API"


def show_generated(output: Output, result: GenerateResult) -> None:
    """What was submitted (or reused)."""
    verb = "Reused recent identical task" if result.reused else "Submitted task"
    output.text(f"{verb} {result.task_uuid}", style="bold")
    prompt = f'"{result.prompt}"' if result.prompt else "(images only)"
    what = f"{prompt}, tier {result.tier}" if result.tier else f"{result.kind} of {result.source}"
    output.text(f"  {what}, {result.estimated_credits:g} credits ({_mode(result.sandbox)})")


def show_status(output: Output, status: StatusResult) -> None:
    """A task's state and its jobs."""
    from rich.text import Text

    line = Text(f"Task {status.task_uuid}: ")
    line.append(status.state, style=STATE_STYLES.get(status.state, ""))
    line.append(f"  ({format_duration(status.elapsed_seconds)} since submission)", style="dim")
    output.show(line)
    for i, job in enumerate(status.jobs):
        row = Text(f"  {job_label(i, job.uuid)}  ")
        row.append(job.status, style=JOB_STYLES.get(job.status, ""))
        output.show(row)


def _aligned(output: Output, rows: list[tuple[str, str]]) -> None:
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        output.text(f"  {label.ljust(width)}  {value}")


def show_files(output: Output, downloads: DownloadsResult) -> None:
    """The downloaded files and their folder."""
    output.text(f"Files in {downloads.output_dir}", style="bold")
    _aligned(output, [(f.name, format_size(f.size)) for f in downloads.files])
    if downloads.preview_path:
        output.text(f"Preview: {downloads.preview_path}")
    if downloads.contact_sheet_path:
        output.text(f"Contact sheet: {downloads.contact_sheet_path}")
    _show_conversions(output, downloads.conversions)


def _dimensions(facts: ModelFacts) -> str | None:
    box = facts.bounding_box
    if box is None:
        return None
    x, y, z = box.size
    unit = f" {facts.units}" if facts.units else ""
    return f"{x:.3f} x {y:.3f} x {z:.3f}{unit} (x, y, z)"


def _shape_rows(facts: ModelFacts) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if facts.up_axis:
        rows.append(("up axis", facts.up_axis))
    if facts.watertight is not None:
        rows.append(("watertight", "yes" if facts.watertight else "no (open edges)"))
    if facts.meshes:
        rows.append(("meshes", ", ".join(facts.meshes)))
    return rows


def show_model(output: Output, facts: ModelFacts) -> None:
    """The inspection summary of a model file."""
    name = Path(facts.path).name
    size = format_size(facts.file_size)
    output.text(f"Model {name} ({facts.format.upper()}, {size})", style="bold")
    rows: list[tuple[str, str]] = []
    if facts.vertex_count is not None:
        rows.append(("vertices", f"{facts.vertex_count:,}"))
    if facts.triangle_count is not None:
        rows.append(("triangles", f"{facts.triangle_count:,}"))
    dimensions = _dimensions(facts)
    if dimensions is not None:
        rows.append(("size", dimensions))
    rows += _shape_rows(facts)
    if facts.materials:
        rows.append(("materials", ", ".join(facts.materials)))
    for texture in facts.textures:
        pixels = f"{texture.width}x{texture.height}" if texture.width else "size unknown"
        kind = (texture.mime_type or "").removeprefix("image/").upper() or "image"
        role = texture.role or texture.name
        rows.append(("texture", f"{role}: {pixels} {kind}, {format_size(texture.byte_size)}"))
    rows += [("note", note) for note in facts.notes]
    _aligned(output, rows)


def show_conversion(output: Output, result: ConvertResult) -> None:
    """What a conversion wrote, what was done, and the new file's facts."""
    output.text(f"Converted {result.source}", style="bold")
    rows = [(f.name, format_size(f.size)) for f in result.files]
    rows.append(("folder", str(Path(result.path).parent)))
    plan = result.options
    done = [f"{plan['format']}"]
    if plan.get("preset"):
        done.append(f"preset {plan['preset']}")
    if plan.get("size") is not None:
        done.append(f"{plan['size']:g} {plan['unit']} along {plan['along']}")
    done.append(f"{plan['up_axis']} up")
    if plan.get("origin"):
        done.append(f"origin {plan['origin']}")
    rows.append(("done", ", ".join(done)))
    rows.append(("triangles", f"{result.source_triangles:,} -> {result.model.triangle_count:,}"))
    printability = result.printability
    if printability is not None:
        verdict = (
            "watertight"
            if printability["watertight"]
            else (
                f"not watertight ({printability['open_edges']} open, "
                f"{printability['non_manifold_edges']} non-manifold edges)"
            )
        )
        stands = "stands" if printability["stands"] else "does not stand as placed"
        rows.append(("printing", f"{verdict}, {stands}"))
        if printability.get("volume") is not None:
            rows.append(("volume", f"{printability['volume']:,.1f} {plan['unit']}^3"))
        if printability.get("repaired") is not None:
            rows.append(("repaired", "yes" if printability["repaired"] else "no"))
    rows += [("note", note) for note in result.notes]
    _aligned(output, rows)
    output.show()
    show_model(output, result.model)


def _show_conversions(output: Output, conversions: list[ConversionSummary]) -> None:
    if not conversions:
        return
    output.show()
    output.text("Conversions", style="bold")
    _aligned(
        output,
        [(format_when(c.converted_at), f"{c.format} {c.path}") for c in conversions],
    )


def show_host_setup(output: Output, server: ServerCommand) -> None:
    """How to connect an MCP host, and how to switch to the real API."""
    snippet = json.dumps(claude_desktop_config(server, sandbox=True), indent=2)
    output.text("Connect an MCP host", style="bold")
    output.text(f"  Claude Desktop: add this to {claude_desktop_config_path()}")
    output.text("  (Settings > Developer > Edit Config), then restart Claude Desktop:")
    output.text(snippet)
    output.text(f"  Claude Code:    {claude_code_command(server, sandbox=True)}")
    output.text("")
    output.text("Use the real Rodin API", style="bold")
    output.text(
        "  Get a key at https://hyper3d.ai/api-dashboard (a Business subscription is needed),"
    )
    output.text('  then drop "--sandbox" and set the key in the host\'s "env":')
    output.text(json.dumps(claude_desktop_config(server, sandbox=False), indent=2))
    output.text("  On the command line: export RODIN_API_KEY=<your key>, then")
    output.text(f'  rodin-mcp generate "a wooden chair" --wait   (spends {PRICES.base:g} credit)')
    output.text("")
    output.text("Your sandbox tasks: rodin-mcp tasks --sandbox")


def show_tasks(output: Output, tasks: TasksResult, *, sandbox: bool) -> None:
    """Recent tasks as an aligned table."""
    from rich.table import Table
    from rich.text import Text

    if not tasks.tasks:
        if sandbox:
            output.text("No sandbox tasks in the ledger yet.")
        else:
            output.text("No real-API tasks in the ledger yet (sandbox tasks: add --sandbox).")
        _show_conversions(output, tasks.conversions)
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("submitted", "task", "state", "tier", "credits", "prompt", "folder"):
        table.add_column(column, no_wrap=column in ("submitted", "task"))
    for task in tasks.tasks:
        prompt = _task_words(task)
        cells = [
            format_when(task.submitted_at),
            task.task_uuid or "-",
            task.state,
            task.tier or task.kind,
            f"{task.estimated_credits:g}",
            prompt if len(prompt) <= 40 else prompt[:39] + "~",
            task.output_dir or "-",
        ]
        texts = [Text(cell) for cell in cells]
        texts[2].stylize(STATE_STYLES.get(task.state, "magenta"))
        table.add_row(*texts)
    output.table(table)
    _show_conversions(output, tasks.conversions)


def _task_words(task: TaskSummary) -> str:
    """The prompt, or for a texture or split what it was made from."""
    if task.kind == TaskKind.GENERATION or task.source is None:
        return task.prompt or "(images)"
    # A local model's source is its SHA-256; a task's is its uuid. 8 characters tell either.
    origin = f"from {task.source[:8]}"
    return f"{task.prompt} ({origin})" if task.prompt else origin


def show_balance(output: Output, balance: BalanceResult) -> None:
    """The credit balance."""
    output.text(f"Balance: {balance.balance:g} credits ({_mode(balance.sandbox)})", style="bold")
    hours = balance.budget_period_seconds / 3600
    output.text(
        f"  Spent {balance.credits_spent:g} of the {balance.budget:g}-credit budget of the last "
        f"{hours:g} h (RODIN_MAX_CREDITS, RODIN_BUDGET_PERIOD_SECONDS)."
    )
    if balance.budget_frees_at is not None:
        output.text(f"  The oldest of it leaves the period at {balance.budget_frees_at}.")


def show_config(output: Output, values: list[SettingValue], notes: list[str]) -> None:
    """The effective settings with their sources."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("setting", "value", "source", "variable"):
        table.add_column(column)
    for item in values:
        shown = item.value
        if isinstance(shown, list):
            shown = ", ".join(shown) or "(none)"
        source_style = "dim" if item.source == "default" else "bold"
        table.add_row(
            item.name,
            Text("(not set)" if shown is None else str(shown)),
            Text(item.source, style=source_style),
            Text(item.env_var, style="dim"),
        )
    output.table(table)
    for note in notes:
        output.text(note)
