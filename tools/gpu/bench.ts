/**
 * GPU benchmark entry, bundled by tools/gpu/prepare.sh into one file and run by tools/gpu/run.sh
 * on a machine that has a GPU and no Node. It trains with the real trainer (`train()`: data,
 * forward, loss, gradients, Adam, metrics, progress) on WebGPU:
 *   - the MNIST CNN (examples/mnist/mnist_cnn.dlm, embedded MNIST digits, batch 64, Adam), and
 *   - a sequence model: examples/transformer/*.dlm when the kit has one, else the LSTM of
 *     examples/text/lstm_classifier.dlm (embedded review sentences),
 * each for a fixed number of steps, timing the steps after the warm-up (shader compilation)
 * from one batch event to the next within an epoch. With PyTorch + CUDA on the machine, the same
 * CNN runs there too (torch_mnist_cnn.py --device cuda) and the ratio is printed, and dlm's own
 * torch engine trains the MNIST example on that GPU through the bundled CLI (--dlm).
 *
 * WebGPU must be on hardware: a software adapter (llvmpipe, SwiftShader, fallback) fails the run
 * unless --allow-software is given (only for testing the kit on a machine without a GPU).
 *
 *   node bench.mjs --kit DIR --out DIR [--dlm app/dlm.mjs] [--steps 50] [--warmup 5] [--allow-software]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Bundled here because ensureGradients() loads it with a run-time import that a bundle cannot follow.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { PluginRegistry, type ArgValue, type PluginCall } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { probeWebGpu, setupBackend, tfjsRuntime } from '@dlm/tfjs';
import type { TrainEvent } from '@dlm/train';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const kit = arg('kit', process.cwd());
const out = arg('out', process.env['OUT'] ?? join(process.cwd(), 'out'));
const steps = Number(arg('steps', '50'));
const warmup = Number(arg('warmup', '5'));
const allowSoftware = process.argv.includes('--allow-software');
const dlm = arg('dlm', '');
const lines: string[] = [];
const say = (s: string) => {
  console.log(s);
  lines.push(s);
};
const finish = (result: Record<string, unknown>, code: number): never => {
  writeFileSync(join(out, 'gpu-bench.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'gpu-bench.log'), lines.join('\n') + '\n');
  process.exit(code);
};

const probe = await probeWebGpu();
say(`node ${process.version}; WebGPU adapter: ${probe.adapter ?? 'none'}${probe.software ? ' (software or OpenGL ES fallback)' : ''}`);
// probe.software is also true for Dawn's OpenGL ES fallback, which on a machine without a Vulkan
// driver may still be the GPU (NVIDIA's EGL): then the adapter's name decides.
const gpuNamed = /nvidia|amd|radeon|intel|apple|qualcomm|adreno|mali/i.test(probe.adapter ?? '');
const onSoftware = /llvmpipe|lavapipe|swiftshader|softpipe|software/i.test(probe.adapter ?? '') || (probe.software && !gpuNamed);
if (!probe.available || (onSoftware && !allowSoftware)) {
  say(
    !probe.available
      ? `FAIL: WebGPU is unavailable: ${probe.why ?? '?'}`
      : 'FAIL: WebGPU runs on a software adapter, not on the GPU (is the NVIDIA Vulkan driver/ICD installed? see `vulkaninfo --summary`)',
  );
  finish({ ok: false, adapter: probe.adapter ?? null, software: onSoftware, why: probe.why ?? 'software adapter' }, 2);
}
const info = await setupBackend('webgpu');
say(`backend: ${info.backend} (${info.reason})`);
const runtime = tfjsRuntime(info.backend);

const registry = new PluginRegistry();
registry.register(stdPlugin);

interface ModelRun {
  name: string;
  file: string;
  batch: number;
  steps: number;
  samplesPerSecond: number;
  msPerStep: number;
  finalLoss: number;
}

/** Trains `file` for warmup + steps batches on the train block's data (offline sample forced). */
async function bench(name: string, file: string, dataArgs: Record<string, ArgValue>, trainSize: number): Promise<ModelRun> {
  const program = compileSource(readFileSync(file, 'utf8'), file, { registry }).program;
  const training = program.trainings[0];
  if (!training) throw new Error(`${file}: no train block`);
  const batch = Number(training.data.args['batch'] ?? 32);
  const total = warmup + steps;
  const perEpoch = Math.floor(Math.min(trainSize, total * batch) / batch);
  const epochs = Math.ceil(total / perEpoch);
  const data: PluginCall = { ...training.data, args: { ...training.data.args, ...dataArgs } };
  const runDir = mkdtempSync(join(tmpdir(), 'dlm-gpu-'));
  let seenSteps = 0;
  let timed = 0;
  let seconds = 0;
  let last: { epoch: number; t: number } | undefined;
  let finalLoss = NaN;
  const res = await train({
    runtime, program, training, registry, runDir, epochs, data, workers: 1,
    limit: { trainSamples: perEpoch * batch, testSamples: batch },
    progress: (e: TrainEvent) => {
      if (e.kind !== 'batch') return;
      const t = performance.now();
      seenSteps++;
      finalLoss = e.loss;
      // A step is the time from one batch event to the next in the same epoch (evaluation
      // and checkpoints between epochs are not counted); the warm-up steps compile shaders.
      if (seenSteps > warmup && timed < steps && last && last.epoch === e.epoch) {
        timed++;
        seconds += (t - last.t) / 1000;
      }
      last = { epoch: e.epoch, t };
    },
  });
  rmSync(runDir, { recursive: true, force: true });
  if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
  const run = { name, file: file.slice(kit.length + 1), batch, steps: timed, samplesPerSecond: (timed * batch) / seconds, msPerStep: (seconds * 1000) / timed, finalLoss };
  say(`${name}: ${run.samplesPerSecond.toFixed(0)} samples/s (${run.msPerStep.toFixed(1)} ms/step, batch ${batch}, ${timed} timed steps after ${warmup} warm-up), loss ${finalLoss.toFixed(4)}`);
  return run;
}

