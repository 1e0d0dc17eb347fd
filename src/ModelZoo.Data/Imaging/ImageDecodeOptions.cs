namespace ModelZoo.Data.Imaging;

/// <summary>
/// Limits and policy for <see cref="SafeImageDecoder"/>. The size limits are checked from the image header
/// (ImageSharp's <c>Identify</c>, or libjpeg-turbo's header reader for JPEGs) before any pixel is decoded.
/// </summary>
/// <param name="Channels">3 for RGB output, 1 for grey (ITU-R BT.601 luma of the RGB pixels).</param>
public sealed record ImageDecodeOptions(int Channels = 3)
{
    /// <summary>Formats that may be decoded; default JPEG and PNG. Others are riskier opt-ins (see <see cref="ImageFormats"/>).</summary>
    public ImageFormats Formats { get; init; } = ImageFormats.Default;

    /// <summary>Largest accepted width in pixels (default 16384).</summary>
    public int MaxWidth { get; init; } = 16384;

    /// <summary>Largest accepted height in pixels (default 16384).</summary>
    public int MaxHeight { get; init; } = 16384;

    /// <summary>Largest accepted width x height (default 64 megapixels).</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest accepted ratio of the longer to the shorter side (default 100, i.e. 100:1).</summary>
    public double MaxAspectRatio { get; init; } = 100.0;

    /// <summary>Largest accepted file size in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Apply the EXIF orientation tag (rotate/flip the pixels upright). Default false, like torchvision/PIL,
    /// which ignore it; when false all metadata is ignored by the decoders.
    /// </summary>
    public bool AutoOrient { get; init; }

    /// <summary>
    /// Most decodes that may run at once in one decoder (default: the processor count, at most 8). Peak decode
    /// memory is about this many times 16 bytes per pixel of the largest accepted image.
    /// </summary>
    public int MaxConcurrentDecodes { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Largest single buffer the ImageSharp allocator will hand out, in MiB (default 512).</summary>
    public int AllocationLimitMegabytes { get; init; } = 512;

    /// <summary>
    /// Which library decodes JPEGs (default <see cref="JpegBackend.Auto"/>: libjpeg-turbo when installed, about twice
    /// as fast as ImageSharp and pixel-identical to PIL's decode; ImageSharp otherwise). CMYK/YCCK JPEGs and
    /// <see cref="AutoOrient"/> always go through ImageSharp.
    /// </summary>
    public JpegBackend Jpeg { get; init; } = JpegBackend.Auto;

    /// <summary>
    /// Most scans (start-of-scan markers) a JPEG may have (default 500, libjpeg-turbo's own limit for progressive
    /// files); 0 turns the check off. Each scan costs a pass over the image in any decoder, so a small file that
    /// repeats one scan thousands of times is a CPU-exhaustion trick. Counted before a decoder is chosen, so it holds
    /// for every JPEG (CMYK ones, which ImageSharp decodes, included).
    /// </summary>
    public int MaxJpegScans { get; init; } = 500;

    /// <summary>Check that JPEG files end with the EOI marker and PNG files with the IEND chunk (default true).</summary>
    public bool DetectTruncation { get; init; } = true;
}
