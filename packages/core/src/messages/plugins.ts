/** DLM8xxx: plugin loading and registration. Owned by @dlm/core's registry and @dlm/cli's loader. */
export const PLUGIN_MESSAGES = {
  DLM8001: { severity: 'error', message: "{0} '{1}' is registered twice: by plugin '{2}' and by plugin '{3}'." },
  DLM8002: { severity: 'error', message: "Plugin '{0}' failed while registering: {1}" },
  DLM8003: { severity: 'error', message: "Plugin '{0}' declares a malformed {1} '{2}': {3}" },
  DLM8004: { severity: 'error', message: "Plugin '{0}' was built for dlm plugin API {1}, but this dlm provides API {2}." },
  DLM8005: { severity: 'error', message: "Layer '{0}' from plugin '{1}' failed while expanding: {2}" },
  DLM8006: { severity: 'error', message: "Layer '{0}' from plugin '{1}' contradicts its own shape rule: the rule says {2}, the expansion produced {3}." },
  DLM8007: { severity: 'error', message: "Cannot load plugin '{0}' (named in {1}): {2}" },
  DLM8008: { severity: 'error', message: "Module '{0}' does not export a dlm plugin: export it as 'default' or as 'plugin'." },
  DLM8009: { severity: 'error', message: "{0} '{1}' cannot be used: plugin '{2}' declares it, but the declaration was rejected ({3})." },
  DLM8010: { severity: 'error', message: "The {0} '{1}' used here is declared by two plugins, '{2}' and '{3}'; this use gets the one from '{2}'. Remove one of the plugins, or ask its author to rename the {0}." },
} as const;
