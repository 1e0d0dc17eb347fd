using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelZoo.Tests.Data;

/// <summary>Builds IDX files in memory and locates the shared real data.</summary>
internal static class IdxTestFiles
{
    public static string SharedMnist => TestPaths.MnistSubset;

    public static byte[] Images(uint count, uint rows, uint cols, int payloadBytes = -1, int magic = 0x803)
    {
        long payload = payloadBytes >= 0 ? payloadBytes : (long)count * rows * cols;
        var data = new byte[16 + payload];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(12), cols);
        for (int i = 16; i < data.Length; i++) data[i] = (byte)(i * 7);
        return data;
    }

    public static byte[] Labels(params byte[] labels) => Labels((uint)labels.Length, labels);

    public static byte[] Labels(uint declared, byte[] labels, int magic = 0x801)
    {
        var data = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(data, magic);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), declared);
        labels.CopyTo(data, 8);
        return data;
    }

    public static byte[] Gzip(byte[] raw)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return output.ToArray();
    }

    /// <summary>A gzip stream of <paramref name="header"/> followed by <paramref name="zeros"/> zero bytes.</summary>
    public static byte[] GzipBomb(byte[] header, long zeros)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(header);
            var chunk = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= chunk.Length) gz.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }
        return output.ToArray();
    }

    public static string Write(string dir, string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
