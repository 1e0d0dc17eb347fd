using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ModelZoo.Data.Imaging;

/// <summary>
/// The system's libjpeg-turbo (Debian <c>libturbojpeg0</c>: <c>libturbojpeg.so.0</c>, TurboJPEG API 2.x), bound by
/// <see cref="NativeLibrary"/> at first use; absent, <see cref="IsAvailable"/> is false and nothing else is touched.
/// Handles are pooled (a TurboJPEG handle is not thread-safe; one per concurrent decode). Only decoding is bound.
/// </summary>
/// <remarks>
/// Flags: the default accurate integer DCT and fancy upsampling (what PIL uses, so pixels equal PIL's decode with
/// the same libjpeg-turbo), <c>TJFLAG_STOPONWARNING</c> (corrupt data is an error, not grey blocks) and
/// <c>TJFLAG_LIMITSCANS</c> (a progressive JPEG with more than 500 scans, a known CPU-exhaustion trick, is refused).
/// </remarks>
internal static unsafe class LibJpegTurbo
{
    private const int PixelFormatRgb = 0; // TJPF_RGB
    private const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING
    private const int FlagLimitScans = 32768; // TJFLAG_LIMITSCANS

    /// <summary>TJCS_CMYK and TJCS_YCCK: libjpeg-turbo cannot convert these to RGB.</summary>
    internal const int ColorspaceCmyk = 3, ColorspaceYcck = 4;

    private static readonly Lazy<Api?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentBag<IntPtr> Handles = new();

    /// <summary>True when <c>libturbojpeg.so.0</c> (or the platform's equivalent) loaded and exports the decode API.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Reads the JPEG header: size and colour space. False when libjpeg-turbo cannot read it.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> jpeg, out int width, out int height, out int colorspace)
    {
        Api api = Loaded.Value ?? throw new InvalidOperationException("libjpeg-turbo is not available");
        IntPtr handle = Rent(api);
        try
        {
            int w, h, subsampling, cs;
            int rc;
            fixed (byte* src = jpeg)
            {
                rc = api.DecompressHeader3(handle, src, new CULong((nuint)jpeg.Length), &w, &h, &subsampling, &cs);
            }

            width = w;
            height = h;
            colorspace = cs;
            return rc == 0;
        }
        finally
        {
            Handles.Add(handle);
        }
    }

    /// <summary>Decodes to packed 8-bit RGB rows (<paramref name="width"/> x 3 bytes each) in <paramref name="rgb"/>.</summary>
    /// <returns>Null on success, else libjpeg's message.</returns>
    public static string? DecodeRgb(ReadOnlySpan<byte> jpeg, Span<byte> rgb, int width, int height)
    {
        Api api = Loaded.Value ?? throw new InvalidOperationException("libjpeg-turbo is not available");
        if (width <= 0 || height <= 0 || rgb.Length < checked(width * height * 3))
            throw new ArgumentException("output buffer smaller than width x height x 3", nameof(rgb));
        IntPtr handle = Rent(api);
        try
        {
            int rc;
            fixed (byte* src = jpeg)
            fixed (byte* dst = rgb)
            {
                rc = api.Decompress2(handle, src, new CULong((nuint)jpeg.Length), dst, width, width * 3, height, PixelFormatRgb, FlagStopOnWarning | FlagLimitScans);
            }

            return rc == 0 ? null : Message(api, handle);
        }
        finally
        {
            Handles.Add(handle);
        }
    }

    private static IntPtr Rent(Api api)
    {
        if (Handles.TryTake(out IntPtr handle)) return handle;
        handle = api.InitDecompress();
        if (handle == IntPtr.Zero) throw new OutOfMemoryException("tjInitDecompress failed");
        return handle;
    }

    private static string Message(Api api, IntPtr handle)
    {
        byte* text = api.GetErrorStr2(handle);
        return text is null ? "unknown libjpeg-turbo error" : Marshal.PtrToStringUTF8((IntPtr)text) ?? "unknown libjpeg-turbo error";
    }

    private static Api? Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("MODELZOO_JPEG_DECODER"), "imagesharp", StringComparison.OrdinalIgnoreCase))
            return null;
        string[] names = OperatingSystem.IsWindows() ? ["turbojpeg.dll"]
            : OperatingSystem.IsMacOS() ? ["libturbojpeg.0.dylib", "libturbojpeg.dylib"]
            : ["libturbojpeg.so.0"];
        foreach (string name in names)
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr lib)) continue;
            if (NativeLibrary.TryGetExport(lib, "tjInitDecompress", out IntPtr init)
                && NativeLibrary.TryGetExport(lib, "tjDecompressHeader3", out IntPtr header)
                && NativeLibrary.TryGetExport(lib, "tjDecompress2", out IntPtr decompress)
                && NativeLibrary.TryGetExport(lib, "tjGetErrorStr2", out IntPtr errorString))
            {
                return new Api(
                    (delegate* unmanaged[Cdecl]<IntPtr>)init,
                    (delegate* unmanaged[Cdecl]<IntPtr, byte*, CULong, int*, int*, int*, int*, int>)header,
                    (delegate* unmanaged[Cdecl]<IntPtr, byte*, CULong, byte*, int, int, int, int, int, int>)decompress,
                    (delegate* unmanaged[Cdecl]<IntPtr, byte*>)errorString);
            }

            NativeLibrary.Free(lib);
        }

        return null;
    }

    private sealed class Api(
        delegate* unmanaged[Cdecl]<IntPtr> initDecompress,
        delegate* unmanaged[Cdecl]<IntPtr, byte*, CULong, int*, int*, int*, int*, int> decompressHeader3,
        delegate* unmanaged[Cdecl]<IntPtr, byte*, CULong, byte*, int, int, int, int, int, int> decompress2,
        delegate* unmanaged[Cdecl]<IntPtr, byte*> getErrorStr2)
    {
        public IntPtr InitDecompress() => initDecompress();

        public int DecompressHeader3(IntPtr h, byte* src, CULong size, int* w, int* hgt, int* sub, int* cs) => decompressHeader3(h, src, size, w, hgt, sub, cs);

        public int Decompress2(IntPtr h, byte* src, CULong size, byte* dst, int w, int pitch, int hgt, int pf, int flags) => decompress2(h, src, size, dst, w, pitch, hgt, pf, flags);

        public byte* GetErrorStr2(IntPtr h) => getErrorStr2(h);
    }
}
