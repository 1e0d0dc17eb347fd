namespace ModelZoo.Data.Folders;

/// <summary>The outcome of <see cref="ImageFolder.Load"/>.</summary>
/// <param name="Train">The training set.</param>
/// <param name="Val">The validation set; null when the folder has no <c>val</c> folder and the split fraction is 0.</param>
/// <param name="ClassNames">Class names (NFC, ordinal order); a label indexes this list. Shared by both sets.</param>
/// <param name="HasTrainValFolders">True when the folder had <c>train</c> and <c>val</c> sub-folders; false when split.</param>
public sealed record ImageFolderResult(
    ImageFolderDataset Train,
    ImageFolderDataset? Val,
    IReadOnlyList<string> ClassNames,
    bool HasTrainValFolders)
{
    /// <summary>All files left out (train and val) with the reason.</summary>
    public IReadOnlyList<SkippedImage> Skipped =>
        Val is null ? Train.Skipped : Train.Skipped.Concat(Val.Skipped).ToList();
}
