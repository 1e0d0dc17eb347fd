using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// Reads a state dict saved by <c>torch.save</c> in the format PyTorch wrote before 1.6 (and still writes with
/// <c>_use_new_zipfile_serialization=False</c>): five pickles in a row (the magic number, the format version 1001, the
/// system info, the state dict whose tensors name their storages by persistent id, the list of storage keys), then each
/// storage as an 8-byte element count and its raw bytes. torchvision's older published files (VGG, GoogLeNet) are in this
/// format. As in <see cref="TorchZipFile"/>, the pickles are read by <see cref="PickleReader"/>, which executes nothing
/// and allows only the globals a state dict needs; every storage's count, type and span is checked against the pickle
/// and the file before any tensor is made.
/// </summary>
public static class LegacyTorchFile
{
    /// <summary>The file's first 15 bytes: protocol 2 and the magic number 0x1950a86a20f9469cfc6c.</summary>
    private static readonly byte[] Magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    /// <summary>True when the file starts with the legacy format's magic number.</summary>
    public static bool LooksLikeLegacy(string path) => StateDictPickle.StartsWith(path, Magic);

    /// <summary>Every tensor of the state dict in <paramref name="path"/>, keyed by name in the file's order. The caller owns the tensors.</summary>
    /// <exception cref="WeightsFileException">Not this format, malformed, over a limit, or the pickle asks for anything outside the allow-list.</exception>
    public static Dictionary<string, Tensor> Read(string path, WeightsLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        limits ??= WeightsLimits.Default;
        using (var fs = StateDictPickle.Open(path, limits))
        {
            if (!LooksLikeLegacy(path))
                throw new WeightsFileException(path, "does not start with the magic number of torch.save's legacy format");
            // The pickles are small and at the front; read a growing prefix until they parse.
            long window = Math.Min(fs.Length, 1L << 20);
            while (true)
            {
                var head = new byte[window];
                fs.Position = 0;
                fs.ReadExactly(head);
                var resolver = new Resolver(path, limits);
                int end;
                object? root;
                List<object?> keys;
                try
                {
                    (root, keys, end) = ReadPickles(head, path, resolver);
                }
                catch (WeightsFileException e) when (e.Problem.StartsWith("pickle is truncated", StringComparison.Ordinal) || e.Problem.Contains("runs past the end", StringComparison.Ordinal))
                {
                    long limit = Math.Min(fs.Length, limits.MaxHeaderBytes);
                    if (window >= limit)
                        throw new WeightsFileException(path, window >= fs.Length ? e.Problem : $"its pickles are longer than the {limits.MaxHeaderBytes:N0}-byte limit", e);
                    window = Math.Min(limit, window * 4);
                    continue;
                }
                return Materialize(fs, path, limits, resolver, root, keys, end);
            }
        }
    }

    private static (object? Root, List<object?> Keys, int End) ReadPickles(byte[] head, string path, Resolver resolver)
    {
        int pos = Magic.Length;
        var version = new PickleReader(head, path, resolver, pos);
        if (version.Read() is not 1001L) throw new WeightsFileException(path, "is not torch.save's legacy format version 1001");
        pos = version.Position;
        var sysInfo = new PickleReader(head, path, resolver, pos);
        if (sysInfo.Read() is not PickleReader.Dict info)
            throw new WeightsFileException(path, "has no system-info dict after its version");
        if (info.Items.FirstOrDefault(kv => kv.Key as string == "little_endian").Value is false)
            throw new WeightsFileException(path, "was saved on a big-endian machine; only little-endian files are read");
        pos = sysInfo.Position;
        var main = new PickleReader(head, path, resolver, pos);
        var root = main.Read();
        pos = main.Position;
        var keyReader = new PickleReader(head, path, resolver, pos);
        if (keyReader.Read() is not List<object?> keys || keys.Any(k => k is not string))
            throw new WeightsFileException(path, "the list of storage keys after the state dict is missing or malformed");
        return (root, keys, keyReader.Position);
    }

