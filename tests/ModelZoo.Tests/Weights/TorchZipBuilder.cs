using System.IO.Compression;
using System.Text;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// Writes torch.save-format zip files by hand (protocol-2 pickle + raw storages), so a test can declare any storage
/// size, view, stride or key count that PyTorch itself would never write.
/// </summary>
internal static class TorchZipBuilder
{
    /// <summary>One key of the state dict: a float32 view of storage <paramref name="Storage"/>.</summary>
    public sealed record View(string Key, string Storage, long StorageElements, long[] Shape, long[] Stride, long Offset = 0);

    /// <summary>The pickle of an OrderedDict of <c>_rebuild_tensor_v2(FloatStorage, ...)</c> entries, one per view.</summary>
    public static byte[] StateDict(IEnumerable<View> views)
    {
        List<byte[]> parts = [[0x80, 0x02], Global("collections", "OrderedDict"), [(byte)')', (byte)'R', (byte)'(']];
        foreach (var v in views)
        {
            parts.Add(Unicode(v.Key));
            parts.Add(Global("torch._utils", "_rebuild_tensor_v2"));
            parts.Add([(byte)'(', (byte)'(']);
            parts.Add(Unicode("storage"));
            parts.Add(Global("torch", "FloatStorage"));
            parts.Add(Unicode(v.Storage));
            parts.Add(Unicode("cpu"));
            parts.Add(Int(v.StorageElements));
            parts.Add([(byte)'t', (byte)'Q']);
            parts.Add(Int(v.Offset));
            parts.Add(Tuple(v.Shape));
            parts.Add(Tuple(v.Stride));
            parts.Add([0x89]);
            parts.Add(Global("collections", "OrderedDict"));
            parts.Add([(byte)')', (byte)'R', (byte)'t', (byte)'R']);
        }
        parts.Add([(byte)'u', (byte)'.']);
        return parts.SelectMany(p => p).ToArray();
    }

    /// <summary>A zip with <c>archive/data.pkl</c>, <c>archive/byteorder</c> and the given entries, stored uncompressed unless <paramref name="compress"/>.</summary>
    public static string Zip(string path, byte[] pickle, IEnumerable<(string Name, byte[] Data)> storages, bool compress = false)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, data) in new[] { ("archive/data.pkl", pickle), ("archive/byteorder", "little"u8.ToArray()) })
                Write(zip, name, data, CompressionLevel.NoCompression);
            foreach (var (name, data) in storages) Write(zip, "archive/data/" + name, data, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        }
        return path;
    }

    private static void Write(ZipArchive zip, string name, byte[] data, CompressionLevel level)
    {
        using var s = zip.CreateEntry(name, level).Open();
        s.Write(data);
    }

    public static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes($"c{module}\n{name}\n");

    public static byte[] Unicode(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return [(byte)'X', .. BitConverter.GetBytes(utf8.Length), .. utf8];
    }

    /// <summary>BININT1 for small values, else LONG1 with eight little-endian bytes.</summary>
    public static byte[] Int(long v) => v is >= 0 and < 256 ? [(byte)'K', (byte)v] : [0x8a, 8, .. BitConverter.GetBytes(v)];

    private static byte[] Tuple(long[] items) => [(byte)'(', .. items.SelectMany(Int), (byte)'t'];
}
