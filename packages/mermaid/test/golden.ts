/** Golden-file comparison through the shared helper: a missing golden fails; only UPDATE=1 writes. */
export { expectGolden } from '@dlm/test-utils';
