/**
 * Loading and memory of dlm's own WebAssembly SIMD kernels (sources in wasm/, compiled by
 * scripts/build-wasm.mjs into the base64 modules src/kernels/*-wasm.ts). Each kernel is its own
 * module with its own memory: one module per kernel stays under browsers' 4 KB limit for
 * synchronous compilation on the main thread (kernels are synchronous), and one kernel's large
 * call does not grow the other's memory.
 */

/** The part of the WebAssembly API used here (the project's `lib` is ES2022, which has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * Memory kept between calls: wasm memory only grows, so after a call that needed more, the
 * instance is dropped (the garbage collector frees its memory) and the next call compiles the
 * small module again, instead of a worker holding the largest call's copy for good.
 */
export const RETAINED_BYTES = 64 << 20;

/**
 * The most memory one call of a dlm SIMD kernel may need (its inputs are copied in). Above it the
 * caller keeps the path the kernel replaces: a wasm32 memory cannot exceed 4 GiB, and at copies
 * that large the kernels no longer pay off.
 */
export const SIMD_MAX_BYTES = 1 << 30;

export const align16 = (bytes: number) => (bytes + 15) & ~15;

/** One kernel module: compiled synchronously on first use, one instance per thread (a worker compiles its own). */
export class SimdKernel<Exports extends { memory: WasmMemory }> {
  private bytes: Uint8Array | undefined;
  private supportedHere: boolean | undefined;
  private instance: Exports | undefined;

  constructor(private readonly base64: string) {}

  private moduleBytes(): Uint8Array {
    return (this.bytes ??= Uint8Array.from(atob(this.base64), (ch) => ch.charCodeAt(0)));
  }

  /**
   * Whether this engine runs WebAssembly SIMD (the kernel's v128 code). tfjs-backend-wasm falls
   * back to a build without SIMD where it is missing (e.g. Safari before 16.4); callers then keep
   * their other path instead of failing to compile.
   */
  supported(): boolean {
    return (this.supportedHere ??= typeof WebAssembly?.validate === 'function' && WebAssembly.validate(this.moduleBytes()));
  }

  /** The instance, its memory grown to at least `bytes`. Views of the memory must be taken after this call. */
  reserve(bytes: number): Exports {
    const wasm = (this.instance ??= new WebAssembly.Instance(new WebAssembly.Module(this.moduleBytes())).exports as Exports);
    const have = wasm.memory.buffer.byteLength;
    if (bytes > have) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
    return wasm;
  }

  /**
   * The instance with its memory grown to `bytes` now, or undefined where the engine refuses to
   * grow it (a RangeError: the address space or the browser's memory limit is reached; wasm
   * memory cannot be asked for in advance). Callers then keep their other path (XNNPACK, the JS
   * kernel), which has no such limit of its own, instead of failing the step with out of memory.
   * A later `reserve` of at most `bytes` finds the memory there: no second grow.
   */
  tryReserve(bytes: number): Exports | undefined {
    try {
      return this.reserve(bytes);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.release();
      return undefined;
    }
  }

  /** After a call: drops the instance if its memory has grown past `RETAINED_BYTES`. */
  release(): void {
    if (this.instance && this.instance.memory.buffer.byteLength > RETAINED_BYTES) this.instance = undefined;
  }
}
