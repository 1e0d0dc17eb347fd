using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// What both <c>torch.save</c> formats (<see cref="TorchZipFile"/>, <see cref="LegacyTorchFile"/>) share: the allow-list
/// of globals a state dict needs, the checked arguments of a tensor rebuild, and the flattening of nested dicts.
/// </summary>
internal static class StateDictPickle
{
    /// <summary>True when the file starts with <paramref name="magic"/>; false when it is shorter or cannot be read.</summary>
    public static bool StartsWith(string path, ReadOnlySpan<byte> magic)
    {
        try
        {
            using var fs = File.OpenRead(path);
            Span<byte> head = stackalloc byte[magic.Length];
            return fs.Read(head) == magic.Length && head.SequenceEqual(magic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Opens a torch.save file for reading after the checks both formats share (byte order, the size limit).</summary>
    /// <exception cref="WeightsFileException">The file cannot be opened or is over the limit.</exception>
    public static FileStream Open(string path, WeightsLimits limits)
    {
        if (!BitConverter.IsLittleEndian) throw new WeightsFileException(path, "reading torch.save files needs a little-endian machine");
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsFileException(path, $"cannot be opened: {e.Message}", e);
        }
        if (fs.Length > limits.MaxTotalBytes + limits.MaxHeaderBytes)
        {
            long length = fs.Length;
            fs.Dispose();
            throw new WeightsFileException(path, $"is {length:N0} bytes, more than the {limits.MaxTotalBytes + limits.MaxHeaderBytes:N0}-byte limit");
        }
        return fs;
    }

    /// <summary>The typed storages, by <c>torch.XStorage</c> name.</summary>
    public static readonly IReadOnlyDictionary<string, ScalarType> Storages = new Dictionary<string, ScalarType>(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    /// <summary>A storage a persistent id names: its key, element type and element count.</summary>
    public sealed record StorageRef(string Key, ScalarType Type, long Elements);

    /// <summary>A tensor as a view of a storage, checked to lie inside it.</summary>
    public sealed record View(StorageRef Storage, long Offset, long[] Shape, long[] Strides, long Elements);

    /// <summary>
    /// The globals a state dict needs: <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> (and
    /// <c>_rebuild_tensor</c>, what PyTorch before 0.4 wrote), <c>torch._utils._rebuild_parameter</c>, the typed storages.
    /// </summary>
    public static bool IsAllowed(PickleReader.Global g) => (g.Module, g.Name) switch
    {
        ("collections", "OrderedDict") => true,
        ("torch._utils", "_rebuild_tensor_v2") => true,
        ("torch._utils", "_rebuild_tensor") => true,
        ("torch._utils", "_rebuild_parameter") => true,
        ("torch", var storage) when Storages.ContainsKey(storage) => true,
        _ => false,
    };

    /// <summary>
    /// The value of an allowed call: an empty <c>OrderedDict</c>, a parameter (its tensor), or a tensor rebuilt from a
    /// checked view by <paramref name="makeTensor"/> (a copy now, or a placeholder the caller fills in later).
    /// </summary>
    public static object? Call(PickleReader.Global g, IReadOnlyList<object?> args, int maxRank, PickleReader reader, Func<View, object> makeTensor, Func<object?, bool> isTensor)
    {
        switch (g.Module, g.Name)
        {
            case ("collections", "OrderedDict"):
                if (args.Count != 0) throw reader.Error("OrderedDict is built with arguments; only an empty one is read");
                return new PickleReader.Dict();
            case ("torch._utils", "_rebuild_parameter"):
                if (args.Count is < 1 or > 3 || !isTensor(args[0])) throw reader.Error("_rebuild_parameter without a tensor");
                return args[0];
            case ("torch._utils", "_rebuild_tensor_v2" or "_rebuild_tensor"):
                return makeTensor(Rebuild(g, args, maxRank, reader));
            default:
                throw reader.Error($"calls '{g}', which cannot be called");
        }
    }

    /// <summary>The storage type of a persistent id's type global.</summary>
    public static ScalarType StorageType(object? type, PickleReader reader)
    {
        if (type is not PickleReader.Global g || g.Module != "torch" || !Storages.TryGetValue(g.Name, out var scalar))
            throw reader.Error($"storage type '{type}' is not known");
        return scalar;
    }

    /// <summary>
    /// Checks the arguments of <c>_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])</c>
    /// or <c>_rebuild_tensor(storage, offset, size, stride)</c>: sizes and strides non-negative, no overflow, and every
    /// element inside the storage.
    /// </summary>
    public static View Rebuild(PickleReader.Global function, IReadOnlyList<object?> args, int maxRank, PickleReader reader)
    {
        bool v1 = function.Name == "_rebuild_tensor";
        if ((v1 ? args.Count != 4 : args.Count is < 6 or > 7) || args[0] is not StorageRef storage || args[1] is not long offset ||
            args[2] is not PickleReader.Tuple size || args[3] is not PickleReader.Tuple stride)
            throw reader.Error($"{function.Name} with arguments other than (storage, offset, size, stride{(v1 ? "" : ", requires_grad, hooks")})");
        if (size.Items.Count > maxRank || size.Items.Count != stride.Items.Count)
            throw reader.Error($"tensor of storage '{storage.Key}' has {size.Items.Count} sizes and {stride.Items.Count} strides");
        var shape = new long[size.Items.Count];
        var strides = new long[size.Items.Count];
        long elements = 1, last = offset;
        try
        {
            for (int i = 0; i < shape.Length; i++)
            {
                if (size.Items[i] is not long s || s < 0 || stride.Items[i] is not long st || st < 0)
                    throw reader.Error($"tensor of storage '{storage.Key}' has a negative or non-integer size or stride");
                shape[i] = s;
                strides[i] = st;
                elements = checked(elements * s);
                if (s > 0) last = checked(last + (s - 1) * st);
            }
        }
        catch (OverflowException)
        {
            throw reader.Error($"tensor of storage '{storage.Key}' has a size that overflows");
        }
        if (offset < 0 || (elements > 0 && last >= storage.Elements))
            throw reader.Error($"tensor [{string.Join(", ", shape)}] at offset {offset} reads past the end of storage '{storage.Key}' ({storage.Elements:N0} elements)");
        return new View(storage, offset, shape, strides, elements);
    }

    /// <summary>A contiguous copy of <paramref name="view"/> of <paramref name="data"/> (the whole storage).</summary>
    public static Tensor Materialize(View view, Tensor data) =>
        view.Elements == 0 ? torch.empty(view.Shape, view.Storage.Type) : data.as_strided(view.Shape, view.Strides, view.Offset).contiguous().clone();

    /// <summary>
    /// The tensors of a state dict, keyed by name in the file's order; nested dicts (<c>{"state_dict": {...}}</c>) are
    /// flattened with dotted keys; numbers, strings and None (epoch counters, metadata) are skipped.
    /// </summary>
    public static void Flatten(object? value, string prefix, Dictionary<string, Tensor> into, Func<object?, Tensor?> asTensor, string path, int depth = 0)
    {
        if (depth > 4) throw new WeightsFileException(path, "state dict is nested too deeply");
        if (value is not PickleReader.Dict dict)
            throw new WeightsFileException(path, prefix.Length == 0 ? "does not hold a dict of tensors" : $"'{prefix.TrimEnd('.')}' is neither a tensor nor a dict");
        foreach (var (key, item) in dict.Items)
        {
            if (key is not string name) continue; // non-string keys (e.g. optimizer state ids) are not weights
            string full = prefix + name;
            if (asTensor(item) is Tensor t)
            {
                if (!into.TryAdd(full, t)) throw new WeightsFileException(path, $"key '{full}' appears twice");
            }
            else if (item is PickleReader.Dict)
            {
                Flatten(item, full + ".", into, asTensor, path, depth + 1);
            }
        }
    }
}
