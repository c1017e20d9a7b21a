// DoppelNN: the neural core of Doppel (see docs/nn.md).
//
// Layout of this module:
// - Tensor/   `Tensor` (Float32, row-major), `ParameterStore` (all parameters and gradients in two
//             flat buffers with named slices), seeded initialisers.
// - Kernels/  `MatMul` (cblas_sgemm + a naive reference kernel), `DenseKernels` (the affine
//             forward/backward every layer uses), `VectorMath` (SIMD exp and element-wise ops),
//             `BLASRuntime` (kernel name, thread count, AVX-512 detection).
// This is the only neural stack: models compose these layers and have no kernels of their own.
// - Layers/   one file per layer kind, each a forward/backward pair with the shapes in the
//             doc comments: Linear, BlockLinear, EmbeddingSet, ReLU, Dropout, SoftmaxCrossEntropy.
// - Optim/    AdamW, ReduceLROnPlateau, gradient-norm clipping.