    private static Dictionary<string, Tensor> Materialize(FileStream fs, string path, WeightsLimits limits, Resolver resolver, object? root, List<object?> keys, long pos)
    {
        // Storages follow the keys, in the keys' order: an 8-byte element count, then the raw elements.
        var spans = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!resolver.Refs.TryGetValue(key, out var storage))
                throw new WeightsFileException(path, $"lists storage '{key}', which no tensor uses");
            if (spans.ContainsKey(key)) throw new WeightsFileException(path, $"lists storage '{key}' twice");
            if (pos + 8 > fs.Length) throw new WeightsFileException(path, $"ends before storage '{key}'");
            fs.Position = pos;
            fs.ReadExactly(count);
            long elements = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (elements != storage.Elements)
                throw new WeightsFileException(path, $"storage '{key}' holds {elements:N0} elements but the state dict says {storage.Elements:N0}");
            long bytes;
            try
            {
                bytes = checked(elements * ElementSize(storage.Type));
                total = checked(total + bytes);
            }
            catch (OverflowException)
            {
                throw new WeightsFileException(path, $"storage '{key}' has a size that overflows");
            }
            if (total > limits.MaxTotalBytes) throw new WeightsFileException(path, $"tensor data exceeds the {limits.MaxTotalBytes:N0}-byte limit");
            if (pos + 8 + bytes > fs.Length)
                throw new WeightsFileException(path, $"storage '{key}' ({bytes:N0} bytes) runs past the end of the file");
            spans[key] = pos + 8;
            pos += 8 + bytes;
        }
        foreach (var key in resolver.Refs.Keys)
            if (!spans.ContainsKey(key)) throw new WeightsFileException(path, $"storage '{key}' is used but not in the file");
        if (pos != fs.Length) throw new WeightsFileException(path, $"has {fs.Length - pos:N0} bytes after its last storage");

        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            Tensor? AsTensor(object? item)
            {
                if (item is not StateDictPickle.View view) return null;
                if (!storages.TryGetValue(view.Storage.Key, out var data))
                {
                    data = torch.empty(view.Storage.Elements, view.Storage.Type);
                    storages.Add(view.Storage.Key, data);
                    fs.Position = spans[view.Storage.Key];
                    fs.ReadExactly(data.bytes);
                }
                return StateDictPickle.Materialize(view, data);
            }
            StateDictPickle.Flatten(root, "", result, AsTensor, path);
            if (result.Count == 0) throw new WeightsFileException(path, "holds no tensors");
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in storages.Values) t.Dispose();
        }
    }

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>The state dict's pickle, deferred: tensors stay views (<see cref="StateDictPickle.View"/>) until the storages are located.</summary>
    private sealed class Resolver(string path, WeightsLimits limits) : IPickleResolver
    {
        public Dictionary<string, StateDictPickle.StorageRef> Refs { get; } = new(StringComparer.Ordinal);

        public bool IsAllowed(PickleReader.Global g) => StateDictPickle.IsAllowed(g);

        public object? Call(PickleReader.Global g, IReadOnlyList<object?> args, PickleReader reader) =>
            StateDictPickle.Call(g, args, limits.MaxRank, reader, view => view, item => item is StateDictPickle.View);

        public void Build(object? target, object? state, PickleReader reader)
        {
            if (target is PickleReader.Dict or StateDictPickle.View) return;
            throw reader.Error("BUILD on an object that is not a dict or tensor");
        }

        public object? PersistentLoad(object? pid, PickleReader reader)
        {
            if (pid is not PickleReader.Tuple { Items: [string kind, var type, string key, string, long elements, var view] } || kind != "storage")
                throw reader.Error("persistent id is not ('storage', type, key, location, size, view)");
            if (view is not null) throw reader.Error($"storage '{key}' is a view of another storage, which a state dict does not need");
            var scalar = StateDictPickle.StorageType(type, reader);
            if (elements < 0) throw reader.Error($"storage '{key}' has a negative size");
            var storage = new StateDictPickle.StorageRef(key, scalar, elements);
            if (Refs.TryGetValue(key, out var seen) && seen != storage)
                throw reader.Error($"storage '{key}' is used with two different types or sizes");
            if (Refs.Count >= limits.MaxTensors && !Refs.ContainsKey(key)) throw new WeightsFileException(path, "holds more storages than the limit");
            Refs[key] = storage;
            return storage;
        }
    }
}
