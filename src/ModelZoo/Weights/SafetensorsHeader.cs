namespace ModelZoo.Weights;

/// <summary>The validated header of a safetensors file.</summary>
/// <param name="Entries">The tensors, in the order of their data in the file.</param>
/// <param name="Metadata">The optional <c>__metadata__</c> string map (empty when absent).</param>
/// <param name="DataOffset">Offset of the data buffer from the start of the file (8 + header length).</param>
public sealed record SafetensorsHeader(IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataOffset);
