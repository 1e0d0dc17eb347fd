using System.Text.RegularExpressions;

namespace ModelZoo;

/// <summary>
/// A set of trained weights known for a model (torchvision's <c>Weights</c> enum entry, timm's <c>pretrained_cfg</c>):
/// its name <c>MODEL.TAG</c>, where the file is published and how to verify it, its licence, classes, preprocessing
/// and published accuracy. <see cref="Hub.WeightsHub"/> downloads, verifies and caches the file;
/// <c>Zoo.Create(model, new ModelOptions { Weights = "resnet50.tv2_in1k" })</c> returns the model with it loaded.
/// Each family file holds its weights table beside its model cards.
/// </summary>
public sealed partial record WeightsInfo
{
    /// <summary>The zoo model the weights are for (its registry name, e.g. <c>resnet50</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The tag, timm's spelling: <c>tv_in1k</c> (torchvision's IMAGENET1K_V1), <c>tv2_in1k</c> (IMAGENET1K_V2), <c>a1_in1k</c> (timm's ResNet Strikes Back A1).</summary>
    public required string Tag { get; init; }

    /// <summary>The full name, <c>MODEL.TAG</c> (e.g. <c>resnet50.tv2_in1k</c>).</summary>
    public string Name => Model + "." + Tag;

    /// <summary>Where the publisher serves the file (HTTPS).</summary>
    public required string Url { get; init; }

    /// <summary>The file name: the last segment of <see cref="Url"/>, also the name in the cache, in PyTorch's hub folder and on a mirror.</summary>
    public string FileName => Url[(Url.LastIndexOf('/') + 1)..];

    /// <summary>
    /// The file's SHA-256 in lower-case hex: all 64 digits, or, where the publisher gives only the prefix in the file
    /// name (torchvision's and timm's <c>NAME-1a2b3c4d.pth</c>), that prefix, compared with the first digits of the
    /// file's SHA-256 exactly as <c>torch.hub</c>'s <c>check_hash</c> does.
    /// </summary>
    public required string Sha256 { get; init; }

    /// <summary>True when <see cref="Sha256"/> is only a prefix of the digest.</summary>
    public bool Sha256IsPrefix => Sha256.Length < 64;

    /// <summary>The file's size in bytes, when published.</summary>
    public long? Size { get; init; }

    /// <summary>Who published the weights: <c>torchvision</c> or <c>timm</c>.</summary>
    public required string Origin { get; init; }

    /// <summary>The publisher's own name for the weights (<c>ResNet50_Weights.IMAGENET1K_V2</c>, <c>resnet50.a1_in1k</c>).</summary>
    public required string UpstreamName { get; init; }

    /// <summary>Licence of the weights.</summary>
    public required string Licence { get; init; }

    /// <summary>Output classes the weights were trained for.</summary>
    public required int Classes { get; init; }

    /// <summary>The class list, by name: <c>imagenet-1k</c> (the 1,000 ILSVRC-2012 classes in WordNet-id order, the order of torchvision's indices).</summary>
    public required string ClassList { get; init; }

    /// <summary>The preprocessing the weights expect (and their published accuracy was measured with).</summary>
    public required Preprocessing Preprocessing { get; init; }

    /// <summary>Published top-1 accuracy in percent (ImageNet-1k validation), if any.</summary>
    public double? ReferenceTop1 { get; init; }

    /// <summary>Published top-5 accuracy in percent, if any.</summary>
    public double? ReferenceTop5 { get; init; }

    /// <summary>Where the accuracy figures come from.</summary>
    public required string AccuracySource { get; init; }

    /// <summary>These are the model's default weights: what the bare model name (<c>resnet50</c>) means.</summary>
    public bool IsDefault { get; init; }

    /// <summary>
    /// GoogLeNet: the weights were trained on input scaled as <c>(x - 0.5) / 0.5</c>, so the model is built with
    /// <see cref="Models.GoogLeNetOptions.TransformInput"/> (torchvision does the same whenever it loads them).
    /// </summary>
    public bool TransformInput { get; init; }

