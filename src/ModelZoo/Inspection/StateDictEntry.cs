namespace ModelZoo.Inspection;

/// <summary>One state-dict entry (parameter or buffer).</summary>
/// <param name="Key">Key, e.g. <c>layer1.0.bn1.running_mean</c>.</param>
/// <param name="Shape">Shape (empty for a scalar such as <c>num_batches_tracked</c>).</param>
/// <param name="DType">Element type in PyTorch spelling, e.g. <c>float32</c>, <c>int64</c>.</param>
public sealed record StateDictEntry(string Key, long[] Shape, string DType);
