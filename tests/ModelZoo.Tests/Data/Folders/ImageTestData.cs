using System.Buffers.Binary;
using System.IO.Compression;
using ModelZoo.Data;
using ModelZoo.Data.Imaging;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>Locates the shared real images and builds small bad-file fixtures at run time.</summary>
internal static class ImageTestData
{
    public static string RepoRoot => TestPaths.RepoRoot;

    public static string Imagenette => TestPaths.Imagenette;

    public static void RequireImagenette() => _ = TestPaths.Imagenette;

    /// <summary>All real JPEGs of a split, ordinal order.</summary>
    public static string[] RealJpegs(string split = "train")
    {
        RequireImagenette();
        return Directory.GetFiles(Path.Combine(Imagenette, split), "*.JPEG", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
    }

    public static FloatImage RealImage(int index = 0, int channels = 3) =>
        new SafeImageDecoder(new ImageDecodeOptions(channels)).Decode(RealJpegs()[index]);

    /// <summary>The first MNIST digit (28x28, 1 channel, in [0, 1]) read with the product's IDX reader.</summary>
    public static FloatImage FirstMnistDigit()
    {
        var (train, _) = MnistFiles.Load(TestPaths.MnistSubset, MnistFamily.Mnist.ClassNames);
        var raw = train.RawImage(0);
        var pixels = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++) pixels[i] = raw[i] / 255f;
        return new FloatImage(1, 28, 28, pixels);
    }

    /// <summary>Number of colour components in a JPEG's SOF header (1 = greyscale).</summary>
    public static int JpegComponents(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length;)
        {
            if (jpeg[i] != 0xFF) { i++; continue; }
            byte marker = jpeg[i + 1];
            if (marker is 0xC0 or 0xC1 or 0xC2) return jpeg[i + 9];
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            int len = (jpeg[i + 2] << 8) | jpeg[i + 3];
            i += 2 + len;
        }

        return -1;
    }

    /// <summary>A PNG with the given IHDR and IDAT payload (already zlib-compressed), correct CRCs.</summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colorType, byte[] idat)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IDAT", idat);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>zlib stream of <paramref name="count"/> zero bytes, produced in chunks (a decompression bomb payload).</summary>
    public static byte[] ZlibZeros(long count)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (long left = count; left > 0; left -= zeros.Length) z.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }

        return ms.ToArray();
    }

    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "modelzoo-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32(typeBytes, data);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    private static uint Crc32(byte[] a, byte[] b)
    {
        uint c = 0xFFFFFFFF;
        foreach (var arr in new[] { a, b })
        {
            foreach (byte x in arr)
            {
                c ^= x;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
        }

        return ~c;
    }
}
