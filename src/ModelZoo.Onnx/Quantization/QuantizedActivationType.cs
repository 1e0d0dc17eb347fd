namespace ModelZoo.Onnx.Quantization;

/// <summary>The 8-bit type of the quantized activations (weights are int8 either way).</summary>
public enum QuantizedActivationType
{
    /// <summary>
    /// uint8 activations, int8 weights (U8S8): what ONNX Runtime's x86-64 integer kernels compute. ONNX Runtime 1.32
    /// converts int8 activations to uint8 on x86-64 before fusing, but only where a quantized tensor has a single
    /// reader, so residual sums and Inception branches stay in float with <see cref="Int8"/>; with uint8 every
    /// convolution, addition and concatenation fuses. The default.
    /// </summary>
    UInt8,

    /// <summary>int8 activations and weights (S8S8): ONNX Runtime's documented first choice, run natively on ARM.</summary>
    Int8,
}
