#!/usr/bin/env node
// Placeholder for `npm run demo` (the main job); the lead will replace it.
console.log('demo not yet wired');
process.exit(0);
