namespace ModelZoo.Inspection;

/// <summary>The result of <see cref="ModelInspector.Summarize"/>.</summary>
/// <param name="Model">Model name (given, or the module's name).</param>
/// <param name="InputShape">Input shape of one sample (C, H, W).</param>
/// <param name="Layers">Leaf-layer calls in execution order.</param>
/// <param name="Parameters">All parameters of the model, including layers the forward pass did not reach (e.g. auxiliary heads in eval mode).</param>
/// <param name="TrainableParameters">Parameters with <c>requires_grad</c>.</param>
/// <param name="FrozenParameters">Parameters without <c>requires_grad</c>.</param>
/// <param name="Macs">Total multiply-accumulates of one forward pass of one sample.</param>
public sealed record ModelSummary(string Model, long[] InputShape, IReadOnlyList<LayerSummary> Layers, long Parameters, long TrainableParameters, long FrozenParameters, long Macs);
