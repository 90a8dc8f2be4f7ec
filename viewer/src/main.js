// The rodin-mcp viewer: an MCP App (ext-apps `App`) showing a task's GLB models with three.js.
//
// The host hands us the downloads tool's result; its structuredContent.viewer lists the models
// as MCP resource URIs. Each model is read through the host with resources/read (base64 blob),
// never fetched from a URL, so it works under the MCP Apps default CSP (connect-src 'none').
import { App, applyDocumentTheme, applyHostStyleVariables } from "@modelcontextprotocol/ext-apps";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { bytesOfBase64, CspSafeImages } from "./csp-safe-images.js";
import { Stage } from "./stage.js";

const DEFAULT_HEIGHT = 420;
const elements = {
  root: document.documentElement,
  viewer: document.getElementById("viewer"),
  stage: document.getElementById("stage"),
  model: document.getElementById("model"),
  wireframe: document.getElementById("wireframe"),
  reset: document.getElementById("reset"),
  full: document.getElementById("full"),
  dimensions: document.getElementById("dimensions"),
  status: document.getElementById("status"),
};

// What tests and hosts can read: the viewer's state and the shown model's facts.
const report = { state: "starting", message: "", model: null, uri: null, errors: [], renders: 0 };
window.__viewer = report;

function setStatus(state, message) {
  report.state = state;
  report.message = message;
  elements.status.dataset.state = state;
  elements.status.textContent = message;
  document.body.dataset.viewerState = state;
}

function fail(message, error) {
  const detail = error ? `: ${error.message || error}` : "";
  report.errors.push(message + detail);
  setStatus("error", message + detail);
}

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatMetres(value) {
  return value >= 10 ? value.toFixed(1) : value.toPrecision(3);
}

let stage = null;
try {
  stage = new Stage(elements.stage);
  stage.onrender = () => {
    report.renders += 1;
  };
} catch (error) {
  fail("This browser cannot show 3D (WebGL is unavailable)", error);
}

const loader = new GLTFLoader();
loader.register((parser) => new CspSafeImages(parser));
const app = new App({ name: "rodin-mcp viewer", version: "0.1.0" });

let models = [];
let shown = null; // { model, full: boolean }
let loads = 0;

async function readModel(uri) {
  const result = await app.readServerResource({ uri });
  const content = result.contents?.[0];
  if (!content || typeof content.blob !== "string") {
    throw new Error("the server did not return the model as binary data");
  }
  const bytes = bytesOfBase64(content.blob);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

async function load(model, full) {
  if (!stage) return;
  const load = ++loads;
  const uri = full ? model.full_uri : model.uri;
  const size = full ? model.full_size : model.size;
  setStatus("loading", `Loading ${model.name} (${formatBytes(size)})…`);
  elements.full.disabled = true;
  try {
    const data = await readModel(uri);
    const gltf = await loader.parseAsync(data, "");
    if (load !== loads) return; // a later choice won
    const facts = stage.show(gltf.scene);
    shown = { model, full };
    Object.assign(report, { model: model.name, uri, full, ...facts });
    showDimensions(facts.size);
    elements.wireframe.disabled = false;
    elements.reset.disabled = false;
    const lightweight = model.uri !== model.full_uri && !full;
    elements.full.hidden = !lightweight;
    elements.full.disabled = false;
    elements.full.textContent = `Load full file (${formatBytes(model.full_size)})`;
    setStatus("loaded", `${model.name} loaded`);
  } catch (error) {
    if (load === loads) fail(`Could not show ${model.name}`, error);
  }
}

function showDimensions([x, y, z]) {
  elements.dimensions.hidden = false;
  elements.dimensions.textContent =
    `${formatMetres(x)} × ${formatMetres(y)} × ${formatMetres(z)} m (W × H × D)`;
}

function showResult(result) {
  if (result.isError) {
    const text = (result.content || []).map((block) => block.text || "").join(" ").trim();
    fail(text || "The tool reported an error");
    return;
  }
  const viewer = result.structuredContent?.viewer;
  if (!viewer || !Array.isArray(viewer.models)) {
    fail("This result carries no models for the viewer");
    return;
  }
  models = viewer.models;
  elements.model.replaceChildren(
    ...models.map((model, index) => {
      const option = document.createElement("option");
      option.value = String(index);
      option.textContent = `${model.name} (${formatBytes(model.size)})`;
      return option;
    }),
  );
  elements.model.hidden = models.length < 2;
  if (models.length === 0) {
    const state = result.structuredContent?.state;
    setStatus("empty", `No GLB model in this task's files${state ? ` (task ${state})` : ""}.`);
    return;
  }
  load(models[0], false);
}

function applyHostContext(context) {
  if (!context) return;
  if (context.theme) {
    applyDocumentTheme(context.theme);
    elements.root.dataset.theme = context.theme;
  }
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  const dimensions = context.containerDimensions;
  if (dimensions) {
    const height = dimensions.height ?? Math.min(DEFAULT_HEIGHT, dimensions.maxHeight ?? DEFAULT_HEIGHT);
    elements.root.style.setProperty("--viewer-height", `${height}px`);
  }
  stage?.setBackground(getComputedStyle(elements.root).getPropertyValue("--viewer-bg").trim());
}

elements.wireframe.addEventListener("click", () => {
  const on = !stage.wireframe;
  stage.setWireframe(on);
  elements.wireframe.setAttribute("aria-pressed", String(on));
  report.wireframe = on;
});
elements.reset.addEventListener("click", () => stage.resetView());
elements.full.addEventListener("click", () => shown && load(shown.model, true));
elements.model.addEventListener("change", () => {
  const model = models[Number(elements.model.value)];
  if (model) load(model, false);
});

app.ontoolinput = () => setStatus("waiting", "Waiting for the task's files…");
app.ontoolresult = (result) => showResult(result);
app.ontoolcancelled = () => setStatus("empty", "The tool call was cancelled.");
app.onhostcontextchanged = (context) => applyHostContext(context);

applyHostContext({});
try {
  await app.connect();
  applyHostContext(app.getHostContext());
  if (report.state === "starting") setStatus("waiting", "Waiting for the task's files…");
} catch (error) {
  fail("Could not connect to the host", error);
}
