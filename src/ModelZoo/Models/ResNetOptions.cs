namespace ModelZoo.Models;

/// <summary>The options only the ResNet family takes (torchvision's <c>resnet50(zero_init_residual=...)</c>).</summary>
public sealed record ResNetOptions : FamilyOptions
{
    /// <inheritdoc />
    public override string FamilyName => "resnet";

    /// <inheritdoc />
    public override string DisplayName => "ResNet";

    /// <summary>Zero the last norm's weight in each residual block so every block starts as the identity (torchvision's <c>zero_init_residual</c>).</summary>
    public bool ZeroInitResidual { get; init; }
}
