/** Re-exports for the backend-data test, plus a file-name helper. */
export { decodeTensor, exportOnnx, onnx, type DecodedTensor } from '../../src/index.js';

export function runCheckerFriendlyName(test: string): string {
  return `rebuilt_${test.replace(/^test_/, '')}`;
}
