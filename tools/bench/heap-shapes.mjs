/**
 * Sums up a V8 heap snapshot by object shape (plain objects by their property names, arrays by the
 * property of the object that holds them), per layer: what the bytes a check keeps are made of.
 *
 *   node --expose-gc --import tsx tools/bench/check-scaling.ts --retained 20000 /tmp/check.heapsnapshot
 *   node --max-old-space-size=4000 tools/bench/heap-shapes.mjs /tmp/check.heapsnapshot 20000
 *
 * Self sizes (not retained sizes); the snapshot also holds what was there before the check (code,
 * modules), which the "(code)" and source-text string rows show.
 */
import fs from 'node:fs';

const [file, layersArg] = process.argv.slice(2);
if (!file) throw new Error('usage: heap-shapes.mjs <file.heapsnapshot> [layers]');
const layers = Number(layersArg ?? 20000);
const s = JSON.parse(fs.readFileSync(file, 'utf8'));
const { node_fields: nf, edge_fields: ef, node_types: nt, edge_types: et } = s.snapshot.meta;
const F = nf.length;
const E = ef.length;
const types = nt[0];
const etypes = et[0];
const { strings: strs, nodes, edges } = s;
const iT = nf.indexOf('type');
const iN = nf.indexOf('name');
const iS = nf.indexOf('self_size');
const iE = nf.indexOf('edge_count');
const eT = ef.indexOf('type');
const eN = ef.indexOf('name_or_index');
const eTo = ef.indexOf('to_node');

const firstEdge = new Uint32Array(nodes.length / F);
for (let i = 0, j = 0, e = 0; i < nodes.length; i += F, j++) {
  firstEdge[j] = e;
  e += nodes[i + iE] * E;
}
const propsOf = (i) => {
  const out = [];
  for (let k = 0, b = firstEdge[i / F]; k < nodes[i + iE]; k++, b += E) if (etypes[edges[b + eT]] === 'property') out.push(strs[edges[b + eN]]);
  return out;
};
const isArray = (i) => types[nodes[i + iT]] === 'object' && strs[nodes[i + iN]] === 'Array';

// Who holds each JS array (first holder by property name).
const holder = new Map();
for (let i = 0; i < nodes.length; i += F) {
  if (types[nodes[i + iT]] !== 'object' || isArray(i)) continue;
  const shape = `${strs[nodes[i + iN]]}{${propsOf(i).slice(0, 4).join(',')}}`;
  for (let k = 0, b = firstEdge[i / F]; k < nodes[i + iE]; k++, b += E) {
    const to = edges[b + eTo];
    if (etypes[edges[b + eT]] === 'property' && isArray(to) && !holder.has(to)) holder.set(to, `${shape}.${strs[edges[b + eN]]}`);
  }
}
// Internal arrays (a Map's hash table, an object's property store) by the object that holds them.
const owner = new Map();
for (let i = 0; i < nodes.length; i += F) {
  if (types[nodes[i + iT]] !== 'object') continue;
  for (let k = 0, b = firstEdge[i / F]; k < nodes[i + iE]; k++, b += E) {
    const to = edges[b + eTo];
    if (etypes[edges[b + eT]] === 'internal' && types[nodes[to + iT]] === 'array' && !owner.has(to)) owner.set(to, i);
  }
}
const rows = new Map();
const add = (key, bytes) => {
  const r = rows.get(key) ?? [0, 0];
  r[0]++;
  r[1] += bytes;
  rows.set(key, r);
};
for (let i = 0; i < nodes.length; i += F) {
  const t = types[nodes[i + iT]];
  if (isArray(i)) {
    let store = 0;
    for (let k = 0, b = firstEdge[i / F]; k < nodes[i + iE]; k++, b += E) {
      const to = edges[b + eTo];
      if (etypes[edges[b + eT]] === 'internal' && types[nodes[to + iT]] === 'array') store += nodes[to + iS];
    }
    add(`Array (with its store) in ${holder.get(i) ?? '?'}`, nodes[i + iS] + store);
  } else if (t === 'array') {
    const o = owner.get(i);
    if (o === undefined || !isArray(o)) add(`(internal array) of ${o === undefined ? '?' : strs[nodes[o + iN]]}`, nodes[i + iS]);
  } else if (t === 'object') add(`${strs[nodes[i + iN]]}{${propsOf(i).join(',')}}`, nodes[i + iS]);
  else add(`(${t})`, nodes[i + iS]);
}
let total = 0;
for (const [, [, b]] of rows) total += b;
console.log(`${(total / (1 << 20)).toFixed(1)} MiB in the snapshot, ${(total / layers).toFixed(0)} bytes per layer`);
console.log('bytes/layer  objects/layer  shape');
for (const [k, [c, b]] of [...rows].sort((a, b) => b[1][1] - a[1][1]).slice(0, Number(process.env.ROWS ?? 30))) {
  console.log(`${(b / layers).toFixed(1).padStart(11)}  ${(c / layers).toFixed(2).padStart(13)}  ${k.slice(0, 140)}`);
}
