using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>A registered model: its card, its aliases and how to build it.</summary>
/// <param name="Card">The model card.</param>
/// <param name="Factory">Builds the model from options.</param>
/// <param name="Aliases">Extra names that resolve to this model (e.g. <c>resnet</c> for <c>resnet18</c>).</param>
public sealed record ZooEntry(ModelCard Card, Func<ModelOptions, nn.Module<Tensor, Tensor>> Factory, IReadOnlyList<string> Aliases);
