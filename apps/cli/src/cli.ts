/**
 * The `dlm` command: the one place that wires the language, the plugins and the backends together.
 * `runCli` returns the exit code and never throws for user errors: those print as diagnostics.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean, formatDiagnostics, type Diagnostic } from '@dlm/core';
import { CliError, type CliIO } from './io.js';
import { COMMANDS, type Command } from './commands/index.js';

export const VERSION = '0.1.0';

const GLOBAL_OPTIONS = {
  plugin: { type: 'string', multiple: true },
  config: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Help for options shared by several commands. */
const OPTION_HELP: Record<string, string> = {
  model: 'the model (or train block) to use when the file has several',
  backend: 'auto (default), webgpu, wasm or cpu; auto says which it chose and why',
  data: "replace the train block's dataset, e.g. fashion-mnist (keeps batch and shuffle)",
  'run-dir': 'checkpoint and report directory (default runs/<model>)',
  'cache-dir': 'where datasets are downloaded and cached',
  mirror: 'download base URL for datasets (a local mirror)',
  checkpoint: 'a run directory, its last file, or an epoch directory',
  output: 'output file (written atomically)',
  json: 'machine-readable output',
};

function usage(): string {
  const lines = [
    `dlm ${VERSION}: compile, train, export and draw neural networks written in .dlm`,
    '',
    'Usage: dlm <command> [files] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    '',
    'Global options:',
    '  --plugin <name|path>  load a plugin (repeatable; also "plugins" in dlm.config.json)',
    '  --config <path>       use this dlm.config.json instead of the nearest one',
    '  --color, --no-color   force colour on or off',
    '',
    "Run 'dlm <command> --help' for a command's options.",
  ];
  return lines.join('\n') + '\n';
}

function commandUsage(c: Command): string {
  const opts = Object.entries(c.options).map(([k, v]) => {
    const flag = `--${k}${v.type === 'string' ? ' <value>' : ''}${'short' in v && v.short ? `, -${v.short}` : ''}`;
    const text = c.help?.[k] ?? OPTION_HELP[k];
    return `  ${flag.padEnd(26)}${text ? ` ${text}` : ''}`;
  });
  return [`Usage: dlm ${c.usage}`, '', c.summary, '', ...(opts.length ? ['Options:', ...opts, ''] : [])].join('\n') + '\n';
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const hint = didYouMean(name, COMMANDS.map((c) => c.name));
    io.stderr(`error: unknown command '${name}'.${hint ? ` Did you mean '${hint}'?` : ''}\n\n${usage()}`);
    return 2;
  }
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /Unknown option '--?([^']+)'/.exec(msg);
    const hint = m ? didYouMean(m[1]!, Object.keys(options)) : undefined;
    io.stderr(`error: ${msg.replace(/\. To specify.*$/s, '')}${hint ? ` Did you mean '--${hint}'?` : ''}\n\n${commandUsage(command)}`);
    return 2;
  }
  const values = parsed.values as Record<string, unknown>;
  if (values['help']) {
    io.stdout(commandUsage(command));
    return 0;
  }
  const color = values['no-color'] ? false : values['color'] ? true : io.isTTY;
  try {
    return await command.run({ io: { ...io, isTTY: io.isTTY }, color, positionals: parsed.positionals, values });
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // Backends report user-facing failures as errors that carry a catalogue diagnostic
    // (DiagramError, DlmExecutionError): print the diagnostic, not a stack.
    const carried = (e as { diagnostic?: Diagnostic } | null)?.diagnostic;
    if (carried && typeof carried.code === 'string' && typeof carried.message === 'string') {
      io.stderr(formatDiagnostics([carried], { color }));
      return 1;
    }
    // Anything else is a bug in dlm: say so plainly; the stack only on request.
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(`internal error: ${err.message}\nThis is a bug in dlm; please report it with the command you ran.${io.env['DLM_DEBUG'] ? `\n${err.stack}` : ' (set DLM_DEBUG=1 for details)'}\n`);
    return 70;
  }
}
