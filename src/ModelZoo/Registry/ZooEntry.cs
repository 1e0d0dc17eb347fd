using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>A registered model: its card, its aliases and how to build it.</summary>
/// <param name="Card">The model card.</param>
/// <param name="Factory">Builds the model from options.</param>
/// <param name="Aliases">Extra names that resolve to this model (e.g. <c>resnet</c> for <c>resnet18</c>).</param>
public sealed record ZooEntry(ModelCard Card, Func<ModelOptions, nn.Module<Tensor, Tensor>> Factory, IReadOnlyList<string> Aliases)
{
    /// <summary>
    /// The family whose <see cref="FamilyOptions"/> the model takes, when it is built by another family's module
    /// (<c>binary-resnet18</c> takes <c>resnet</c> options); null: <see cref="ModelCard.Family"/>.
    /// </summary>
    public string? OptionsFamily { get; init; }
}
