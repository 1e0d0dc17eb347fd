namespace ModelZoo.Data.Imaging;

/// <summary>
/// Image container formats the safe decoder can be allowed to decode. Only <see cref="Jpeg"/> and
/// <see cref="Png"/> are enabled by default: ImageSharp 2.1.13 has known, unfixed decoder bugs in BMP and TIFF,
/// so every other format is an explicit, riskier opt-in.
/// </summary>
[Flags]
public enum ImageFormats
{
    /// <summary>No format.</summary>
    None = 0,

    /// <summary>JPEG (baseline and progressive; grey, YCbCr, CMYK and YCCK).</summary>
    Jpeg = 1,

    /// <summary>PNG (any bit depth, palette, alpha).</summary>
    Png = 2,

    /// <summary>Windows bitmap. Opt-in: known decoder bugs in ImageSharp 2.1.13.</summary>
    Bmp = 4,

    /// <summary>TIFF. Opt-in: known decoder bugs in ImageSharp 2.1.13.</summary>
    Tiff = 8,

    /// <summary>GIF; only the first frame is decoded. Opt-in.</summary>
    Gif = 16,

    /// <summary>WebP. Opt-in.</summary>
    Webp = 32,

    /// <summary>The defaults: JPEG and PNG.</summary>
    Default = Jpeg | Png,

    /// <summary>Every format the decoder knows.</summary>
    All = Jpeg | Png | Bmp | Tiff | Gif | Webp,
}
