using ModelZoo.Data.Imaging;

namespace ModelZoo.Data.Folders;

/// <summary>How <see cref="ImageFolder"/> reads an ImageNet-format folder.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Output channels: 3 (RGB) or 1 (grey, ITU-R BT.601 luma). Default 3.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>
    /// Fraction of each class held out for validation when the folder has no <c>train</c>/<c>val</c>
    /// sub-folders (stratified per class, seeded by <see cref="Seed"/>). 0 means no validation set. Default 0.1.
    /// </summary>
    public double ValSplit { get; init; } = 0.1;

    /// <summary>Seed of the validation split. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>What to do with bad files. Default <see cref="Folders.OnBadImage.Fail"/>.</summary>
    public OnBadImage OnBadImage { get; init; } = OnBadImage.Fail;

    /// <summary>Largest tolerated fraction of bad files (per split) with <see cref="Folders.OnBadImage.Skip"/>. Default 0.01 (1%).</summary>
    public double MaxBadFraction { get; init; } = 0.01;

    /// <summary>Follow symbolic links to folders and files. Default false. Loops are detected either way.</summary>
    public bool FollowSymlinks { get; init; }

    /// <summary>
    /// Check every file at load time (format, truncation, header size limits; no pixel decoding). Always done
    /// with <see cref="Folders.OnBadImage.Skip"/>; with <see cref="Folders.OnBadImage.Fail"/> it makes a bad file
    /// fail at load rather than mid-epoch. Default true.
    /// </summary>
    public bool Preflight { get; init; } = true;

    /// <summary>
    /// File-name extensions (case-insensitive, with the dot) that are taken as image candidates; other files are
    /// ignored. The format itself is always detected from the content. Null means every non-hidden file.
    /// </summary>
    public IReadOnlyCollection<string>? Extensions { get; init; } =
        [".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"];

    /// <summary>Decoder limits and policy; its <see cref="ImageDecodeOptions.Channels"/> is overridden by <see cref="Channels"/>.</summary>
    public ImageDecodeOptions Decode { get; init; } = new();
}
