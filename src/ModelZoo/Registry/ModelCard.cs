namespace ModelZoo;

/// <summary>What the registry knows about a model without building it.</summary>
/// <param name="Name">Registry name, e.g. <c>resnet50</c>.</param>
/// <param name="Family">Family, e.g. <c>resnet</c>.</param>
/// <param name="Summary">One sentence on what the model is.</param>
/// <param name="Paper">The paper (authors, title, year).</param>
/// <param name="DefaultInput">Default input (channels, height, width).</param>
/// <param name="Parameters">Parameters at the default input, 1000 classes (10 for MNIST models).</param>
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
    SmallInputPolicy SmallInput);
