using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>One tensor's entry in a safetensors header, validated.</summary>
/// <param name="Name">The tensor's key (a state-dict name such as <c>layer1.0.conv1.weight</c>).</param>
/// <param name="DType">The safetensors dtype name (<c>F32</c>, <c>BF16</c>, ...).</param>
/// <param name="Type">The matching TorchSharp type.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Begin">Offset of the first byte, from the start of the data buffer.</param>
/// <param name="End">Offset one past the last byte.</param>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType Type, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Bytes of data.</summary>
    public long Length => End - Begin;
}
