/**
 * IR (de)serialization. `fromJSON(toJSON(p))` is the identity (a golden test proves it). JSON text
 * is stable: keys in a fixed order, two-space indent, so compiled IR diffs well.
 */
import { IR_VERSION, type Program } from './ir.js';

export function toJSON(program: Program): string {
  return JSON.stringify(program, null, 2) + '\n';
}

export class IrFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IrFormatError';
  }
}

/** Parses IR JSON and checks its structure; throws IrFormatError with the offending path. */
export function fromJSON(text: string): Program {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new IrFormatError(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const p = data as Program;
  expect(p !== null && typeof p === 'object', '$', 'an object');
  expect(p.irVersion === IR_VERSION, '$.irVersion', `IR version ${IR_VERSION} (got ${String(p.irVersion)})`);
  expect(Array.isArray(p.models), '$.models', 'an array');
  expect(Array.isArray(p.trainings), '$.trainings', 'an array');
  p.models.forEach((g, i) => {
    const at = `$.models[${i}]`;
    expect(typeof g.name === 'string', `${at}.name`, 'a string');
    for (const key of ['inputs', 'outputs', 'nodes', 'params', 'values', 'layers'] as const) {
      expect(Array.isArray(g[key]), `${at}.${key}`, 'an array');
    }
    g.nodes.forEach((n, j) => {
      expect(typeof n.op === 'string' && Array.isArray(n.inputs) && Array.isArray(n.outputs), `${at}.nodes[${j}]`, 'a node with op, inputs, outputs');
    });
  });
  return p;
}

function expect(cond: boolean, path: string, what: string): asserts cond {
  if (!cond) throw new IrFormatError(`${path} must be ${what}`);
}
