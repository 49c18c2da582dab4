/** DLM7xxx: diagrams. Owned by @dlm/mermaid. */
export const DIAGRAM_MESSAGES = {
  DLM7001: { severity: 'error', message: 'Mermaid could not draw the diagram: {0}' },
  DLM7002: { severity: 'error', message: "Cannot start the headless browser '{0}' that renders diagrams: {1}. Set DLM_CHROMIUM to the path of a working Chromium or Chrome." },
  DLM7003: { severity: 'error', message: "Unknown model '{0}' for the diagram; the program defines: {1}." },
  DLM7004: { severity: 'error', message: 'Diagram depth must be a whole number of at least 1, got {0}.' },
  DLM7005: { severity: 'error', message: "Cannot load Mermaid from '{0}': {1}" },
  DLM7006: {
    severity: 'error',
    message:
      'No Chromium or Chrome found to render SVG/PNG diagrams (looked on PATH for {0}, and in {1}). Install one (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium), or set DLM_CHROMIUM to its path.',
  },
} as const;
