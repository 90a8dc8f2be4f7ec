"""FBX 7.4 ASCII: the required sections are there and their counts match the mesh."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rodin_mcp.emulator.formats.fbx import FbxTextures, write_fbx
from rodin_mcp.model.mesh import Mesh
from tests.model.meshes import grid, pbr_material


@dataclass
class Node:
    name: str
    values: list[str]
    children: list[Node] = field(default_factory=list["Node"])

    def child(self, name: str) -> Node:
        found = self.all(name)
        assert found, f"{self.name} has no {name}"
        return found[0]

    def all(self, name: str) -> list[Node]:
        return [c for c in self.children if c.name == name]

    def array(self, name: str) -> list[float]:
        node = self.child(name)
        declared = int(node.values[0].lstrip("*"))
        values = [float(v) for v in node.child("a").values]
        assert len(values) == declared, f"{name} declares {declared} values, has {len(values)}"
        return values


def parse_fbx(text: str) -> Node:
    """A minimal FBX ASCII reader: ``Name: values {`` opens a node, ``}`` closes it."""
    root = Node("root", [])
    stack = [root]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line == "}":
            stack.pop()
            assert stack, "unbalanced braces"
            continue
        name, _, rest = line.partition(":")
        rest = rest.strip()
        opens = rest.endswith("{")
        if opens:
            rest = rest[:-1].strip()
        values = [v.strip().strip('"') for v in rest.split(",")] if rest else []
        node = Node(name.strip(), values)
        stack[-1].children.append(node)
        if opens:
            stack.append(node)
    assert stack == [root], "unclosed braces"
    return root


def _write(mesh: Mesh) -> tuple[str, Node]:
    text = write_fbx(
        mesh, FbxTextures(diffuse="d.png", normal="n.png", metallic="m.png", roughness="r.png")
    )
    return text.decode(), parse_fbx(text.decode())


def test_the_file_has_the_fbx_7_4_header_and_every_required_section() -> None:
    text, root = _write(grid(3, 2, pbr_material()))

    assert text.startswith("; FBX 7.4.0 project file")
    names = [c.name for c in root.children]
    assert names == [
        "FBXHeaderExtension",
        "GlobalSettings",
        "Definitions",
        "Objects",
        "Connections",
    ]
    assert root.child("FBXHeaderExtension").child("FBXVersion").values == ["7400"]
    objects = root.child("Objects")
    for kind in ("Geometry", "Model", "Material", "Texture", "Video"):
        assert objects.all(kind), kind


def test_geometry_counts_match_the_mesh() -> None:
    mesh = grid(5, 4, pbr_material())
    _, root = _write(mesh)
    geometry = root.child("Objects").child("Geometry")

    vertices = geometry.array("Vertices")
    polygon_indices = geometry.array("PolygonVertexIndex")
    normals = geometry.child("LayerElementNormal").array("Normals")
    uvs = geometry.child("LayerElementUV").array("UV")

    assert len(vertices) == 3 * mesh.vertex_count
    np.testing.assert_allclose(np.reshape(vertices, (-1, 3)), mesh.positions, atol=1e-6)
    assert len(polygon_indices) == 4 * len(mesh.quads) + 3 * len(mesh.triangles)
    assert sum(1 for i in polygon_indices if i < 0) == mesh.face_count
    decoded = [int(i) if i >= 0 else -int(i) - 1 for i in polygon_indices]
    assert decoded == mesh.quads.reshape(-1).tolist()
    assert len(normals) == 3 * mesh.vertex_count
    assert len(uvs) == 2 * mesh.vertex_count


def test_connections_link_existing_objects_and_every_texture_reaches_the_material() -> None:
    _, root = _write(grid(2, 2, pbr_material()))
    objects = root.child("Objects")
    ids = {int(node.values[0]) for node in objects.children}
    material_id = int(objects.child("Material").values[0])

    links = [c.values for c in root.child("Connections").all("C")]

    for link in links:
        assert int(link[1]) in ids
        assert int(link[2]) in ids | {0}
    texture_links = {link[3] for link in links if link[0] == "OP" and int(link[2]) == material_id}
    assert texture_links == {"DiffuseColor", "NormalMap", "ReflectionFactor", "ShininessExponent"}
    files = {t.child("RelativeFilename").values[0] for t in objects.all("Texture")}
    assert files == {"d.png", "n.png", "m.png", "r.png"}


def test_a_mesh_without_material_has_no_material_or_textures() -> None:
    _, root = _write(grid(2, 2))
    objects = root.child("Objects")

    assert not objects.all("Material")
    assert not objects.all("Texture")


def test_the_same_mesh_always_gives_the_same_file() -> None:
    assert _write(grid(3, 3, pbr_material()))[0] == _write(grid(3, 3, pbr_material()))[0]
