// The 3D stage: renderer, lights built in code, orbit controls, one model at a time.
// It renders on demand (after a load, a control change, a resize), not in a loop.
import {
  Box3,
  Color,
  DirectionalLight,
  HemisphereLight,
  NeutralToneMapping,
  PerspectiveCamera,
  PMREMGenerator,
  Scene,
  Vector3,
  WebGLRenderer,
} from "three";
import { RoomEnvironment } from "three/addons/environments/RoomEnvironment.js";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

const VIEW_DIRECTION = new Vector3(1, 0.6, 1.2).normalize();

export class Stage {
  constructor(container) {
    this.container = container;
    this.renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.toneMapping = NeutralToneMapping;
    container.appendChild(this.renderer.domElement);

    this.scene = new Scene();
    this.camera = new PerspectiveCamera(40, 1, 0.01, 1000);
    this.camera.position.set(1.5, 1, 1.8);

    const pmrem = new PMREMGenerator(this.renderer);
    this.scene.environment = pmrem.fromScene(new RoomEnvironment(), 0.04).texture;
    pmrem.dispose();
    this.scene.add(new HemisphereLight(0xffffff, 0x44464a, 0.6));
    const key = new DirectionalLight(0xffffff, 1.6);
    key.position.set(3, 5, 4);
    this.scene.add(key);
    const fill = new DirectionalLight(0xffffff, 0.5);
    fill.position.set(-4, 2, -3);
    this.scene.add(fill);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.render());

    this.model = null;
    this.wireframe = false;
    this.onrender = null;
    this.home = null;
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  setBackground(cssColor) {
    this.scene.background = new Color(cssColor);
    this.render();
  }

  resize() {
    const width = Math.max(this.container.clientWidth, 1);
    const height = Math.max(this.container.clientHeight, 1);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render() {
    this.renderer.render(this.scene, this.camera);
    this.onrender?.();
  }

  // Replaces the shown model; returns its facts (size in metres, meshes, textures).
  show(root) {
    if (this.model) {
      this.scene.remove(this.model);
      dispose(this.model);
    }
    this.model = root;
    this.scene.add(root);
    this.setWireframe(this.wireframe);
    const box = new Box3().setFromObject(root);
    const size = box.isEmpty() ? new Vector3() : box.getSize(new Vector3());
    const center = box.isEmpty() ? new Vector3() : box.getCenter(new Vector3());
    this.frame(center, Math.max(size.length() / 2, 1e-3));
    return { size: [size.x, size.y, size.z], ...census(root) };
  }

  frame(center, radius) {
    const fov = (this.camera.fov * Math.PI) / 180;
    const distance = (radius / Math.sin(fov / 2)) * 1.08;
    this.camera.near = distance / 100;
    this.camera.far = distance * 100;
    this.camera.position.copy(center).addScaledVector(VIEW_DIRECTION, distance);
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.minDistance = radius * 0.05;
    this.controls.maxDistance = distance * 20;
    this.home = { position: this.camera.position.clone(), target: center.clone() };
    this.controls.update();
    this.render();
  }

  resetView() {
    if (!this.home) return;
    this.camera.position.copy(this.home.position);
    this.controls.target.copy(this.home.target);
    this.controls.update();
    this.render();
  }

  setWireframe(on) {
    this.wireframe = on;
    this.model?.traverse((node) => {
      for (const material of materialsOf(node)) material.wireframe = on;
    });
    this.render();
  }
}

function materialsOf(node) {
  if (!node.isMesh || !node.material) return [];
  return Array.isArray(node.material) ? node.material : [node.material];
}

function census(root) {
  let meshes = 0;
  const textures = new Set();
  root.traverse((node) => {
    if (node.isMesh) meshes += 1;
    for (const material of materialsOf(node)) {
      for (const value of Object.values(material)) {
        if (value && value.isTexture) textures.add(value);
      }
    }
  });
  const withImage = [...textures].filter((t) => t.image && t.image.width > 0).length;
  return { meshes, textures: textures.size, texturesWithImage: withImage };
}

function dispose(root) {
  root.traverse((node) => {
    node.geometry?.dispose();
    for (const material of materialsOf(node)) {
      for (const value of Object.values(material)) {
        if (value && value.isTexture) value.dispose();
      }
      material.dispose();
    }
  });
}
