namespace ModelZoo.Inspection;

/// <summary>The result of <see cref="ModelInspector.Summarize"/>.</summary>
/// <param name="Model">Model name (given, or the module's name).</param>
/// <param name="InputShape">Input shape of one sample (C, H, W).</param>
/// <param name="Layers">Leaf-layer calls in execution order.</param>
/// <param name="Parameters">All parameters of the model, including layers the forward pass did not reach (e.g. auxiliary heads in eval mode).</param>
/// <param name="TrainableParameters">Parameters with <c>requires_grad</c>.</param>
/// <param name="FrozenParameters">Parameters without <c>requires_grad</c>.</param>
/// <param name="Macs">Total multiply-accumulates of one forward pass of one sample.</param>
public sealed record ModelSummary(string Model, long[] InputShape, IReadOnlyList<LayerSummary> Layers, long Parameters, long TrainableParameters, long FrozenParameters, long Macs)
{
    /// <summary>Parameters stored as 1 bit (latent weights of every binary layer, reached or not).</summary>
    public long BinaryParameters { get; init; }

    /// <summary>Parameters stored at full precision.</summary>
    public long RealParameters => Parameters - BinaryParameters;

    /// <summary>1-bit (XNOR-popcount) multiply-accumulates of one forward pass.</summary>
    public long BinaryMacs { get; init; }

    /// <summary>Full-precision multiply-accumulates of one forward pass.</summary>
    public long RealMacs => Macs - BinaryMacs;

    /// <summary>Parameter memory in bits with 1-bit weights counted as bits (larq's "model size"; buffers such as batch-norm statistics are not counted).</summary>
    public long MemoryBits { get; init; }

    /// <summary>Parameter memory in bytes (<see cref="MemoryBits"/> / 8, rounded up).</summary>
    public long MemoryBytes => (MemoryBits + 7) / 8;

    /// <summary>The same parameters as float32, in bytes (larq's "float-32 equivalent").</summary>
    public long Float32Bytes => Parameters * 4;

    /// <summary><see cref="Float32Bytes"/> / <see cref="MemoryBytes"/> (1 for a real-valued float32 model); 0 for a model without parameters.</summary>
    public double CompressionRatio => MemoryBytes == 0 ? 0 : (double)Float32Bytes / MemoryBytes;
}
