namespace ModelZoo.Data;

/// <summary>One sample of a data set: the decoded pixels and the class index.</summary>
/// <param name="Image">The pixels (CHW, [0, 1]).</param>
/// <param name="Label">The class index, 0-based, into the data set's class names.</param>
public readonly record struct ImageSample(FloatImage Image, int Label);
