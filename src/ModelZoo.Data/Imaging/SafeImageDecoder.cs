using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelZoo.Data.Imaging;

/// <summary>
/// Decodes untrusted image files into <see cref="FloatImage"/>s with ImageSharp 2.1.13, defensively:
/// the format is detected from the content and must be enabled in <see cref="ImageDecodeOptions.Formats"/>;
/// truncated JPEG/PNG/GIF files are rejected (ImageSharp would decode them silently with grey rows);
/// the header is read first and width, height, pixel count and aspect ratio are checked before any pixel
/// is decoded; a JPEG's scans are counted (at most <see cref="ImageDecodeOptions.MaxJpegScans"/>) before a decoder is
/// chosen; ImageSharp's allocator has a per-buffer limit; and at most
/// <see cref="ImageDecodeOptions.MaxConcurrentDecodes"/> decodes run at once. Every failure is a
/// <see cref="BadImageException"/> naming the file. Thread-safe.
/// </summary>
/// <remarks>
/// Conversion rule: every image is decoded to 8-bit RGB first. Grey images give R = G = B; palette images are
/// expanded; 16-bit samples are rounded to 8 bits; alpha is dropped (colour channels kept as stored, like
/// PIL's <c>convert("RGB")</c>, not composited); CMYK/YCCK JPEGs go through ImageSharp's colour converter
/// (no ICC profile). For 1-channel output the grey value is the ITU-R BT.601 luma
/// (0.299 R + 0.587 G + 0.114 B, rounded to 8 bits, as PIL's <c>convert("L")</c>). Values are then divided by 255.
/// </remarks>
public sealed class SafeImageDecoder : IDisposable
{
    private static readonly float[] ByteToFloat = BuildLut();

    private readonly Configuration _configuration;
    private readonly SemaphoreSlim _gate;
    private readonly bool _turbo;

    /// <summary>Creates a decoder with the given limits and policy.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SafeImageDecoder(ImageDecodeOptions? options = null)
    {
        Options = options ?? new ImageDecodeOptions();
        if (Options.Channels is not (1 or 3))
            throw new ArgumentException($"channels must be 1 or 3, got {Options.Channels}", nameof(options));
        if (Options.MaxConcurrentDecodes < 1)
            throw new ArgumentException("MaxConcurrentDecodes must be at least 1", nameof(options));
        if (Options.MaxWidth < 1 || Options.MaxHeight < 1 || Options.MaxPixels < 1 || Options.MaxAspectRatio < 1)
            throw new ArgumentException("size limits must be positive (aspect ratio at least 1)", nameof(options));
        if (Options.Jpeg == JpegBackend.LibJpegTurbo && !LibJpegTurbo.IsAvailable)
            throw new ModelZooDataException("libjpeg-turbo was requested (ImageDecodeOptions.Jpeg = LibJpegTurbo) but libturbojpeg.so.0 could not be loaded (Debian: apt-get install libturbojpeg0; MODELZOO_JPEG_DECODER=imagesharp also disables it)");
        _turbo = Options.Jpeg != JpegBackend.ImageSharp && (Options.Formats & ImageFormats.Jpeg) != 0 && LibJpegTurbo.IsAvailable;
        _configuration = BuildConfiguration(Options);
        _gate = new SemaphoreSlim(Options.MaxConcurrentDecodes, Options.MaxConcurrentDecodes);
    }

    /// <summary>The options in force.</summary>
    public ImageDecodeOptions Options { get; }

    /// <summary>The library that decodes JPEGs here: <see cref="JpegBackend.LibJpegTurbo"/> or <see cref="JpegBackend.ImageSharp"/> (never Auto).</summary>
    public JpegBackend ActiveJpegBackend => _turbo ? JpegBackend.LibJpegTurbo : JpegBackend.ImageSharp;

    /// <summary>True when the system's libjpeg-turbo (<c>libturbojpeg.so.0</c>) can be loaded and is not disabled by <c>MODELZOO_JPEG_DECODER=imagesharp</c>.</summary>
    public static bool LibJpegTurboAvailable => LibJpegTurbo.IsAvailable;

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <exception cref="BadImageException">The file is missing, unreadable, not an enabled image format, truncated, over a limit or undecodable.</exception>
    public FloatImage Decode(string path)
    {
        byte[] bytes = ReadFile(path);
        return Decode(bytes, path);
    }

