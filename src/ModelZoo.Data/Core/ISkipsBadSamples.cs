namespace ModelZoo.Data;

/// <summary>
/// A data set whose samples may be dropped when they fail to decode (an image folder under
/// <see cref="Folders.OnBadImage.Skip"/>). <see cref="DataLoader"/> leaves such a sample out of its batch and reports
/// it here, on the consumer's thread and in batch order, so the record and the limit check are the same whatever the
/// worker count or thread timing.
/// </summary>
public interface ISkipsBadSamples
{
    /// <summary>True when a sample that fails to decode is to be dropped rather than fail the epoch.</summary>
    bool SkipsBadSamples { get; }

    /// <summary>Records sample <paramref name="index"/> as bad (once per file); called in batch order.</summary>
    /// <exception cref="Folders.ImageFolderException">Too many of the set's files are now bad (over its <c>MaxBadFraction</c>).</exception>
    void RecordBadSample(int index, Imaging.BadImageException error);
}
