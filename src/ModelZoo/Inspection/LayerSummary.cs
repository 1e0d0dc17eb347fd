namespace ModelZoo.Inspection;

/// <summary>One call of a leaf layer during the summary's forward pass.</summary>
/// <param name="Name">Module path, e.g. <c>layer1.0.conv1</c>.</param>
/// <param name="Type">The module's type name, e.g. <c>Conv2d</c>.</param>
/// <param name="OutputShape">Output shape of one sample (no batch dimension), e.g. <c>[64, 112, 112]</c>.</param>
/// <param name="Parameters">Parameters of the layer (counted on its first call only, so a layer called twice is not counted twice).</param>
/// <param name="Macs">Multiply-accumulates of this call for one sample (conv and linear only; see <see cref="ModelInspector"/>).</param>
public sealed record LayerSummary(string Name, string Type, long[] OutputShape, long Parameters, long Macs)
{
    /// <summary>Of <see cref="Parameters"/>, those stored as 1 bit: the latent weights of a binary layer (<c>IBinaryLayer</c>).</summary>
    public long BinaryParameters { get; init; }

    /// <summary>Of <see cref="Parameters"/>, those stored at full precision (<see cref="Parameters"/> - <see cref="BinaryParameters"/>).</summary>
    public long RealParameters => Parameters - BinaryParameters;

    /// <summary>Of <see cref="Macs"/>, the 1-bit ones (XNOR-popcount): a binary layer whose inputs and weights are both binarised.</summary>
    public long BinaryMacs { get; init; }

    /// <summary>Of <see cref="Macs"/>, the full-precision ones.</summary>
    public long RealMacs => Macs - BinaryMacs;

    /// <summary>Parameter memory in bits: 1 per binary parameter, the element size (32 for float32) per other parameter.</summary>
    public long MemoryBits { get; init; }
}
