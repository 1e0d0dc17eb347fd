using System.Text.Json.Serialization;
using ModelZoo.Blocks;

namespace ModelZoo;

/// <summary>
/// The options every zoo model takes (Keras-applications style): classes, input channels, dropout,
/// initialisation and the small-input policy. Unset values are the model card's defaults, which give the
/// torchvision-identical model (the book's network for deepcnn).
/// </summary>
public sealed record ModelOptions
{
    /// <summary>Number of output classes; null means the card's <see cref="ModelCard.DefaultClasses"/> (1000, or 10 for deepcnn).</summary>
    public int? NumClasses { get; init; }

    /// <summary>Input channels, 1 (grey) or 3 (RGB); null means the card's default input channels (3, or 1 for deepcnn).</summary>
    public int? InChannels { get; init; }

    /// <summary>Dropout probability of the classifier; null means the family's default.</summary>
    public double? Dropout { get; init; }

    /// <summary>Weight initialisation scheme.</summary>
    public InitScheme Init { get; init; } = InitScheme.Default;

    /// <summary>How small inputs (e.g. 28x28) are handled.</summary>
    public SmallInputPolicy SmallInput { get; init; } = SmallInputPolicy.Auto;

    /// <summary>GoogLeNet only: build the two auxiliary classifiers (train-time loss weight 0.3).</summary>
    public bool AuxLogits { get; init; }

    /// <summary>GoogLeNet only: use the paper's true 5x5 conv in the Inception "5x5" branch instead of torchvision's 3x3.</summary>
    public bool TrueInception5x5 { get; init; }

    /// <summary>
    /// GoogLeNet only: torchvision's <c>transform_input</c>. The first step of the forward pass maps input normalised
    /// with ImageNet's mean/std to the <c>(x - 0.5) / 0.5</c> scaling that torchvision's published GoogLeNet weights
    /// (<c>googlenet-1378be20.pth</c>) were trained with, so those weights see what they expect. Set it when importing
    /// those weights (<c>modelzoo import-weights --transform-input</c>); torchvision sets it whenever it loads them.
    /// Needs 3 input channels; adds no parameters.
    /// </summary>
    public bool TransformInput { get; init; }

    /// <summary>ResNet only: zero the last norm's weight in each residual block so every block starts as the identity (torchvision's <c>zero_init_residual</c>).</summary>
    public bool ZeroInitResidual { get; init; }

    /// <summary>Seed for weight initialisation; null uses the global torch generator as it stands.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// Pretrained weights to load (issue 25): a known name (<c>resnet50.tv2_in1k</c>, or <c>resnet50</c> for the card's
    /// default weights, or just the tag), a local file, or a URL whose file name carries its hash prefix; downloaded once,
    /// verified and cached by <see cref="Hub.WeightsHub"/>. A <see cref="NumClasses"/> other than the weights' gets a
    /// fresh head, other <see cref="InChannels"/> an adapted first convolution. Null: random initialisation. Not saved
    /// in checkpoints (a checkpoint holds its own weights).
    /// </summary>
    [JsonIgnore]
    public string? Weights { get; init; }

    /// <summary>
    /// The layers the model is built from; null means <see cref="LayerFactory.Default"/> (torchvision's). Not saved
    /// in checkpoints: a model built with custom layers must be rebuilt with the same factory.
    /// </summary>
    [JsonIgnore]
    public LayerFactory? Layers { get; init; }
}
