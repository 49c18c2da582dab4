/**
 * The `dlm` command: the one place that wires the language, the plugins and the backends together.
 * `runCli` returns the exit code and never throws for user errors: those print as diagnostics.
 */
import { parseArgs } from 'node:util';
import { didYouMean, formatDiagnostics, type Diagnostic } from '@dlm/core';
import { CliError, type CliIO } from './io.js';
import { COMMANDS, type Command } from './commands/index.js';
import { GLOBAL_FLAGS, flagHelp, parseArgsOptions } from './flags.js';
import { shouldColor } from './color.js';

export const VERSION = '0.1.0';

function usage(): string {
  const lines = [
    `dlm ${VERSION}: compile, train, export and draw neural networks written in .dlm`,
    '',
    'Usage: dlm <command> [files] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    `  ${'help'.padEnd(9)} show a command's options: dlm help <command>`,
    '',
    'Files: a .dlm file, a directory (every .dlm file under it), a quoted glob such as',
    "\"models/**/*.dlm\", or - for standard input. '-o -' writes to standard output.",
    '',
    'Global options:',
    // --version is handled before a command is parsed; listed here with the others.
    ...flagHelp({ ...GLOBAL_FLAGS, version: { type: 'boolean', short: 'V', help: 'print the version' } }),
    '',
    'Environment:',
    '  DLM_CHROMIUM   the Chromium or Chrome that renders SVG/PNG diagrams (default: found on PATH',
    '                 or in the usual macOS/Windows places)',
    '  NO_COLOR, FORCE_COLOR, TERM=dumb   colour of diagnostics (which follow stderr)',
    '  DLM_DEBUG=1    print the stack of an internal error',
    '',
    "Run 'dlm help <command>' for a command's options.",
  ];
  return lines.join('\n') + '\n';
}

function commandUsage(c: Command): string {
  const opts = flagHelp(c.options);
  return [`Usage: dlm ${c.usage}`, '', c.summary, '', ...(opts.length ? ['Options:', ...opts, ''] : []), 'Global options:', ...flagHelp(GLOBAL_FLAGS), ''].join('\n') + '\n';
}

function unknownCommand(name: string, io: CliIO): number {
  const hint = didYouMean(name, COMMANDS.map((c) => c.name));
  io.stderr(`error: unknown command '${name}'.${hint ? ` Did you mean '${hint}'?` : ''}\n\n${usage()}`);
  return 2;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.stdout(usage());
      return 0;
    }
    const c = COMMANDS.find((c) => c.name === rest[0]);
    if (!c) return unknownCommand(rest[0]!, io);
    io.stdout(commandUsage(c));
    return 0;
  }
  if (name === '--version' || name === '-V' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return unknownCommand(name, io);
  const options = parseArgsOptions({ ...GLOBAL_FLAGS, ...command.options });
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
  // Diagnostics go to stderr, so their colour follows stderr.
  const color = shouldColor(io.isTTY, io.env, { color: values['color'] === true, noColor: values['no-color'] === true });
  try {
    return await command.run({ io, color, positionals: parsed.positionals, values });
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
