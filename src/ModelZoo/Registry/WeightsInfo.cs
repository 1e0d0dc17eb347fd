namespace ModelZoo;

/// <summary>A set of trained weights for a model (filled by a later release; the cards list none yet).</summary>
/// <param name="Name">Name of the weights, e.g. <c>IMAGENET1K_V1</c>.</param>
/// <param name="Source">Where the weights come from (URL or file).</param>
/// <param name="Licence">Licence of the weights.</param>
/// <param name="Classes">Output classes the weights were trained for.</param>
/// <param name="Preprocessing">The preprocessing the weights expect.</param>
/// <param name="ReferenceTop1">Top-1 accuracy in percent the weights reach, if published.</param>
public sealed record WeightsInfo(string Name, string Source, string Licence, int Classes, Preprocessing Preprocessing, double? ReferenceTop1);
