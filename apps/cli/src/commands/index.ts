/** The list of commands, in the order `dlm --help` shows them. */
import type { CommandContext } from '../workspace.js';
import type { Flags } from '../flags.js';
import { check } from './check.js';
import { compile } from './compile.js';
import { summary } from './summary.js';
import { fmt } from './fmt.js';
import { plugins } from './plugins.js';
import { diagram } from './diagram.js';
import { exportCommand } from './export.js';
import { train } from './train.js';
import { evalCommand } from './eval.js';
import { predictCommand } from './predict.js';
import { sampleCommand } from './sample.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Its flags, each declared once with its type, default and help. */
  options: Flags;
  run(ctx: CommandContext): Promise<number>;
}

export const COMMANDS: readonly Command[] = [check, compile, summary, fmt, train, evalCommand, predictCommand, sampleCommand, exportCommand, diagram, plugins];