    /// <summary>Decodes an in-memory file; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="BadImageException">The content is not an enabled image format, truncated, over a limit or undecodable.</exception>
    public FloatImage Decode(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ImageHeader header = Preflight(bytes, name, out bool turbo);
        _gate.Wait();
        try
        {
            if (turbo) return DecodeTurbo(bytes, name, header);
            using Image<Rgb24> image = LoadPixels(bytes, name);
            if (Options.AutoOrient)
            {
                image.Mutate(x => x.AutoOrient());
            }

            if (!Options.AutoOrient && (image.Width != header.Width || image.Height != header.Height))
                throw new BadImageException(name, $"decoded size {image.Width}x{image.Height} differs from the header's {header.Width}x{header.Height}");
            return ToFloat(image, Options.Channels);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The preflight: reads the file, detects the format from its content, checks that the format is enabled,
    /// that the file is not truncated, and that the header's size is within the limits. Decodes no pixels.
    /// </summary>
    /// <exception cref="BadImageException">The file fails one of the checks.</exception>
    public ImageHeader Inspect(string path) => InspectBytes(ReadFile(path), path);

    /// <summary>The preflight of <see cref="Inspect"/> on an in-memory file.</summary>
    /// <exception cref="BadImageException">The content fails one of the checks.</exception>
    public ImageHeader InspectBytes(byte[] bytes, string name) => Preflight(bytes, name, out _);

    /// <summary>The preflight; <paramref name="turbo"/> says whether libjpeg-turbo read the header and should decode the pixels.</summary>
    private ImageHeader Preflight(byte[] bytes, string name, out bool turbo)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        turbo = false;
        if (bytes.Length == 0)
            throw new BadImageException(name, "empty file (0 bytes)");
        if (bytes.Length > Options.MaxFileBytes)
            throw new BadImageException(name, $"file is {bytes.Length} bytes, over the {Options.MaxFileBytes}-byte limit");
        ImageFormats format = DetectFormat(bytes);
        if (format == ImageFormats.None)
            throw new BadImageException(name, DescribeUnknown(bytes));
        if ((Options.Formats & format) == 0)
            throw new BadImageException(name, $"format {format.ToString().ToUpperInvariant()} not enabled (enable it in ImageDecodeOptions.Formats; only JPEG and PNG are on by default)");
        if (Options.DetectTruncation && !HasEndMarker(bytes, format))
            throw new BadImageException(name, $"truncated {format.ToString().ToUpperInvariant()}: {EndMarkerName(format)} not found");
        if (format == ImageFormats.Jpeg && Options.MaxJpegScans > 0 && CountJpegScans(bytes, Options.MaxJpegScans + 1) > Options.MaxJpegScans)
            throw new BadImageException(name, $"JPEG with more than {Options.MaxJpegScans} scans (start-of-scan markers), over the limit; each scan is a pass over the image, so this is refused before decoding");

        if (_turbo && format == ImageFormats.Jpeg && !Options.AutoOrient
            && LibJpegTurbo.TryReadHeader(bytes, out int tw, out int th, out int colorspace)
            && colorspace is not (LibJpegTurbo.ColorspaceCmyk or LibJpegTurbo.ColorspaceYcck))
        {
            // A header libjpeg-turbo cannot read (or a CMYK/YCCK image, which it cannot convert to RGB) goes
            // through ImageSharp below, which decodes it or raises the typed error.
            CheckSize(name, tw, th);
            turbo = true;
            return new ImageHeader(format, tw, th);
        }

        IImageInfo? info;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            info = Image.Identify(_configuration, stream);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BadImageException(name, $"unreadable {format.ToString().ToUpperInvariant()} header: {ex.Message}", ex);
        }

        if (info is null)
            throw new BadImageException(name, $"unreadable {format.ToString().ToUpperInvariant()} header");
        CheckSize(name, info.Width, info.Height);
        return new ImageHeader(format, info.Width, info.Height);
    }

