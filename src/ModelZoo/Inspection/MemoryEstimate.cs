namespace ModelZoo.Inspection;

/// <summary>
/// Memory of a model at a compute precision, from <see cref="ModelInspector.EstimateMemory"/>: what the weights, their
/// 16-bit compute copies, a training step's gradients and Adam state, and one sample's layer outputs take.
/// </summary>
/// <param name="Precision">The compute precision.</param>
/// <param name="ParameterBytes">The weights as stored: float32 in every precision (mixed precision keeps float32 master weights).</param>
/// <param name="ComputeWeightBytes">The 16-bit copies of the convolution and linear weights autocast makes for a forward pass (0 for fp32).</param>
/// <param name="TrainingStateBytes">A training step's float32 gradients plus Adam's two float32 moments: 12 bytes per parameter in every precision.</param>
/// <param name="ActivationBytesPerSample">Every layer's output for one sample at the compute precision's element size (what backward keeps, approximately).</param>
public sealed record MemoryEstimate(ComputePrecision Precision, long ParameterBytes, long ComputeWeightBytes, long TrainingStateBytes, long ActivationBytesPerSample)
{
    /// <summary>Approximate memory of an Adam training step at <paramref name="batchSize"/>: weights, copies, state and the batch's activations.</summary>
    public long TrainingBytes(int batchSize) => ParameterBytes + ComputeWeightBytes + TrainingStateBytes + ActivationBytesPerSample * batchSize;

    /// <summary>Approximate memory of inference at <paramref name="batchSize"/> (weights, copies, activations; nothing kept for backward in practice, so an upper bound).</summary>
    public long InferenceBytes(int batchSize) => ParameterBytes + ComputeWeightBytes + ActivationBytesPerSample * batchSize;
}