/** PyTorch on the same GPU, same CNN and batch, when python3 has torch with CUDA. */
function torchCuda(): { samplesPerSecond?: number; note: string } {
  const py = process.env['PYTHON'] ?? 'python3';
  const check = spawnSync(py, ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'], { encoding: 'utf8' });
  if (check.status !== 0) return { note: `no PyTorch (${py}: ${(check.stderr || check.error?.message || '').trim().split('\n').pop()})` };
  const [version, cuda, ...gpu] = check.stdout.trim().split(' ');
  if (cuda !== 'True') return { note: `PyTorch ${version} without CUDA` };
  const r = spawnSync(py, [join(kit, 'torch/torch_mnist_cnn.py'), '--device', 'cuda', '--steps', String(Math.max(steps, 50)), '--warmup', String(warmup)], { encoding: 'utf8' });
  const m = /samples_per_s=([\d.]+)/.exec(r.stdout ?? '');
  if (!m) return { note: `PyTorch ${version} CUDA run failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  return { samplesPerSecond: Number(m[1]), note: `PyTorch ${version}, CUDA on ${gpu.join(' ')}, eager` };
}

/**
 * dlm's own torch engine on this GPU: `dlm train --engine torch --device cuda` (float32, then
 * bf16 mixed precision) on the MNIST example, then `dlm export --checkpoint` of the result to ONNX,
 * which proves that a model trained by PyTorch comes back to dlm. Samples/s come from the run's
 * metrics.csv: epoch 2's training time (epoch 1 includes CUDA's start-up). Without CUDA the run
 * happens only with --allow-software (testing the kit), on the CPU with fewer samples.
 */
function torchEngine(cuda: boolean): { runs: Record<string, unknown>[]; note: string } {
  const py = process.env['PYTHON'] ?? 'python3';
  if (!dlm || !existsSync(dlm)) return { runs: [], note: 'no bundled CLI (--dlm)' };
  if (!cuda && !allowSoftware) return { runs: [], note: 'skipped: needs PyTorch with CUDA' };
  const device = cuda ? 'cuda' : 'cpu';
  const samples = cuda ? 8000 : 512;
  const model = join(models, 'mnist/mnist_cnn.dlm');
  const runs: Record<string, unknown>[] = [];
  for (const precision of cuda ? ['float32', 'bf16'] : ['float32']) {
    const runDir = join(out, `torch-engine-${precision}`);
    rmSync(runDir, { recursive: true, force: true });
    const extra = precision === 'float32' ? [] : ['--precision', precision];
    const started = performance.now();
    const r = spawnSync(process.execPath, [dlm, 'train', model, '--engine', 'torch', '--device', device, '--python', py, '--epochs', '2', '--limit', String(samples), '--limit-test', '1000', '--run-dir', runDir, ...extra], { encoding: 'utf8', cwd: out });
    const wall = (performance.now() - started) / 1000;
    writeFileSync(join(out, `torch-engine-${precision}.log`), `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-4).join(' | ');
      say(`torch engine (${device}, ${precision}): FAILED with exit status ${r.status}: ${tail}`);
      runs.push({ device, precision, ok: false, exitStatus: r.status, tail });
      continue;
    }
    const csv = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    const head = csv[0]!.split(',');
    const epoch2 = csv[2]!.split(',');
    const seconds = Number(epoch2[head.indexOf('seconds')]);
    const valAccuracy = Number(epoch2[head.indexOf('val_accuracy')]);
    const onnx = join(out, `torch-engine-${precision}.onnx`);
    const e = spawnSync(process.execPath, [dlm, 'export', model, '--checkpoint', runDir, '-o', onnx], { encoding: 'utf8', cwd: out });
    const exported = e.status === 0 && existsSync(onnx);
    const run = { device, precision, ok: true, samples, epoch2Seconds: seconds, samplesPerSecond: samples / seconds, valAccuracy, wallSeconds: wall, exportedOnnx: exported };
    say(`torch engine (${device}, ${precision}): MNIST CNN ${run.samplesPerSecond.toFixed(0)} samples/s in epoch 2 (${samples} samples, ${seconds.toFixed(2)} s; whole command ${wall.toFixed(1)} s), val accuracy ${valAccuracy.toFixed(4)}, ONNX export of its checkpoint ${exported ? 'ok' : `FAILED: ${(e.stderr ?? '').trim().split('\n').pop()}`}`);
    runs.push(run);
  }
  return { runs, note: `dlm train --engine torch --device ${device}` };
}

