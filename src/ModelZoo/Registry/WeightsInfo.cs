namespace ModelZoo;

/// <summary>A set of trained weights known for a model: where to get them, what they expect. ModelZoo downloads nothing; bring the file.</summary>
/// <param name="Name">Name of the weights, e.g. <c>IMAGENET1K_V1</c>.</param>
/// <param name="Source">Where the weights come from (URL or file).</param>
/// <param name="Licence">Licence of the weights.</param>
/// <param name="Classes">Output classes the weights were trained for.</param>
/// <param name="Preprocessing">The preprocessing the weights expect.</param>
/// <param name="ReferenceTop1">Top-1 accuracy in percent the weights reach, if published.</param>
public sealed record WeightsInfo(string Name, string Source, string Licence, int Classes, Preprocessing Preprocessing, double? ReferenceTop1)
{
    /// <summary>
    /// torchvision's <c>IMAGENET1K_V1</c> weights of <paramref name="model"/>: the file <paramref name="file"/> that
    /// <c>torchvision.models</c> downloads into <c>~/.cache/torch/hub/checkpoints</c>, ImageNet-1k's 1000 classes and
    /// preprocessing (resize 256, centre crop 224, bilinear, ImageNet mean/std).
    /// </summary>
    public static WeightsInfo Torchvision(string model, string file, double top1) =>
        new("IMAGENET1K_V1", $"torchvision {model} IMAGENET1K_V1 ({file})",
            "BSD-3-Clause (torchvision); trained on ImageNet-1k, whose terms of access may restrict use",
            1000, Preprocessing.ImageNet, top1);
}
