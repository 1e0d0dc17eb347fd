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

    /// <summary>
    /// Options only the model's family takes (<see cref="Models.GoogLeNetOptions"/>, <see cref="Models.ResNetOptions"/>);
    /// null: the family's defaults. The family checks them: options of another family are an error.
    /// </summary>
    public FamilyOptions? Family { get; init; }

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

    /// <summary>The family options of type <typeparamref name="T"/>, or its defaults when none (or another family's) are set.</summary>
    public T FamilyOr<T>() where T : FamilyOptions, new() => Family as T ?? new T();

    // Checkpoints and config.json written before family options had their own record kept them flat in ModelOptions
    // ("auxLogits", "trueInception5x5", "transformInput", "zeroInitResidual"). These JSON-only setters read that form
    // into Family; nothing is written under those names (the getters are always null).
    [JsonInclude, JsonPropertyName("auxLogits"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private bool? LegacyAuxLogits { get => null; init { if (value == true) Family = FamilyOr<Models.GoogLeNetOptions>() with { AuxLogits = true }; } }

    [JsonInclude, JsonPropertyName("trueInception5x5"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private bool? LegacyTrueInception5x5 { get => null; init { if (value == true) Family = FamilyOr<Models.GoogLeNetOptions>() with { TrueInception5x5 = true }; } }

    [JsonInclude, JsonPropertyName("transformInput"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private bool? LegacyTransformInput { get => null; init { if (value == true) Family = FamilyOr<Models.GoogLeNetOptions>() with { TransformInput = true }; } }

    [JsonInclude, JsonPropertyName("zeroInitResidual"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private bool? LegacyZeroInitResidual { get => null; init { if (value == true) Family = FamilyOr<Models.ResNetOptions>() with { ZeroInitResidual = true }; } }
}
