using ModelZoo.Data.Folders;
using ModelZoo.Data.Transforms;

namespace ModelZoo.Training;

/// <summary>How the data of a run is opened (<c>dataOptions</c> in a <see cref="RunSpec"/> and config.json), so a resumed run opens it the same way.</summary>
public sealed record RunDataOptions
{
    /// <summary>
    /// Augmentation preset (<see cref="TransformPresets.Names"/>: <c>none</c>, <c>mnist</c>, <c>imagenet</c>, <c>light</c>,
    /// ...); null: the data set's default preset (<c>mnist</c> for MNIST-like data, <c>imagenet</c> for folders).
    /// config.json records the preset in effect.
    /// </summary>
    public string? Augment { get; init; }

    /// <summary>Fraction held out for validation when the data has no validation split (0: the data set's own split).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Square input size; null: the data set's native size (MNIST-like) or 224. A resumed run keeps the recorded size.</summary>
    public int? ImageSize { get; init; }

    /// <summary>What to do with an undecodable image in an image folder.</summary>
    public OnBadImage OnBadImage { get; init; } = OnBadImage.Fail;

    /// <summary>With <see cref="OnBadImage.Skip"/>: the largest fraction of undecodable images tolerated per split.</summary>
    public double MaxBadFraction { get; init; } = 0.01;

    /// <summary>Loader worker threads; 0 loads in-line; null: the loader's default for the data (in-line for MNIST-like data, one per thread for folders).</summary>
    public int? Workers { get; init; }

    /// <summary>The smallest and largest <see cref="ImageSize"/> accepted.</summary>
    public const int MinImageSize = 8, MaxImageSize = 4096;

    /// <summary>What is wrong with the options (paths under <c>dataOptions.</c>); empty when valid.</summary>
    public IEnumerable<RunSpecProblem> Problems()
    {
        static RunSpecProblem P(string field, string rest) => new("dataOptions." + field, $"{{dataOptions.{field}}} {rest}");
        if (Augment is string a && !TransformPresets.Names.Contains(a, StringComparer.OrdinalIgnoreCase))
            yield return P("augment", $"must be {string.Join(", ", TransformPresets.Names)}, not '{a}'{Spelling.DidYouMean(a, TransformPresets.Names)}");
        if (!(ValidationSplit is >= 0 and < 1)) yield return P("validationSplit", $"must be in [0, 1), got {ValidationSplit}");
        if (ImageSize is int s && s is < MinImageSize or > MaxImageSize) yield return P("imageSize", $"must be between {MinImageSize} and {MaxImageSize}, got {s}");
        if (!Enum.IsDefined(OnBadImage)) yield return P("onBadImage", $"must be fail or skip, not {OnBadImage}");
        if (!(MaxBadFraction is >= 0 and <= 1)) yield return P("maxBadFraction", $"must be in [0, 1], got {MaxBadFraction}");
        if (Workers is < 0) yield return P("workers", $"must be 0 (in-line) or more, got {Workers}");
    }
}