const models = join(kit, 'models');
const transformers = existsSync(join(models, 'transformer')) ? readdirSync(join(models, 'transformer')).filter((f) => f.endsWith('.dlm')).sort() : [];
const runs: ModelRun[] = [];
try {
  runs.push(await bench('mnist_cnn', join(models, 'mnist/mnist_cnn.dlm'), { sample: true }, 8000));
  if (transformers.length > 0) runs.push(await bench(transformers[0]!.replace(/\.dlm$/, ''), join(models, 'transformer', transformers[0]!), {}, 1e9));
  else runs.push(await bench('lstm_classifier', join(models, 'text/lstm_classifier.dlm'), {}, 160));
} catch (e) {
  say(`FAIL: training on WebGPU failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  finish({ ok: false, adapter: probe.adapter, software: onSoftware, runs }, 1);
}
const torch = torchCuda();
say(`PyTorch: ${torch.note}${torch.samplesPerSecond ? `: MNIST CNN ${torch.samplesPerSecond.toFixed(0)} samples/s` : ''}`);
const cnn = runs[0]!;
if (torch.samplesPerSecond) say(`MNIST CNN, WebGPU / PyTorch CUDA eager: ${(cnn.samplesPerSecond / torch.samplesPerSecond).toFixed(3)}×`);
const engine = torch.note.startsWith('no PyTorch') ? { runs: [], note: 'skipped: no PyTorch' } : torchEngine(torch.samplesPerSecond !== undefined);
if (engine.runs.length === 0) say(`torch engine: ${engine.note}`);
const engineOk = engine.runs.every((r) => r['ok'] === true && r['exportedOnnx'] === true);
finish({ ok: engineOk, node: process.version, adapter: probe.adapter, software: onSoftware, warmup, runs, torch: { ...torch, ratio: torch.samplesPerSecond ? cnn.samplesPerSecond / torch.samplesPerSecond : null }, torchEngine: engine }, engineOk ? 0 : 1);
