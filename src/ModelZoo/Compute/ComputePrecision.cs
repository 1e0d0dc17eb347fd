namespace ModelZoo;

/// <summary>
/// The number format convolutions, linear layers and matrix products compute in (PyTorch's autocast dtype). Weights,
/// optimiser state, losses, softmax and batch-norm statistics stay float32 in every mode; only the compute copies of
/// the inputs and weights of the autocast operations are 16-bit. Command-line and config names: <c>fp32</c>,
/// <c>bf16</c>, <c>fp16</c>.
/// </summary>
public enum ComputePrecision
{
    /// <summary>float32 throughout (the default).</summary>
    Fp32,

    /// <summary>
    /// bfloat16 compute (8 exponent bits, the range of float32, 8 significant bits): no loss scaling needed. Fast on
    /// CPUs with AVX512-BF16 or AMX and on CUDA GPUs from compute capability 8.0.
    /// </summary>
    Bf16,

    /// <summary>
    /// float16 compute (5 exponent bits, 11 significant bits): training needs dynamic loss scaling, which the
    /// trainer adds. Fast on CUDA GPUs and on CPUs with AVX512-FP16 or AMX-FP16; slow elsewhere.
    /// </summary>
    Fp16,
}
