// A GLTFLoader plugin that decodes a model's embedded images without creating any URL.
//
// Stock GLTFLoader turns each embedded image into URL.createObjectURL(blob) and loads it with
// ImageBitmapLoader, i.e. fetch("blob:..."). Under the MCP Apps default CSP (connect-src 'none')
// that fetch is refused and every texture is silently lost. Here images stored in a bufferView
// (GLB) or as a data: URI are decoded with createImageBitmap(Blob), which no CSP directive
// governs. Images that point at other URLs are refused: the viewer never fetches.
import { Texture } from "three";

const DATA_URI = /^data:([^;,]*)(;base64)?,(.*)$/s;

export function bytesOfDataUri(uri) {
  const match = DATA_URI.exec(uri);
  if (!match) return null;
  const [, type, base64, payload] = match;
  if (!base64) return { type, bytes: new TextEncoder().encode(decodeURIComponent(payload)) };
  return { type, bytes: bytesOfBase64(payload) };
}

export function bytesOfBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class CspSafeImages {
  constructor(parser) {
    this.name = "rodin_csp_safe_images";
    const standard = parser.loadImageSource.bind(parser);
    parser.loadImageSource = (sourceIndex, loader) => {
      if (loader.isKTX2Loader === true) return standard(sourceIndex, loader);
      const cached = parser.sourceCache[sourceIndex];
      if (cached !== undefined) return cached.then((texture) => texture.clone());
      const promise = decode(parser, parser.json.images[sourceIndex]);
      parser.sourceCache[sourceIndex] = promise;
      return promise;
    };
  }
}

async function decode(parser, image) {
  let blob;
  if (image.bufferView !== undefined) {
    const view = await parser.getDependency("bufferView", image.bufferView);
    blob = new Blob([view], { type: image.mimeType });
  } else {
    const inline = typeof image.uri === "string" ? bytesOfDataUri(image.uri) : null;
    if (inline === null) {
      throw new Error("the model refers to an external image, which the viewer cannot fetch");
    }
    blob = new Blob([inline.bytes], { type: image.mimeType || inline.type });
  }
  const bitmap = await createImageBitmap(blob, {
    premultiplyAlpha: "none",
    colorSpaceConversion: "none",
  });
  const texture = new Texture(bitmap);
  texture.needsUpdate = true;
  texture.userData.mimeType = image.mimeType || blob.type;
  return texture;
}
