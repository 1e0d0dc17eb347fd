namespace ModelZoo.Data.Folders;

/// <summary>What to do with an image file that fails the preflight (see <see cref="Imaging.SafeImageDecoder.Inspect"/>).</summary>
public enum OnBadImage
{
    /// <summary>Stop with a <see cref="Imaging.BadImageException"/> naming the file and the reason.</summary>
    Fail,

    /// <summary>Drop the file, record it in <see cref="ImageFolderDataset.Skipped"/>; more than <see cref="ImageFolderOptions.MaxBadFraction"/> bad is still an error.</summary>
    Skip,
}
