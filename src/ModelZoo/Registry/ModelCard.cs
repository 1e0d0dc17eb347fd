namespace ModelZoo;

/// <summary>
/// What the registry knows about a model without building it: description, cost, and the defaults
/// <see cref="Zoo.Create"/> builds with (input, classes) and evaluation uses (preprocessing).
/// </summary>
/// <param name="Name">Registry name, e.g. <c>resnet50</c>.</param>
/// <param name="Family">Family, e.g. <c>resnet</c>.</param>
/// <param name="Summary">One sentence on what the model is.</param>
/// <param name="Paper">The paper (authors, title, year).</param>
/// <param name="DefaultInput">Default input (channels, height, width).</param>
/// <param name="Parameters">Parameters at the card's defaults (<see cref="DefaultInput"/>, <see cref="DefaultClasses"/>).</param>
/// <param name="Macs">Multiply-accumulates of one forward pass at the default input.</param>
/// <param name="ReferenceTop1">Reference top-1 accuracy in percent, if published.</param>
/// <param name="ReferenceSource">Where the reference accuracy comes from.</param>
/// <param name="SmallInput">What <see cref="SmallInputPolicy.Auto"/> means for this model.</param>
public sealed record ModelCard(
    string Name,
    string Family,
    string Summary,
    string Paper,
    (int Channels, int Height, int Width) DefaultInput,
    long Parameters,
    long Macs,
    double? ReferenceTop1,
    string ReferenceSource,
    SmallInputPolicy SmallInput)
{
    /// <summary>Output classes of the default model (1000 for ImageNet models, 10 for MNIST ones).</summary>
    public required int DefaultClasses { get; init; }

    /// <summary>
    /// The smallest input height and width (pixels) the model takes as the zoo builds it by default
    /// (<see cref="SmallInputPolicy.Auto"/>, what the CLI builds): a forward pass at this size runs, one pixel less fails.
    /// <see cref="ModelInputs.EnsureFits"/> checks it before any work.
    /// </summary>
    public required int MinInputSize { get; init; }

    /// <summary>Evaluation preprocessing: normalisation, resize, crop and interpolation.</summary>
    public required Preprocessing Preprocessing { get; init; }

    /// <summary>Name of the final linear layer, as in the state dict without <c>.weight</c> (e.g. <c>fc</c>, <c>classifier.6</c>).</summary>
    public required string ClassifierName { get; init; }

    /// <summary>Name of the first convolution (e.g. <c>conv1</c>, <c>features.0</c>), the layer to adapt for other input channels.</summary>
    public required string FirstConvName { get; init; }

    /// <summary>
    /// The modules whose outputs are the model's stage feature maps, shallow to deep (timm's <c>feature_info</c>:
    /// the last map at each resolution, before the downsampling). <see cref="Features.FeatureExtractor"/> taps them.
    /// </summary>
    public IReadOnlyList<string> FeatureNodes { get; init; } = [];

    /// <summary>
    /// The classifier layers <see cref="IZooModel.ResetClassifier"/> replaces (the card's <see cref="ClassifierName"/>,
    /// plus auxiliary heads' last layers where a family has them). Fine-tuning leaves these freshly initialised when
    /// the imported weights were trained for another number of classes.
    /// </summary>
    public IReadOnlyList<string> HeadNames => ExtraHeadNames.Count == 0 ? [ClassifierName] : [ClassifierName, .. ExtraHeadNames];

    /// <summary>Classifier layers besides <see cref="ClassifierName"/> (GoogLeNet's <c>aux1.fc2</c>, <c>aux2.fc2</c>).</summary>
    public IReadOnlyList<string> ExtraHeadNames { get; init; } = [];

    /// <summary>Trained weights known for the model (the family's weights table), loadable by name: see <see cref="Hub.WeightsHub"/>.</summary>
    public IReadOnlyList<WeightsInfo> Weights { get; init; } = [];
}
