using ModelZoo.Data.Folders;

namespace ModelZoo.Training;

/// <summary>How the data of a run is opened: recorded in config.json (<c>extras</c>) so a resumed run opens it the same way.</summary>
public sealed record RunDataOptions
{
    /// <summary>
    /// Augmentation preset ("none", "light", "mnist", "imagenet", ...); null: the data set's default preset. config.json
    /// records the preset in effect; reading it back, the default presets ("mnist", "imagenet") become null again.
    /// </summary>
    public string? Augment { get; init; }

    /// <summary>Fraction held out for validation when the data has no validation split (0: the data set's own split).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>What to do with an undecodable image in an image folder.</summary>
    public OnBadImage OnBadImage { get; init; } = OnBadImage.Fail;

    /// <summary>Square input size; null: the data set's native size (MNIST-like) or 224. A resumed run keeps the recorded size.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Loader worker threads; null: the loader's default for the data (not recorded: a property of the machine).</summary>
    public int? Workers { get; init; }
}
