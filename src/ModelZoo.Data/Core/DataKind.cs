namespace ModelZoo.Data;

/// <summary>What kind of data a spec resolved to; picks transform presets and evaluation sizes.</summary>
public enum DataKind
{
    /// <summary>Small grey images in the MNIST layout (MNIST, Fashion-MNIST, mnist-sample, a folder of IDX files).</summary>
    MnistLike,

    /// <summary>An ImageNet-format folder of encoded images (one sub-folder per class).</summary>
    Folder,
}
