"""Preview benchmark: a local contact sheet of a big GLB against downloading Rodin's preview.

A 500k-triangle textured GLB (a bumpy sphere with 2048 x 2048 base-colour, normal and
metallic-roughness PNGs, as Rodin's PBR files have) is written to a temp folder. Then, in
alternating order each round:

- ``ours``: :func:`rodin_mcp.model.preview_of_file` on it: read and parse the GLB, render four
  views, encode the WEBP (a generous budget, so all four views are rendered);
- ``download``: a fresh HTTP client fetching a finished task's ``preview.webp`` from the
  emulator in this process, behind its simulated 10 MiB/s + 50 ms link
  (:class:`rodin_mcp.emulator.AssetLink`): what getting Rodin's own preview costs.

One untimed round of both comes first (imports, codec set-up, the first connection). It also
times :func:`rodin_mcp.model.lightweight_glb` (read the GLB, decimate to 200k
triangles, scale textures to 1024 px, write) and reports the copy's size.

Usage::

    .venv/bin/python bench/bench_preview.py                 # 5 rounds, 500k triangles, 2048 px
    .venv/bin/python bench/bench_preview.py --rounds 1 --texture 1024
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from measure import summarize

# Benchmark the checkout this file is in, whichever one the interpreter has installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MIB = 1024 * 1024
API_KEY = "bench"
LINK_LATENCY = 0.05
LINK_RATE = 10 * MIB
SHEET_GOAL_SECONDS = 2.0
SHEET_GOAL_RATIO = 1.0
"""The sheet within 2 s, and no slower than fetching Rodin's preview over the link."""


