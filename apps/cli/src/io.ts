/** The CLI's view of the outside world, injectable so commands run in-process in tests. */
export interface CliIO {
  cwd: string;
  stdout: (data: string | Uint8Array) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: diagnostics (and their colour) and progress go there. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** All of standard input, for the file name `-`. */
  readStdin?: () => Promise<string>;
}

export function processIO(): CliIO {
  return {
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** A user-facing failure: printed as `error: message` with exit code 1, never with a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
