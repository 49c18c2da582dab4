/**
 * @dlm/mermaid: IR → Mermaid flowchart text (pure, deterministic) and SVG/PNG rendering through
 * the real Mermaid package in headless Chromium. Imports only @dlm/core.
 */
export { toMermaid, toMarkdown, buildDiagrams, type DiagramOptions } from './flowchart.js';
export { renderSvg, renderPng, renderMany, withRenderer, MermaidRenderer, type RenderOptions, type RendererOptions } from './render.js';
export { DiagramError } from './errors.js';
export { findChromium, chromiumLocations, CHROMIUM_NAMES, type ChromiumSearch } from './chromium.js';
export { escapeLabel } from './escape.js';
export { formatTensor } from './labels.js';
export type { ModelDiagram, DItem, DNode, DEdge, DSubgraph } from './structure.js';
