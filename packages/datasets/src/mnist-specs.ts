/**
 * MNIST and Fashion-MNIST: two specs of the IDX image loader. Pure declarations (no loader): the
 * Node datasets are built from them in mnist.ts, and a browser host can declare the same
 * arguments (`MNIST_DECLARATION`).
 */
import type { ArgSpec } from '@dlm/core';
import { idxDatasetArgs, type IdxArgsSpec, type IdxDatasetSpec } from './idx-spec.js';

/**
 * Checksums of the original gzip files (identical on every mirror, and the ones torchvision,
 * TensorFlow Datasets and others pin).
 */
/** MNIST; its embedded sample is described here and loaded by the Node dataset (mnist.ts). */
export const MNIST_SPEC_DECLARED: IdxArgsSpec & { sample: { describe: string } } = {
  name: 'mnist',
  doc:
    'MNIST handwritten digits: 28×28 grey images [1, 28, 28] in 10 classes; 60,000 train and 10,000 test images. ' +
    'Without the IDX files it falls back to the 10,000 real MNIST digits embedded in @dlm/datasets (8,000 train / 2,000 test).',
  cacheSubdir: 'mnist',
  systemDirs: ['/usr/share/datasets/mnist'],
  baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist',
  files: {
    train: {
      images: { name: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      labels: { name: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
    },
    test: {
      images: { name: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      labels: { name: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
    },
  },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  height: 28,
  width: 28,
  // The usual constants (PyTorch's MNIST example): mean and std of x/255 over the 60,000 training images.
  mean: 0.1307,
  std: 0.3081,
  sample: { describe: 'the embedded 10,000-digit MNIST sample' },
};

export const FASHION_MNIST_SPEC: IdxDatasetSpec = {
  name: 'fashion_mnist',
  doc:
    'Fashion-MNIST (Zalando): 28×28 grey images [1, 28, 28] of 10 clothing classes; 60,000 train and 10,000 test images. ' +
    "Found automatically in Debian's /usr/share/datasets/fashion-mnist/ (package dataset-fashion-mnist).",
  cacheSubdir: 'fashion-mnist',
  systemDirs: ['/usr/share/datasets/fashion-mnist'],
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com',
  files: {
    train: {
      images: { name: 'train-images-idx3-ubyte.gz', sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84' },
      labels: { name: 'train-labels-idx1-ubyte.gz', sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845' },
    },
    test: {
      images: { name: 't10k-images-idx3-ubyte.gz', sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073' },
      labels: { name: 't10k-labels-idx1-ubyte.gz', sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5' },
    },
  },
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  height: 28,
  width: 28,
  // Mean and std of x/255 over the 60,000 training images (computed from the files; see the test).
  mean: 0.286,
  std: 0.353,
};

/** What `mnist` is called, says and takes, for hosts that provide the data another way (the playground). */
export const MNIST_DECLARATION: { name: string; doc: string; args: ArgSpec[] } = {
  name: MNIST_SPEC_DECLARED.name,
  doc: MNIST_SPEC_DECLARED.doc,
  args: idxDatasetArgs(MNIST_SPEC_DECLARED),
};
