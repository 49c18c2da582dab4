/**
 * WebGPU in Node through the `webgpu` package (Dawn). On a machine with a GPU, Dawn's default
 * backend (Vulkan / Metal / D3D12) is used. Without one, Dawn's OpenGL ES backend runs on Mesa's
 * llvmpipe (a software rasterizer, needs EGL_PLATFORM=surfaceless and the 'compatibility' feature
 * level): correct, but slow, so 'auto' never picks it unless asked.
 *
 * tfjs-backend-webgpu reads `navigator.gpu` when it is imported and requests its own adapter, so
 * `navigator.gpu` is installed first (Node 20 has no `navigator`), requestAdapter is wrapped to
 * add the feature level, and the backend is imported afterwards, dynamically.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';

export interface WebGpuProbe {
  available: boolean;
  /** The adapter is a software renderer (llvmpipe, lavapipe, SwiftShader, fallback adapter). */
  software: boolean;
  adapter?: string;
  /** Why WebGPU is unavailable. */
  why?: string;
}

type Gpu = { requestAdapter(opts?: Record<string, unknown>): Promise<GpuAdapter | null> };
type GpuAdapter = { info?: Record<string, string>; isFallbackAdapter?: boolean };

let installed: Promise<WebGpuProbe> | undefined;

function describe(a: GpuAdapter): string {
  const i = a.info ?? {};
  return [i['vendor'], i['architecture'], i['device'], i['description']].filter((s) => s).join(' / ') || 'unknown adapter';
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

async function install(): Promise<WebGpuProbe> {
  const g = globalThis as { navigator?: { gpu?: Gpu } };
  if (g.navigator?.gpu) {
    const a = await g.navigator.gpu.requestAdapter();
    if (!a) return { available: false, software: false, why: 'navigator.gpu returned no adapter' };
    const d = describe(a);
    return { available: true, software: SOFTWARE.test(d) || a.isFallbackAdapter === true, adapter: d };
  }
  // EGL reads this when Dawn's GL backend starts: set it before the first adapter request.
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  let mod: { create(opts: string[]): Gpu; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    // 'webgpu' (Dawn, ~130 MB for five platforms) is an optional peer dependency: say how to get it.
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      return { available: false, software: false, why: "the optional 'webgpu' package is not installed; npm install webgpu to train on a GPU" };
    }
    return { available: false, software: false, why: `the 'webgpu' package did not load (${e instanceof Error ? e.message : String(e)})` };
  }
  Object.assign(globalThis, mod.globals);
  const attempts: { flags: string[]; compat: boolean }[] = [
    { flags: [], compat: false },
    { flags: ['backend=opengles'], compat: true },
  ];
  for (const { flags, compat } of attempts) {
    let gpu: Gpu;
    try {
      gpu = mod.create(flags);
    } catch {
      continue;
    }
    const req = gpu.requestAdapter.bind(gpu);
    const adapter = await req(compat ? { featureLevel: 'compatibility' } : undefined).catch(() => null);
    if (!adapter) continue;
    if (compat) {
      // tfjs-backend-webgpu asks for its own adapter without a feature level.
      gpu.requestAdapter = (opts?: Record<string, unknown>) => req({ ...(opts ?? {}), featureLevel: 'compatibility' });
    }
    const nav = (g.navigator ??= {} as { gpu?: Gpu });
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    if (!('navigator' in globalThis)) Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    const d = describe(adapter);
    return { available: true, software: SOFTWARE.test(d) || adapter.isFallbackAdapter === true || compat, adapter: d };
  }
  return { available: false, software: false, why: 'Dawn found no adapter (no GPU driver, and no EGL/Mesa for the OpenGL ES fallback)' };
}

/**
 * Whether this machine can have a hardware GPU at all. On Linux a GPU driver exposes a device
 * node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg under WSL); without one, Dawn could only find
 * llvmpipe, and probing it costs a second and prints driver warnings, so 'auto' skips it.
 * Other platforms: unknown (true).
 */
export function mayHaveGpu(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    /* no /dev/dri */
  }
  return ['/dev/nvidia0', '/dev/dxg'].some((f) => fs.existsSync(f));
}

/** Installs navigator.gpu once and describes the adapter; starts no tfjs backend. */
export function probeWebGpu(): Promise<WebGpuProbe> {
  installed ??= install();
  return installed;
}

export async function startWebGpu(): Promise<void> {
  const probe = await probeWebGpu();
  if (!probe.available) throw new Error(probe.why ?? 'WebGPU is unavailable');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error(`tf.setBackend("webgpu") failed on adapter ${probe.adapter ?? '?'}`);
}
