/** @dlm/test-utils: helpers every package's tests share. Tests only (a devDependency). */
export { expectGolden, goldenUpdating, type GoldenOptions } from './golden.js';
