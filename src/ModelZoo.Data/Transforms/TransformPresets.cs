namespace ModelZoo.Data.Transforms;

/// <summary>
/// Ready-made pipelines, chosen by data kind and model input size, looked up by name for the CLI's
/// <c>--augment PRESET|none</c>. Every pipeline ends with <see cref="Normalize"/>.
/// </summary>
/// <remarks>
/// Names: <c>none</c> (no augmentation: the evaluation pipeline), <c>mnist</c> (rotation ±10°, shift ±10%, zoom
/// 0.9–1.1 in one affine pass; no flip, digits are not symmetric), <c>imagenet</c> (RandomResizedCrop + horizontal
/// flip), <c>light</c> (random crop with 1/8 padding + flip, for small natural images such as CIFAR),
/// <c>strong</c> (imagenet + ColorJitter 0.4/0.4/0.4/0.1 + RandomErasing 0.25), <c>randaugment</c> (imagenet +
/// RandAugment 2 ops at magnitude 9 of 31), <c>trivialaugment</c> (imagenet + TrivialAugmentWide): torchvision's
/// reference <c>ClassificationPresetTrain</c> with <c>--auto-augment ra</c> / <c>ta_wide</c>.
/// </remarks>
public static class TransformPresets
{
    /// <summary>The preset names accepted by <see cref="Train"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "mnist", "imagenet", "light", "strong", "randaugment", "trivialaugment"];

    /// <summary>
    /// MNIST-like training: rotation ±10°, translation ±10%, zoom 0.9–1.1 (one bilinear affine pass, fill 0), no flip;
    /// then resized to <paramref name="size"/> x <paramref name="size"/> when given, then normalised (default MNIST statistics).
    /// </summary>
    public static ITransform MnistTrain(int? size = null, Normalization? normalization = null)
    {
        var list = new List<ITransform> { new RandomAffine(10, 0.1, 0.9, 1.1) };
        if (size is int s) list.Add(new Resize(s, s));
        list.Add(new Normalize(normalization ?? Normalization.Mnist));
        return new Compose(list);
    }

    /// <summary>ImageNet training: RandomResizedCrop(size) + RandomHorizontalFlip(0.5) + Normalize (default ImageNet statistics).</summary>
    public static ITransform ImageNetTrain(int size = 224, Normalization? normalization = null) =>
        new Compose(
            new RandomResizedCrop(size),
            new RandomHorizontalFlip(),
            new Normalize(normalization ?? Normalization.ImageNet));

    /// <summary>
    /// Evaluation: resize the shorter side to round(size * 256 / 224) and centre-crop <paramref name="size"/> (the
    /// standard 256→224 protocol), then normalise. With <paramref name="small"/> (MNIST-sized images) the image is only
    /// resized to exactly size x size, which is a no-op at the native size.
    /// </summary>
    public static ITransform Eval(int size = 224, Normalization? normalization = null, bool small = false)
    {
        var norm = new Normalize(normalization ?? Normalization.ImageNet);
        if (small) return new Compose(new Resize(size, size), norm);
        int resize = (int)Math.Round(size * 256.0 / 224.0, MidpointRounding.AwayFromZero);
        return new Compose(new Resize(resize), new CenterCrop(size), norm);
    }

    /// <summary>Light augmentation for small natural images: RandomCrop(size, padding size/8) + flip + Normalize.</summary>
    public static ITransform Light(int size, Normalization? normalization = null) =>
        new Compose(
            new Resize(size, size),
            new RandomCrop(size, Math.Max(1, size / 8)),
            new RandomHorizontalFlip(),
            new Normalize(normalization ?? Normalization.ImageNet));

    /// <summary>Strong augmentation: ImageNet training + ColorJitter(0.4, 0.4, 0.4, 0.1) + RandomErasing(0.25).</summary>
    public static ITransform Strong(int size = 224, Normalization? normalization = null) =>
        new Compose(
            new RandomResizedCrop(size),
            new RandomHorizontalFlip(),
            new ColorJitter(0.4, 0.4, 0.4, 0.1),
            new Normalize(normalization ?? Normalization.ImageNet),
            new RandomErasing(0.25));

    /// <summary>RandomResizedCrop(size) + flip + RandAugment(2, 9, 31 bins) + Normalize (torchvision's reference preset with <c>ra</c>).</summary>
    public static ITransform RandAugmentTrain(int size = 224, Normalization? normalization = null) =>
        new Compose(
            new RandomResizedCrop(size),
            new RandomHorizontalFlip(),
            new RandAugment(),
            new Normalize(normalization ?? Normalization.ImageNet));

    /// <summary>RandomResizedCrop(size) + flip + TrivialAugmentWide(31 bins) + Normalize (torchvision's reference preset with <c>ta_wide</c>).</summary>
    public static ITransform TrivialAugmentTrain(int size = 224, Normalization? normalization = null) =>
        new Compose(
            new RandomResizedCrop(size),
            new RandomHorizontalFlip(),
            new TrivialAugmentWide(),
            new Normalize(normalization ?? Normalization.ImageNet));

    /// <summary>
    /// The training pipeline named <paramref name="name"/> (case-insensitive; see <see cref="Names"/>) for model
    /// input <paramref name="size"/>; <paramref name="small"/> marks MNIST-sized data (affects <c>none</c>).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ITransform Train(string name, int size, Normalization normalization, bool small = false) =>
        name.Trim().ToLowerInvariant() switch
        {
            "none" => Eval(size, normalization, small),
            "mnist" => MnistTrain(size, normalization),
            "imagenet" => ImageNetTrain(size, normalization),
            "light" => Light(size, normalization),
            "strong" => Strong(size, normalization),
            "randaugment" => RandAugmentTrain(size, normalization),
            "trivialaugment" => TrivialAugmentTrain(size, normalization),
            _ => throw new ArgumentException($"unknown augmentation preset '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };

    /// <summary>The default preset name for a data kind: <c>mnist</c> for small (MNIST-like) images, else <c>imagenet</c>.</summary>
    public static string DefaultName(bool small) => small ? "mnist" : "imagenet";
}
