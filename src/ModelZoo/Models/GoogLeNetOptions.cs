namespace ModelZoo.Models;

/// <summary>The options only GoogLeNet takes (torchvision's <c>googlenet(aux_logits=..., transform_input=...)</c>).</summary>
public sealed record GoogLeNetOptions : FamilyOptions
{
    /// <inheritdoc />
    public override string FamilyName => "googlenet";

    /// <inheritdoc />
    public override string DisplayName => "GoogLeNet";

    /// <summary>Build the two auxiliary classifiers (train-time loss weight 0.3).</summary>
    public bool AuxLogits { get; init; }

    /// <summary>Use the paper's true 5x5 conv in the Inception "5x5" branch instead of torchvision's 3x3.</summary>
    public bool TrueInception5x5 { get; init; }

    /// <summary>
    /// torchvision's <c>transform_input</c>: the first step of the forward pass maps input normalised with ImageNet's
    /// mean/std to the <c>(x - 0.5) / 0.5</c> scaling that torchvision's published GoogLeNet weights
    /// (<c>googlenet-1378be20.pth</c>) were trained with, so those weights see what they expect. Set it when importing
    /// those weights (<c>modelzoo import-weights --transform-input</c>); torchvision sets it whenever it loads them.
    /// Needs 3 input channels; adds no parameters.
    /// </summary>
    public bool TransformInput { get; init; }
}
