namespace ModelZoo.Onnx.Quantization;

/// <summary>How <see cref="OnnxQuantizer"/> turns the activations seen on the calibration images into int8 ranges.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen (ONNX Runtime's <c>MinMax</c>): no value clips, outliers stretch the step.</summary>
    MinMax,

    /// <summary>
    /// The range holding <see cref="OnnxQuantizationOptions.Percentile"/> percent of the absolute values seen
    /// (ONNX Runtime's <c>Percentile</c>, symmetric): the rarest outliers clip, the step is finer.
    /// </summary>
    Percentile,

    /// <summary>
    /// The range whose quantised histogram loses the least information (smallest Kullback-Leibler divergence from
    /// the observed histogram): TensorRT's entropy calibration, ONNX Runtime's <c>Entropy</c>.
    /// </summary>
    Entropy,
}
