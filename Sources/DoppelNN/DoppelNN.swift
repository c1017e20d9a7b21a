// DoppelNN: the neural core of Doppel (see docs/nn.md).
//
// Layout of this module:
// - Tensor/   `Tensor` (Float32, row-major), `ParameterStore` (all parameters and gradients in two
//             flat buffers with named slices), seeded initialisers.
// - Kernels/  `MatMul` (cblas_sgemm + a naive reference kernel), `BLASRuntime` (kernel name,
//             thread count, AVX-512 detection).
// - Layers/   one file per layer kind, each a forward/backward pair with the shapes in the
//             doc comments: Linear, GroupedLinear, Embedding, ReLU, Dropout, SoftmaxCrossEntropy.
// - Optim/    AdamW, ReduceLROnPlateau, gradient-norm clipping.