    /// <summary>The class list of ImageNet-1k weights.</summary>
    public const string ImageNet1k = "imagenet-1k";

    private const string ImageNetTerms = "trained on ImageNet-1k, whose terms of access may restrict use";

    /// <summary>
    /// torchvision's weights <paramref name="upstream"/> (e.g. <c>IMAGENET1K_V1</c>) of <paramref name="model"/>:
    /// <c>https://download.pytorch.org/models/FILE</c> (what <c>torchvision.models</c> downloads into
    /// <c>~/.cache/torch/hub/checkpoints</c>), checked by the hash prefix in <paramref name="file"/>, BSD-3-Clause,
    /// ImageNet-1k's 1,000 classes, torchvision's <c>ImageClassification</c> preprocessing (resize
    /// <paramref name="resize"/>, centre crop 224, bilinear, ImageNet mean and std) and its documented accuracy.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="file"/> carries no hash prefix.</exception>
    public static WeightsInfo Torchvision(string model, string tag, string upstream, string file, double top1, double top5, int resize = 256, bool isDefault = false) => new()
    {
        Model = model,
        Tag = tag,
        Url = "https://download.pytorch.org/models/" + file,
        Sha256 = HashPrefixOf(file) ?? throw new ArgumentException($"torchvision file name '{file}' carries no hash prefix", nameof(file)),
        Origin = "torchvision",
        UpstreamName = upstream,
        Licence = "BSD-3-Clause (torchvision); " + ImageNetTerms,
        Classes = 1000,
        ClassList = ImageNet1k,
        Preprocessing = Preprocessing.ImageNet with { ResizeSize = resize },
        ReferenceTop1 = top1,
        ReferenceTop5 = top5,
        AccuracySource = $"torchvision {upstream} weights docs (ImageNet-1k val, resize {resize}, centre crop 224)",
        IsDefault = isDefault,
    };

    /// <summary>
    /// timm's ResNet Strikes Back weights (<c>MODEL.a1_in1k</c>, arXiv:2110.00476) at <paramref name="url"/> (a GitHub
    /// release file whose name carries the SHA-256 prefix), Apache-2.0, ImageNet-1k, evaluated as timm's results table
    /// does: resize 288, centre crop 288 (crop fraction 1.0), bicubic, ImageNet mean and std.
    /// </summary>
    /// <exception cref="ArgumentException">The URL's file name carries no hash prefix.</exception>
    public static WeightsInfo TimmResNetStrikesBack(string model, string tag, string url, double top1, double top5) => new()
    {
        Model = model,
        Tag = tag,
        Url = url,
        Sha256 = HashPrefixOf(url[(url.LastIndexOf('/') + 1)..]) ?? throw new ArgumentException($"timm file '{url}' carries no hash prefix", nameof(url)),
        Origin = "timm",
        UpstreamName = model + "." + tag,
        Licence = "Apache-2.0 (timm model card); " + ImageNetTerms,
        Classes = 1000,
        ClassList = ImageNet1k,
        Preprocessing = Preprocessing.ImageNet with { ResizeSize = 288, CropSize = 288, Interpolation = "bicubic" },
        ReferenceTop1 = top1,
        ReferenceTop5 = top5,
        AccuracySource = "timm results-imagenet.csv (ImageNet-1k val at 288x288, crop fraction 1.0, bicubic)",
    };

    /// <summary>
    /// The hash prefix torch.hub reads from a file name (<c>resnet18-f37072fd.pth</c> -> <c>f37072fd</c>): the hex digits
    /// between the first '-' and the next '.', as <c>torch.hub</c>'s <c>HASH_REGEX</c>; null when there are none.
    /// </summary>
    public static string? HashPrefixOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var m = HashRegex().Match(fileName);
        return m.Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : null;
    }

    [GeneratedRegex("-([a-f0-9]*)\\.")]
    private static partial Regex HashRegex();
}
