namespace ModelZoo.Onnx.Quantization;

/// <summary>Settings of <see cref="OnnxQuantizer"/>.</summary>
public sealed record OnnxQuantizationOptions
{
    /// <summary>How activation ranges are chosen (default <see cref="CalibrationMethod.MinMax"/>).</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>The activations' 8-bit type (default <see cref="QuantizedActivationType.UInt8"/>, what ONNX Runtime's x86-64 kernels run).</summary>
    public QuantizedActivationType Activations { get; init; } = QuantizedActivationType.UInt8;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the percentage of absolute values the range keeps (ONNX Runtime's default, 99.999).</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>Histogram bins across the first batch's range for the histogram methods (TensorRT's 2048); bins of the same width are added when later values go beyond it.</summary>
    public int HistogramBins { get; init; } = 2048;

    /// <summary>
    /// For <see cref="CalibrationMethod.Entropy"/>: levels each candidate range is quantised to when it is compared,
    /// default 256, the levels an 8-bit activation has (TensorRT and ONNX Runtime use 128 on a window symmetric about
    /// zero, the positive half of symmetric int8; with asymmetric 8-bit activations a ReLU output gets all 256 on [0, t]).
    /// </summary>
    public int QuantizedBins { get; init; } = 256;

    /// <summary>ONNX Runtime intra-op threads for the calibration runs; 0: ONNX Runtime's default.</summary>
    public int Threads { get; init; }

    /// <summary>The float export the quantized graph is made from (input size, opset, preprocessing and class names for the metadata); null: the card's.</summary>
    public OnnxExportOptions? Export { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a value out of range.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentOutOfRangeException(nameof(Method), Method, "unknown calibration method");
        if (!Enum.IsDefined(Activations)) throw new ArgumentOutOfRangeException(nameof(Activations), Activations, "unknown activation type");
        if (!(Percentile > 50 && Percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "the percentile must be above 50 and at most 100");
        if (HistogramBins is < 128 or > 1 << 16 || HistogramBins % 2 != 0) throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "histogram bins must be an even number from 128 to 65536");
        if (QuantizedBins is < 16 or > 1024 || QuantizedBins % 2 != 0 || QuantizedBins > HistogramBins) throw new ArgumentOutOfRangeException(nameof(QuantizedBins), QuantizedBins, "quantized bins must be an even number from 16 to 1024, at most the histogram bins");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must not be negative");
    }
}
