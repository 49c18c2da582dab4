/** DLM7xxx: diagrams. Owned by @dlm/mermaid. */
export const DIAGRAM_MESSAGES = {
} as const;