def texture_png(side: int, seed: int) -> bytes:
    """A texture with structure and grain: gradients, a checker, noise (compresses like art)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side]
    checker = ((xx * 16 // side + yy * 16 // side) % 2) * 120
    pixels = np.stack([xx * 255 // side, yy * 255 // side, checker + 60], axis=-1)
    pixels = pixels + rng.integers(-24, 24, size=pixels.shape)
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


def big_model(triangles: int, texture: int) -> bytes:
    """A bumpy textured sphere of about ``triangles`` triangles, as GLB bytes."""
    import numpy as np

    from rodin_mcp.emulator.formats.glb import write_glb
    from rodin_mcp.model import Material, Mesh, vertex_normals

    rings = max(2, round((triangles / 2) ** 0.5))
    theta, phi = np.meshgrid(
        np.linspace(0.0, np.pi, rings + 1), np.linspace(0.0, 2 * np.pi, rings + 1), indexing="ij"
    )
    radius = 1.0 + 0.06 * np.sin(5 * phi) * np.sin(4 * theta)
    positions = np.stack(
        [
            radius * np.sin(theta) * np.sin(phi),
            radius * np.cos(theta),
            radius * np.sin(theta) * np.cos(phi),
        ],
        axis=-1,
    ).reshape(-1, 3)
    uvs = np.stack([phi / (2 * np.pi), theta / np.pi], axis=-1).reshape(-1, 2)
    r, c = np.meshgrid(np.arange(rings), np.arange(rings), indexing="ij")
    a = (r * (rings + 1) + c).reshape(-1)
    b = a + rings + 1
    faces = np.concatenate([np.stack([a, b, a + 1], 1), np.stack([a + 1, b, b + 1], 1)])
    material = Material(
        name="pbr",
        roughness_factor=1.0,
        metallic_factor=1.0,
        base_color_png=texture_png(texture, 1),
        normal_png=texture_png(texture, 2),
        metallic_roughness_png=texture_png(texture, 3),
    )
    mesh = Mesh(
        positions=positions.astype(np.float32),
        normals=vertex_normals(positions, faces),
        uvs=uvs.astype(np.float32),
        triangles=faces.astype(np.uint32),
        material=material,
    )
    return write_glb(mesh)


def preview_url(emulator_base_url: str) -> str:
    """Submit a task to the emulator, wait for it, and return its ``preview.webp`` URL."""
    import httpx2

    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx2.Client(base_url=emulator_base_url + "/", headers=headers, timeout=30) as api:
        task = api.post("rodin", files=[("prompt", (None, "A 3D model of a teapot"))]).json()
        key = task["jobs"]["subscription_key"]
        deadline = time.monotonic() + 30
        while {
            job["status"]
            for job in api.post("status", json={"subscription_key": key}).json()["jobs"]
        } != {"Done"}:
            if time.monotonic() > deadline:
                raise SystemExit("the emulator's task did not finish")
            time.sleep(0.02)
        listing = api.post("download", json={"task_uuid": task["uuid"]}).json()["list"]
    return next(item["url"] for item in listing if item["name"] == "preview.webp")


def download_seconds(url: str) -> tuple[float, int]:
    """Fetch ``url`` with a fresh client (new connection); seconds and bytes."""
    import httpx2

    with httpx2.Client(timeout=30) as http:
        started = time.perf_counter()
        body = http.get(url).raise_for_status().content
        return time.perf_counter() - started, len(body)


def timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def sheet_views(webp: bytes, size: int) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(webp)) as image:
        return (image.width // size) * (image.height // size)


def main() -> None:
    parser = argparse.ArgumentParser(description="Contact sheet of a big GLB vs Rodin's preview.")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (alternating order)")
    parser.add_argument("--triangles", type=int, default=500_000, help="triangles in the model")
    parser.add_argument("--texture", type=int, default=2048, help="side of each texture in px")
    parser.add_argument("--size", type=int, default=512, help="side of each sheet view in px")
    args = parser.parse_args()

    from rodin_mcp.emulator import AssetLink, EmulatorConfig, run_emulator_in_thread
    from rodin_mcp.model import lightweight_glb, preview_of_file, read_glb

    config = EmulatorConfig(
        api_key=API_KEY,
        speed=1000,
        url_ttl_seconds=24 * 3600,
        asset_link=AssetLink(latency_seconds=LINK_LATENCY, bytes_per_second=LINK_RATE),
    )
    with tempfile.TemporaryDirectory(prefix="rodin-bench-") as name:
        model = Path(name) / "model.glb"
        model.write_bytes(big_model(args.triangles, args.texture))
        source_triangles = read_glb(model.read_bytes()).triangle_count
        sys.stderr.write(
            f"model: {source_triangles} triangles, {args.texture} px textures, "
            f"{model.stat().st_size / MIB:.1f} MiB\n"
        )
        ours: list[float] = []
        baseline: list[float] = []
        light: list[float] = []
        sheet = b""
        light_glb = b""
        preview_bytes = 0
        with run_emulator_in_thread(config) as emulator:
            url = preview_url(emulator.base_url)
            # One untimed round of each: imports, codec plugins and the first connection.
            preview_of_file(model, budget_seconds=60.0, size=args.size)
            download_seconds(url)
            for number in range(args.rounds):

                def run_ours() -> None:
                    nonlocal sheet
                    seconds, result = timed(
                        lambda: preview_of_file(model, budget_seconds=60.0, size=args.size)
                    )
                    assert isinstance(result, bytes), "no preview was made"
                    sheet = result
                    ours.append(seconds)

                def run_baseline() -> None:
                    nonlocal preview_bytes
                    seconds, preview_bytes = download_seconds(url)
                    baseline.append(seconds)

                steps = [run_ours, run_baseline] if number % 2 == 0 else [run_baseline, run_ours]
                for step in steps:
                    step()
                seconds, result = timed(lambda: lightweight_glb(read_glb(model.read_bytes())))
                assert isinstance(result, bytes)
                light_glb = result
                light.append(seconds)
                sys.stderr.write(
                    f"  round {number + 1}: sheet {ours[-1]:.3f} s, preview.webp download "
                    f"{baseline[-1]:.3f} s, viewer copy {light[-1]:.3f} s\n"
                )
        copy = read_glb(light_glb)
        report(args, model.stat().st_size, source_triangles, ours, baseline, light)
        views = sheet_views(sheet, args.size)
        sheet_seconds = statistics.median(ours)
        fetch_seconds = statistics.median(baseline)
        ratio = sheet_seconds / fetch_seconds
        print(
            f"\nsheet: {views} views, {len(sheet) / 1024:.0f} KiB; Rodin's preview.webp: "
            f"{preview_bytes / 1024:.0f} KiB; viewer copy: {copy.triangle_count} triangles, "
            f"{len(light_glb) / MIB:.2f} MiB"
        )
        met = sheet_seconds < SHEET_GOAL_SECONDS and ratio <= SHEET_GOAL_RATIO
        summarize(
            f"contact sheet of a {source_triangles / 1000:.0f}k-triangle GLB ({args.texture} px "
            f"textures; read, {views} views, encode) / download of preview.webp, 10 MiB/s + 50 ms",
            f"{sheet_seconds:.2f} s",
            f"{fetch_seconds:.3f} s",
            f"{ratio:.1f}x",
            f"< {SHEET_GOAL_SECONDS:.0f} s and <= {SHEET_GOAL_RATIO:.0f}x",
            met,
        )
        summarize(
            f"viewer copy of the same GLB (read, decimate to {copy.triangle_count / 1000:.0f}k, "
            "textures to 1024 px, write): time, size",
            f"{statistics.median(light):.2f} s, {len(light_glb) / MIB:.1f} MiB",
            f"source {model.stat().st_size / MIB:.1f} MiB",
            f"{len(light_glb) / model.stat().st_size:.2f}x size",
            "<= 200k triangles",
            copy.triangle_count <= 200_000,
        )


def report(
    args: argparse.Namespace,
    file_bytes: int,
    triangles: int,
    ours: list[float],
    baseline: list[float],
    light: list[float],
) -> None:
    print(
        f"\nModel: {triangles} triangles, {args.texture} px textures, {file_bytes / MIB:.1f} MiB; "
        f"{args.rounds} rounds\n"
    )
    print("| what | median s | min s | max s |\n|---|---|---|---|")
    for label, values in (
        ("contact sheet (preview_of_file)", ours),
        ("preview.webp download, 10 MiB/s + 50 ms", baseline),
        ("viewer copy (read + lightweight_glb)", light),
    ):
        print(
            f"| {label} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |"
        )


if __name__ == "__main__":
    main()
