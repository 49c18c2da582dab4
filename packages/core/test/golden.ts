/** Compares with test/golden/<name> through the shared helper (a missing golden fails; UPDATE=1 writes). */
import { expectGolden as compare } from '@dlm/test-utils';

export function expectGolden(name: string, actual: string): void {
  compare(new URL(`./golden/${name}`, import.meta.url), actual);
}
