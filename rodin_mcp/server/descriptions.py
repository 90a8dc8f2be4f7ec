"""What the tools and the server say about themselves: descriptions and instructions.

Prices come from the pricing table and the dedupe window from the settings, so the texts cannot
drift from what the code does.
"""

from __future__ import annotations

from rodin_mcp.server.vocabulary import (
    CHECK_BALANCE,
    CHECK_STATUS,
    CONVERT_MODEL,
    CREATE_UPLOAD,
    GENERATE_3D,
    GENERATE_TEXTURE,
    INSPECT_MODEL,
    LIST_DOWNLOADS,
    LIST_TASKS,
    MAX_WAIT_SECONDS,
    SPLIT_PARTS,
    SUGGESTED_WAIT_SECONDS,
)
from rodin_mcp.service import (
    LINK_LIFETIME_SECONDS,
    MAX_IMAGES,
    MAX_MODEL_BYTES,
    PRESETS,
    PRICES,
    RESULT_RETENTION_DAYS,
    SPLITTABLE_TIER,
)
from rodin_mcp.settings import Settings

__all__ = ["describe", "instructions"]


def _costs() -> str:
    return (
        f"{PRICES.base:g} credit per model ({PRICES.extreme_high_tier:g} for "
        f"{PRICES.extreme_high_tier_name}), +{PRICES.high_pack:g} with high_pack, "
        f"+{PRICES.extreme_high_texture:g} with texture_mode extreme-high"
    )


def _window(settings: Settings) -> str:
    minutes = settings.dedupe_window_seconds / 60
    return f"{minutes:g} minutes" if minutes >= 1 else f"{settings.dedupe_window_seconds:g} s"


def instructions(settings: Settings, *, http: bool = False) -> str:
    """The server's instructions to the model (``http``: served over HTTP, with its links)."""
    remote = (
        f"\nOver this HTTP server, files on the user's computer (or in your sandbox) are not on "
        f"the server's: send each with {CREATE_UPLOAD} (one PUT of its bytes, e.g. curl -T) and "
        f"pass the upload:// URI it gives; {LIST_DOWNLOADS} gives each result file a "
        "download_url to fetch it from here."
        if http
        else ""
    )
    return (
        "Generate 3D models (GLB, FBX, OBJ, STL, USDZ) from text or images with Hyper3D Rodin.\n"
        f"Flow: {GENERATE_3D} (spends credits: {_costs()}) returns a task_uuid within seconds; "
        f"then call {CHECK_STATUS}(task_uuid, wait_seconds={SUGGESTED_WAIT_SECONDS}) until state "
        f"is done (seconds to several minutes); then {LIST_DOWNLOADS}(task_uuid) saves the files "
        f"on the user's disk and shows a preview. {CHECK_STATUS}, {LIST_DOWNLOADS}, "
        f"{CHECK_BALANCE}, {LIST_TASKS}, {INSPECT_MODEL} and {CONVERT_MODEL} are free. Never "
        f"call {GENERATE_3D} again just because a task is slow: an identical request within "
        f"{_window(settings)} is deduplicated, and {LIST_TASKS} shows earlier tasks. Image "
        "inputs must be on the user's computer (absolute path), or a URL or data: URI. "
        f"{CONVERT_MODEL} turns a saved model into another format, size or triangle budget "
        "here, without a new generation." + remote
    )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


