import { compileFile } from '@dlm/language';
import { PluginRegistry, formatType } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
const r = new PluginRegistry(); r.register(stdPlugin);
const out = compileFile('examples/resnet/resnet_cifar.dlm', { registry: r });
const g = out.program.models[0]!;
for (const l of g.layers) console.log(l.path.join('/'), l.kind, l.span?.start, l.span?.end, l.outputs);
console.log(g.nodes.filter(n=>n.op==='Add').map(n=>[n.scope, n.span?.start, n.span?.end, n.outputs]));
console.log(typeof formatType, formatType(g.outputs[0]!.type));
