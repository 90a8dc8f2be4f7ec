"""Conversion benchmark: each conversion of the 500k-triangle bench model, and a simplification
to 50k triangles, against baselines measured in the same run.

The model is ``bench_preview``'s bumpy sphere (500,000 triangles, 2048 px base-colour, normal and
metallic-roughness PNGs; 45.6 MiB as GLB). Every figure is the median of the rounds, each round
in a fresh child process (so its peak memory, ``VmHWM``, is its own):

- ``ours``: ``convert_model_file`` (read the GLB with our reader, fit textures, place, write the
  format in memory) for glb, obj, stl (with ``repair``: the printing path), 3mf and usdz;
- ``baseline``: the same file loaded by trimesh and saved by the same writing library with no
  conversion work: trimesh's own ``export`` for glb, obj and stl, lib3mf for 3mf and OpenUSD for
  usdz (through our writer functions, called on trimesh's mesh as it was loaded);
- simplification to 50,000 triangles: ours (fast-simplification, UVs carried through its
  collapses) against fast-simplification alone (positions only), and against the viewer copy's
  vertex clustering (``rodin_mcp.model.decimate``), with their geometric error against the
  sphere's exact surface and the error of their texture coordinates.

Usage::

    .venv/bin/python bench/bench_convert.py                  # 3 rounds, 500k triangles
    .venv/bin/python bench/bench_convert.py --rounds 1 --triangles 100000 --texture 1024
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from measure import peak_rss_kib, summarize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FORMATS = ("glb", "obj", "stl", "stl+repair", "3mf", "usdz")
"""``stl+repair`` is the printing path: welded, holes closed, made a solid by manifold3d (work
its baseline, a plain load and save, does not do)."""
SIMPLIFY_TO = 50_000
GOAL_RATIO = 2.0
"""A conversion may take at most twice a plain load and save by the same library."""
MIB = 1024 * 1024


def _ours(path: Path, fmt: str) -> dict[str, Any]:
    from rodin_mcp.model.conversion import plan_conversion
    from rodin_mcp.model.conversion.pipeline import convert_model_file

    options: dict[str, Any] = {"format": fmt.removesuffix("+repair")}
    if fmt.endswith("+repair"):
        options["repair"] = True
    converted = convert_model_file(path, "glb", plan_conversion(**options), "bench")
    return {"bytes": sum(len(b) for b in converted.files.values())}


def _baseline(path: Path, fmt: str) -> dict[str, Any]:
    import numpy as np
    import trimesh

    from rodin_mcp.model.conversion.writing import written_files
    from rodin_mcp.model.mesh import Mesh, vertex_normals

    fmt = fmt.removesuffix("+repair")
    loaded: Any = trimesh.load(str(path), force="mesh", process=False)  # pyright: ignore[reportUnknownMemberType]
    if fmt in ("glb", "obj", "stl"):
        data: Any = loaded.export(file_type=fmt)
        return {"bytes": len(data)}
    points = np.asarray(loaded.vertices, dtype=np.float64)
    faces = np.asarray(loaded.faces, dtype=np.int64)
    mesh = Mesh(
        positions=points.astype(np.float32),
        normals=vertex_normals(points, faces),
        uvs=np.zeros((len(loaded.vertices), 2), dtype=np.float32),
        triangles=faces.astype(np.uint32),
    )
    files = written_files(mesh, fmt, "bench", unit="m", up_axis="y", metres_per_unit=1.0)
    return {"bytes": sum(len(b) for b in files.values())}


def _surface_errors(points: Any, triangles: Any, uvs: Any) -> dict[str, float]:
    """Distance of the mesh from the exact bumpy sphere (at vertices and face centres, in
    metres on a sphere of radius 1) and of its UVs from the exact ones (in texels of 2048)."""
    import numpy as np

    def off_surface(p: Any) -> Any:
        length = np.linalg.norm(p, axis=1)
        theta = np.arccos(np.clip(p[:, 1] / length, -1.0, 1.0))
        phi = np.mod(np.arctan2(p[:, 0], p[:, 2]), 2 * np.pi)
        return np.abs(length - (1.0 + 0.06 * np.sin(5 * phi) * np.sin(4 * theta))), theta, phi

    corners = points[triangles]
    centre_error: Any = off_surface(corners.mean(axis=1))[0]
    vertex_error, theta, phi = off_surface(points)
    du = np.abs(uvs[:, 0] - phi / (2 * np.pi))
    du = np.minimum(du, 1.0 - du)
    poles = (theta > 0.05) & (theta < np.pi - 0.05)  # u is undefined at the poles
    dv = np.abs(uvs[:, 1] - theta / np.pi)
    texels = np.hypot(du, dv)[poles] * 2048
    return {
        "rms_centre_error": float(np.sqrt(np.mean(np.square(np.asarray(centre_error))))),
        "max_vertex_error": float(vertex_error.max()),
        "mean_uv_error_texels": float(texels.mean()),
    }


def _simplify(path: Path, how: str) -> dict[str, Any]:
    import numpy as np

    from rodin_mcp.model import read_glb

    mesh = read_glb(path.read_bytes())
    started = time.perf_counter()
    if how == "ours":
        from rodin_mcp.model.conversion.simplification import simplified

        result, _ = simplified(mesh, SIMPLIFY_TO)
        points, faces, uvs = result.positions, result.triangles, result.uvs
    elif how == "library":
        import fast_simplification

        library: Any = fast_simplification
        points, faces = library.simplify(
            mesh.positions.astype(np.float64),
            mesh.triangulated().astype(np.int32),
            target_count=SIMPLIFY_TO,
        )
        uvs = None
    else:
        from rodin_mcp.model.decimate import cluster_decimate

        result = cluster_decimate(mesh, SIMPLIFY_TO)
        points, faces, uvs = result.positions, result.triangulated(), result.uvs
    seconds = time.perf_counter() - started
    points = np.asarray(points, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    errors = _surface_errors(points, faces, np.zeros((len(points), 2)) if uvs is None else uvs)
    if uvs is None:
        errors["mean_uv_error_texels"] = float("nan")
    return {"seconds": seconds, "triangles": len(faces), **errors}


def child(task: str, path: Path) -> None:
    """One measurement in this fresh process; prints its JSON on stdout."""
    kind, _, what = task.partition(":")
    # The libraries load before the clock starts: imports are not the work measured.
    import fast_simplification  # noqa: F401  # pyright: ignore[reportUnusedImport]
    import trimesh  # noqa: F401  # pyright: ignore[reportUnusedImport]

    from rodin_mcp.model.conversion import usd_writing, writing  # noqa: F401  # pyright: ignore[reportUnusedImport]

    writing.optional_module("lib3mf", "3MF")
    writing.optional_module("pxr.UsdGeom", "USDZ")
    started = time.perf_counter()
    if kind == "ours":
        report = _ours(path, what)
    elif kind == "baseline":
        report = _baseline(path, what)
    else:
        report = _simplify(path, what)
    report.setdefault("seconds", time.perf_counter() - started)
    report["peak_mib"] = peak_rss_kib() / 1024
    sys.stdout.write(json.dumps(report))


def measure(task: str, path: Path, rounds: int) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, __file__, "--child", task, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    merged = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    merged["min_seconds"] = min(r["seconds"] for r in runs)
    merged["max_seconds"] = max(r["seconds"] for r in runs)
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description="Conversion benchmark (see the module notes).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--triangles", type=int, default=500_000)
    parser.add_argument("--texture", type=int, default=2048)
    parser.add_argument("--child", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    from bench_preview import big_model

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.glb"
        path.write_bytes(big_model(args.triangles, args.texture))
        size = path.stat().st_size / MIB
        print(
            f"# Conversions of a {args.triangles:,}-triangle GLB ({size:.1f} MiB, "
            f"{args.texture} px textures), medians of {args.rounds} rounds\n"
        )
        print("| format | ours s | baseline s | ratio | ours peak MiB | baseline peak MiB |")
        print("|---|---|---|---|---|---|")
        for fmt in FORMATS:
            ours = measure(f"ours:{fmt}", path, args.rounds)
            base = measure(f"baseline:{fmt}", path, args.rounds)
            ratio = ours["seconds"] / base["seconds"]
            repair = fmt.endswith("+repair")
            print(
                f"| {fmt} | {ours['seconds']:.2f} | "
                f"{base['seconds']:.2f} | {ratio:.2f}x | {ours['peak_mib']:.0f} | "
                f"{base['peak_mib']:.0f} |"
            )
            summarize(
                f"convert to {fmt}, {args.triangles // 1000}k triangles",
                f"{ours['seconds']:.2f} s, {ours['peak_mib']:.0f} MiB",
                f"{base['seconds']:.2f} s (trimesh load + save)",
                f"{ratio:.2f}x",
                "none (extra work)" if repair else f"<= {GOAL_RATIO:g}x",
                repair or ratio <= GOAL_RATIO,
            )
        print(f"\n# Simplification to {SIMPLIFY_TO:,} triangles\n")
        print(
            "| how | s | triangles | RMS error at face centres | max vertex error | "
            "mean UV error (texels) | peak MiB |"
        )
        print("|---|---|---|---|---|---|---|")
        found: dict[str, dict[str, Any]] = {}
        for how in ("ours", "library", "decimate"):
            found[how] = result = measure(f"simplify:{how}", path, args.rounds)
            print(
                f"| {how} | {result['seconds']:.2f} | {int(result['triangles']):,} | "
                f"{result['rms_centre_error']:.2e} | {result['max_vertex_error']:.2e} | "
                f"{result['mean_uv_error_texels']:.2f} | {result['peak_mib']:.0f} |"
            )
        ratio = found["ours"]["seconds"] / found["library"]["seconds"]
        summarize(
            f"simplify {args.triangles // 1000}k -> {SIMPLIFY_TO // 1000}k triangles",
            f"{found['ours']['seconds']:.2f} s (UVs kept)",
            f"{found['library']['seconds']:.2f} s (fast-simplification alone)",
            f"{ratio:.2f}x",
            f"<= {GOAL_RATIO:g}x",
            ratio <= GOAL_RATIO,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