    /// <summary>The container format of a file from its first bytes (magic numbers), or <see cref="ImageFormats.None"/>.</summary>
    public static ImageFormats DetectFormat(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return ImageFormats.Jpeg;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ImageFormats.Png;
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return ImageFormats.Gif;
        if (head.StartsWith("BM"u8) && head.Length >= 14) return ImageFormats.Bmp;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || head.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A])) return ImageFormats.Tiff;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8)) return ImageFormats.Webp;
        return ImageFormats.None;
    }

    /// <summary>
    /// The number of start-of-scan markers (FF DA) in a JPEG, counting no further than <paramref name="stopAt"/>. Every
    /// FF DA is counted, wherever it is: entropy-coded data never holds one (a data byte FF is followed by 00), so
    /// this never counts fewer scans than a decoder would run (an embedded thumbnail's scans count too). One pass
    /// over the bytes, no allocation.
    /// </summary>
    public static int CountJpegScans(ReadOnlySpan<byte> jpeg, int stopAt = int.MaxValue)
    {
        int count = 0;
        ReadOnlySpan<byte> sos = [0xFF, 0xDA];
        while (count < stopAt)
        {
            int at = jpeg.IndexOf(sos);
            if (at < 0) break;
            count++;
            jpeg = jpeg[(at + 2)..];
        }
        return count;
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private byte[] ReadFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > Options.MaxFileBytes)
                throw new BadImageException(path, $"file is {length} bytes, over the {Options.MaxFileBytes}-byte limit");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadImageException(path, $"cannot read: {ex.Message}", ex);
        }
    }

    private FloatImage DecodeTurbo(byte[] bytes, string name, ImageHeader header)
    {
        int n = checked(header.Width * header.Height * 3);
        byte[] rgb = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            string? error = LibJpegTurbo.DecodeRgb(bytes, rgb, header.Width, header.Height);
            if (error is not null)
                throw new BadImageException(name, $"decoder error (libjpeg-turbo): {error}");
            return ToFloat(rgb.AsSpan(0, n), header.Width, header.Height, Options.Channels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    private Image<Rgb24> LoadPixels(byte[] bytes, string name)
    {
        try
        {
            return Image.Load<Rgb24>(_configuration, bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BadImageException(name, $"decoder error: {ex.Message}", ex);
        }
    }

    private void CheckSize(string name, int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new BadImageException(name, $"invalid size {width}x{height}");
        if (width > Options.MaxWidth || height > Options.MaxHeight)
            throw new BadImageException(name, $"size {width}x{height} over the limit of {Options.MaxWidth}x{Options.MaxHeight}");
        long pixels = (long)width * height;
        if (pixels > Options.MaxPixels)
            throw new BadImageException(name, $"size {width}x{height} = {pixels} pixels, over the limit of {Options.MaxPixels}");
        double aspect = (double)Math.Max(width, height) / Math.Min(width, height);
        if (aspect > Options.MaxAspectRatio)
            throw new BadImageException(name, $"size {width}x{height} has aspect ratio {aspect:0.#}:1, over the limit of {Options.MaxAspectRatio:0.#}:1");
    }

    private static FloatImage ToFloat(Image<Rgb24> image, int channels)
    {
        int w = image.Width, h = image.Height, n = w * h;
        if (image.DangerousTryGetSinglePixelMemory(out Memory<Rgb24> pixels))
        {
            // Small and medium images live in one contiguous buffer: read it in place.
            return ToFloat(MemoryMarshal.AsBytes(pixels.Span), w, h, channels);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(n * 3);
        try
        {
            image.CopyPixelDataTo(rented.AsSpan(0, n * 3));
            return ToFloat(rented.AsSpan(0, n * 3), w, h, channels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Packed 8-bit RGB to planar floats in [0, 1] (or BT.601 luma for one channel).</summary>
    private static FloatImage ToFloat(ReadOnlySpan<byte> src, int w, int h, int channels)
    {
        int n = w * h;
        ref float lut = ref MemoryMarshal.GetArrayDataReference(ByteToFloat);
        ref byte rgb = ref MemoryMarshal.GetReference(src[..(3 * n)]);
        if (channels == 3)
        {
            var data = GC.AllocateUninitializedArray<float>(3 * n);
            ref float r = ref MemoryMarshal.GetArrayDataReference(data);
            ref float g = ref Unsafe.Add(ref r, n);
            ref float b = ref Unsafe.Add(ref r, 2 * n);
            for (int i = 0, j = 0; i < n; i++, j += 3)
            {
                Unsafe.Add(ref r, i) = Unsafe.Add(ref lut, Unsafe.Add(ref rgb, j));
                Unsafe.Add(ref g, i) = Unsafe.Add(ref lut, Unsafe.Add(ref rgb, j + 1));
                Unsafe.Add(ref b, i) = Unsafe.Add(ref lut, Unsafe.Add(ref rgb, j + 2));
            }

            return new FloatImage(3, h, w, data);
        }
        else
        {
            var data = GC.AllocateUninitializedArray<float>(n);
            for (int i = 0, j = 0; i < n; i++, j += 3)
            {
                // ITU-R BT.601 luma in 16.16 fixed point, rounded (as PIL's convert("L")).
                int luma = (Unsafe.Add(ref rgb, j) * 19595 + Unsafe.Add(ref rgb, j + 1) * 38470 + Unsafe.Add(ref rgb, j + 2) * 7471 + 0x8000) >> 16;
                data[i] = Unsafe.Add(ref lut, luma);
            }

            return new FloatImage(1, h, w, data);
        }
    }

    private static bool HasEndMarker(ReadOnlySpan<byte> bytes, ImageFormats format)
    {
        switch (format)
        {
            case ImageFormats.Jpeg:
            {
                // Entropy-coded data never contains FF D9 (0xFF is stuffed), so an EOI after the last
                // start-of-scan means the last scan was complete. Trailing bytes after EOI are tolerated.
                int sos = bytes.LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
                if (sos < 0) return false;
                return bytes[sos..].IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
            }

            case ImageFormats.Png:
            {
                // Zero-length IEND chunk: 00 00 00 00 'I' 'E' 'N' 'D'; look in the last 4 KiB (tolerates padding).
                var tail = bytes[Math.Max(0, bytes.Length - 4096)..];
                return tail.LastIndexOf((ReadOnlySpan<byte>)[0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44]) >= 0;
            }

            case ImageFormats.Gif:
            {
                var tail = bytes[Math.Max(0, bytes.Length - 64)..];
                int end = tail.Length;
                while (end > 0 && tail[end - 1] == 0) end--;
                return end > 0 && tail[end - 1] == 0x3B;
            }

            default:
                return true;
        }
    }

    private static string EndMarkerName(ImageFormats format) => format switch
    {
        ImageFormats.Jpeg => "end-of-image marker (FF D9) after the last scan",
        ImageFormats.Png => "IEND chunk",
        ImageFormats.Gif => "trailer byte (3B)",
        _ => "end marker",
    };

    private static string DescribeUnknown(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, 512)];
        int start = 0;
        while (start < head.Length && head[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF) start++;
        if (start < head.Length && head[start] == (byte)'<')
            return "not an image: looks like HTML/XML text (a download error page?)";
        bool text = true;
        foreach (byte b in head)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B))
            {
                text = false;
                break;
            }
        }

        string magic = Convert.ToHexString(head[..Math.Min(head.Length, 8)]);
        return text ? "not an image: looks like a text file" : $"not a recognised image format (first bytes {magic})";
    }

    private static Configuration BuildConfiguration(ImageDecodeOptions options)
    {
        var modules = new List<IConfigurationModule>();
        ImageFormats f = options.Formats;
        if (f.HasFlag(ImageFormats.Jpeg)) modules.Add(new JpegConfigurationModule());
        if (f.HasFlag(ImageFormats.Png)) modules.Add(new PngConfigurationModule());
        if (f.HasFlag(ImageFormats.Bmp)) modules.Add(new BmpConfigurationModule());
        if (f.HasFlag(ImageFormats.Tiff)) modules.Add(new TiffConfigurationModule());
        if (f.HasFlag(ImageFormats.Gif)) modules.Add(new GifConfigurationModule());
        if (f.HasFlag(ImageFormats.Webp)) modules.Add(new WebpConfigurationModule());
        var configuration = new Configuration(modules.ToArray())
        {
            // One image per worker thread: parallelism comes from the loader, not from inside a decode.
            MaxDegreeOfParallelism = 1,
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                MaximumPoolSizeMegabytes = 64,
                AllocationLimitMegabytes = options.AllocationLimitMegabytes,
            }),
        };
        bool ignore = !options.AutoOrient;
        if (f.HasFlag(ImageFormats.Jpeg)) configuration.ImageFormatsManager.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = ignore });
        if (f.HasFlag(ImageFormats.Png)) configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = ignore });
        if (f.HasFlag(ImageFormats.Gif)) configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { IgnoreMetadata = ignore, DecodingMode = FrameDecodingMode.First });
        if (f.HasFlag(ImageFormats.Tiff)) configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { IgnoreMetadata = ignore, DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    private static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = i / 255f;
        return lut;
    }
}