def describe(tool: str, settings: Settings) -> str:
    """The description of one tool."""
    texts = {
        CREATE_UPLOAD: (
            "Make a one-time link on this server to send a file to: an input image or a 3D "
            "model file that is on the user's computer (or in your sandbox), not on the "
            "server's. Free.\n\nReturns upload_url, which takes the file as the body of one PUT "
            "with no other credential (from a shell: curl -T chair.png '<upload_url>'), and "
            f"uri (upload://...) to pass, once the file is sent, in {GENERATE_3D}'s images, as "
            f"{GENERATE_TEXTURE}'s image or model, or as {INSPECT_MODEL}'s model. The link and "
            f"the upload last {settings.upload_seconds / 60:g} minutes; an upload is used once, "
            f"only by whoever made it, and checked like any image or model then. At most "
            f"{_mib(settings.max_image_bytes)} per image and {_mib(MAX_MODEL_BYTES)} per model."
        ),
        GENERATE_3D: (
            "Start a Rodin 3D generation from a text prompt and/or up to "
            f"{MAX_IMAGES} images. Spends credits.\n\nCosts {_costs()}. Returns within seconds "
            "with a task_uuid; the model "
            f"takes from seconds to several minutes. Then call {CHECK_STATUS}(task_uuid, "
            f"wait_seconds={SUGGESTED_WAIT_SECONDS}) until state is done, and "
            f"{LIST_DOWNLOADS}(task_uuid) to save the files. An identical request within "
            f"{_window(settings)} returns the existing task instead of paying again. Images: "
            "absolute local paths, file:// or data: URIs, http(s) URLs, or upload:// URIs."
        ),
        GENERATE_TEXTURE: (
            "Give an existing 3D model new textures with Rodin (Generate Texture), guided by one "
            f"reference image and an optional prompt. Spends credits.\n\nCosts "
            f"{PRICES.texture:g} credit. model: a GLB, USDZ, FBX, OBJ or STL file of at most "
            f"{MAX_MODEL_BYTES // (1024 * 1024)} MB (an absolute path, file:// URI, the "
            f"rodin:// URI of a file {LIST_DOWNLOADS} saved, or an upload:// URI). Returns a "
            f"task_uuid within seconds; then {CHECK_STATUS}(task_uuid, "
            f"wait_seconds={SUGGESTED_WAIT_SECONDS}) until done, "
            f"and {LIST_DOWNLOADS}(task_uuid) for the textured model. An identical request "
            f"within {_window(settings)} returns the existing task instead of paying again."
        ),
        SPLIT_PARTS: (
            f"Split the model of a finished {SPLITTABLE_TIER} generation into separate parts "
            f"with Rodin BANG. Spends credits.\n\nCosts {PRICES.split:g} credit. Only models "
            f"generated with tier {SPLITTABLE_TIER} can be split; pass that generation's "
            f"task_uuid. Returns a new task_uuid within seconds; then {CHECK_STATUS}(task_uuid, "
            f"wait_seconds={SUGGESTED_WAIT_SECONDS}) until done, and {LIST_DOWNLOADS}(task_uuid) "
            f"for the parts. An identical request within {_window(settings)} returns the "
            "existing task instead of paying again."
        ),
        CHECK_STATUS: (
            "Report a Rodin task's state: waiting, generating, done or failed. Free.\n\nWith "
            f"wait_seconds (up to {MAX_WAIT_SECONDS:g}), waits (sending progress) and returns as "
            "soon as the task finishes."
        ),
        LIST_DOWNLOADS: (
            "Save a finished task's files (model, textures, preview) on the user's disk. "
            "Free.\n\nReturns each file's absolute path and an MCP resource URI, plus the preview "
            "image and facts about the model. Before the task is done it says so and downloads "
            f"nothing. Result links expire {LINK_LIFETIME_SECONDS // 60:d} minutes after "
            f"listing at Rodin, and results are kept there for {RESULT_RETENTION_DAYS:d} "
            "days; this tool fetches fresh links itself."
        ),
        CHECK_BALANCE: "Report the Rodin account's credit balance, and this session's spending. "
        "Free.",
        LIST_TASKS: "List recent generation tasks this server knows, newest first, with their "
        "state. Free.",
        INSPECT_MODEL: (
            "Report facts about a 3D model file: format, vertex and triangle counts, bounding "
            "box and dimensions (with units and up axis), meshes, materials, textures with their "
            "resolutions, file size, and whether the surface is watertight. Free; nothing is "
            "sent to Rodin.\n\nmodel: an absolute path on this computer, a file:// URI, or the "
            f"rodin:// resource URI of a file {LIST_DOWNLOADS} saved, or an upload:// URI. Reads "
            "GLB, OBJ, STL, FBX, USDZ and 3MF."
        ),
        CONVERT_MODEL: (
            "Convert a 3D model here, for free: to GLB, OBJ (with its material and texture), "
            "STL, 3MF or USDZ; scaled to a size in mm, cm, m or in; turned Y or Z up; with its "
            "origin at its bottom centre or centre; simplified to a triangle budget (UVs and "
            "textures kept); textures scaled down. Nothing is sent anywhere and no credits are "
            "spent.\n\nWrites a new file (never over another) beside the task's files, or in "
            "the output folder's converted/ folder for a local file or an upload:// URI, with a "
            "contact sheet; "
            "returns its facts as "
            f"{INSPECT_MODEL} gives them, and for STL and 3MF a printability report (watertight, "
            "open and non-manifold edges, volume, whether it stands; repair=true closes the mesh "
            f"where possible). {LIST_TASKS} and {LIST_DOWNLOADS} list conversions. Presets: "
            + ", ".join(PRESETS)
            + ". FBX is refused (no well-kept library writes it)."
        ),
    }
    return texts[tool]
