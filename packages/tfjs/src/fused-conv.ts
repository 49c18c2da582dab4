/**
 * Convolution with its bias added in the same kernel (tfjs' FusedConv2D: XNNPACK adds the bias as
 * it writes each output on wasm), with a gradient registered for that kernel name so that tfjs'
 * tape differentiates it like Conv2D. Not `tf.fused.conv2d`: its custom gradient computes the
 * gradients of all inputs eagerly, a wasted Conv2DBackpropInput for a first layer fed by data; the
 * tape calls a registered gradient's functions only for inputs on the path to the variables.
 * The gradients are the ones tfjs' Conv2D and Add gradients give (the same kernels, the bias's as
 * the sum over batch and space), so training numbers do not change.
 */
import * as tf from '@tensorflow/tfjs-core';

type Pads = [[number, number], [number, number], [number, number], [number, number]];
interface Attrs {
  strides: [number, number];
  pad: Pads;
  dataFormat: 'NHWC';
  dilations: [number, number];
  dimRoundingMode?: undefined;
  activation: 'linear';
}

let registered = false;

/** Registers the FusedConv2D gradient (NHWC, linear activation: what `conv2dWithBias` runs). */
export function registerFusedConvGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'FusedConv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as Attrs;
      const g = dy as tf.Tensor4D;
      const conv = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter }, { ...conv, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { ...conv, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        bias: () => tf.sum(g, [0, 1, 2]),
      };
    },
  });
}

/**
 * conv2d(x, filter) + bias in one kernel where the backend has FusedConv2D (NHWC, undilated
 * filter, explicit pads), else the two ops.
 */
export function conv2dWithBias(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], pad: Pads, bias?: tf.Tensor): tf.Tensor4D {
  if (bias && bias.rank === 1 && registered && tf.getKernel('FusedConv2D', tf.getBackend())) {
    const attrs: Attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation: 'linear' };
    return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const y = tf.conv2d(x, filter, strides, pad, 'NHWC', [1, 1]);
  return bias ? tf.add(y, bias) : y;
}
