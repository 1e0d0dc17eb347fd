namespace ModelZoo;

/// <summary>
/// The options every zoo model takes (Keras-applications style): classes, input channels, dropout,
/// initialisation and the small-input policy. Defaults give the torchvision-identical model.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>Number of output classes.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Input channels: 1 (grey) or 3 (RGB).</summary>
    public int InChannels { get; init; } = 3;

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

    /// <summary>Seed for weight initialisation; null uses the global torch generator as it stands.</summary>
    public long? Seed { get; init; }
}
