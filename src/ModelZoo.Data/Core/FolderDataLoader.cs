namespace ModelZoo.Data;

/// <summary>
/// Loads an ImageNet-format folder (<c>DIR/train/&lt;class&gt;</c> + <c>DIR/val/&lt;class&gt;</c>, or <c>DIR/&lt;class&gt;</c> split by
/// <see cref="DataOptions.ValSplit"/>). <see cref="DataSpec.LoadImageFolder"/> is the default;
/// a caller passes a replacement in <see cref="DataOptions.FolderLoader"/>.
/// </summary>
/// <param name="directory">The folder named by the spec (full path).</param>
/// <param name="options">The resolve options (validation split, seed, ...).</param>
public delegate DataSplit FolderDataLoader(string directory, DataOptions options);
