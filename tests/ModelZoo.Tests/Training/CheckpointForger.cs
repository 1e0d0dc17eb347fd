using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelZoo.Tests.Training;

/// <summary>
/// Edits a checkpoint as an attacker would: the JSON header and any section's bytes, then the section offsets and the
/// SHA-256 recomputed, so the file passes the content check and only the validation of its fields stands in the way.
/// </summary>
internal static class CheckpointForger
{
    public static string Forge(string source, string target, Action<JsonObject>? header = null, Func<string, byte[], byte[]>? section = null)
    {
        byte[] file = File.ReadAllBytes(source);
        int n = file.Length;
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(n - 40, 8));
        int headerStart = (int)(n - 40 - headerLength);
        var json = JsonNode.Parse(file.AsSpan(headerStart, (int)headerLength))!.AsObject();
        using var output = new MemoryStream();
        output.Write(file, 0, 8);
        foreach (var s in json["sections"]!.AsArray().Select(s => s!.AsObject()))
        {
            string name = (string)s["name"]!;
            byte[] bytes = file.AsSpan((int)(long)s["offset"]!, (int)(long)s["length"]!).ToArray();
            if (section is not null) bytes = section(name, bytes);
            s["offset"] = output.Position;
            s["length"] = bytes.Length;
            output.Write(bytes);
        }
        header?.Invoke(json);
        byte[] text = Encoding.UTF8.GetBytes(json.ToJsonString());
        output.Write(text);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, text.Length);
        output.Write(length);
        output.Write(SHA256.HashData(output.ToArray()));
        File.WriteAllBytes(target, output.ToArray());
        return target;
    }

    /// <summary>A one-tensor blob as the checkpoint writes it: dtype (int32), rank (int32), shape (int64s), byte length (int64), data.</summary>
    public static byte[] TensorBlob(int dtype, long[] shape, byte[] data)
    {
        using var s = new MemoryStream();
        using var w = new BinaryWriter(s);
        w.Write(dtype);
        w.Write(shape.Length);
        foreach (long d in shape) w.Write(d);
        w.Write((long)data.Length);
        w.Write(data);
        w.Flush();
        return s.ToArray();
    }

    /// <summary>The offset, in a state-dict section, of the first tensor's first dimension.</summary>
    public static int FirstDimensionOffset(byte[] section)
    {
        using var r = new BinaryReader(new MemoryStream(section));
        r.ReadInt32(); // count
        r.ReadString(); // name
        r.ReadInt32(); // dtype
        r.ReadInt32(); // rank
        return (int)r.BaseStream.Position;
    }
}
