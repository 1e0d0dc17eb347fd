using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// Reads a PyTorch state dict saved with <c>torch.save</c> in the zip format (the default since PyTorch 1.6): an
/// archive <c>NAME/data.pkl</c> (the pickled dict), <c>NAME/data/KEY</c> (one raw storage per key) and
/// <c>NAME/byteorder</c>. The pickle is never executed: <see cref="PickleReader"/> accepts only the opcodes and the
/// globals a state dict needs (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>torch._utils._rebuild_parameter</c> and the typed storages) and refuses anything else, naming it. Sizes,
/// counts, offsets and strides are checked against the archive before any tensor is made: a storage's declared size
/// must be what its (uncompressed) entry holds, and what every view materialises is counted against
/// <see cref="WeightsLimits.MaxTotalBytes"/> and <see cref="WeightsLimits.MaxViewExpansion"/> before it is allocated,
/// so memory stays within a few times the file's size.
/// </summary>
public static class TorchZipFile
{
    /// <summary>True when the file starts like a zip archive (the <c>torch.save</c> format since PyTorch 1.6).</summary>
    public static bool LooksLikeZip(string path) => StateDictPickle.StartsWith(path, "PK\u0003\u0004"u8);

    /// <summary>
    /// Reads every tensor of the state dict in <paramref name="path"/>, keyed by name in the file's order (nested
    /// dicts such as <c>{"state_dict": {...}}</c> are flattened with dotted keys). The caller owns the tensors.
    /// </summary>
    /// <exception cref="WeightsFileException">The file is not a readable torch.save zip, breaks a limit, or the pickle asks for anything outside the allow-list.</exception>
    public static Dictionary<string, Tensor> Read(string path, WeightsLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        limits ??= WeightsLimits.Default;
        using (var fs = StateDictPickle.Open(path, limits))
        {
            if (!LooksLikeZip(path))
                throw new WeightsFileException(path, "is not a zip archive (the torch.save format of PyTorch 1.6 and later); for the older format use LegacyTorchFile (PretrainedWeights.Read chooses)");
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (InvalidDataException e)
            {
                throw new WeightsFileException(path, $"is not a readable zip archive: {e.Message}", e);
            }
            using (zip)
            {
                var resolver = new StateDictResolver(path, zip, limits);
                try
                {
                    return resolver.Run();
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    resolver.DisposeAll();
                    throw new WeightsFileException(path, $"archive is corrupt: {e.Message}", e);
                }
                catch
                {
                    resolver.DisposeAll();
                    throw;
                }
                finally
                {
                    resolver.DisposeStorages();
                }
            }
        }
    }

    private sealed class StateDictResolver(string path, ZipArchive zip, WeightsLimits limits) : IPickleResolver
    {
        private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
        private readonly List<Tensor> _made = new();
        private string _prefix = "";
        private long _storageBytes;
        private long _viewBytes;

        public Dictionary<string, Tensor> Run()
        {
            if (zip.Entries.Count > limits.MaxTensors + 16)
                throw new WeightsFileException(path, $"archive holds {zip.Entries.Count:N0} entries, more than the limit");
            ZipArchiveEntry? pickle = null;
            foreach (var entry in zip.Entries)
            {
                string name = entry.FullName;
                if (name.Length == 0 || name.StartsWith('/') || name.Contains('\\') || name.Contains(':') ||
                    name.Split('/').Any(part => part is ".." or "."))
                    throw new WeightsFileException(path, $"archive entry '{name}' has a path outside the archive; refused");
                if (entry.Length < 0 || entry.Length > limits.MaxTotalBytes)
                    throw new WeightsFileException(path, $"archive entry '{name}' claims {entry.Length:N0} bytes, more than the limit");
                if (name.EndsWith("/data.pkl", StringComparison.Ordinal) && name.Count(c => c == '/') == 1)
                {
                    if (pickle is not null) throw new WeightsFileException(path, "archive holds more than one data.pkl");
                    pickle = entry;
                }
            }
            if (pickle is null) throw new WeightsFileException(path, "archive has no NAME/data.pkl: not a torch.save file");
            _prefix = pickle.FullName[..^"data.pkl".Length];
            if (zip.GetEntry(_prefix + "byteorder") is { } order)
            {
                string text = System.Text.Encoding.ASCII.GetString(ReadEntry(order, 16)).Trim();
                if (text != "little") throw new WeightsFileException(path, $"was saved with byte order '{text}'; only little-endian files are read");
            }
            if (pickle.Length > limits.MaxHeaderBytes)
                throw new WeightsFileException(path, $"data.pkl is {pickle.Length:N0} bytes, more than the {limits.MaxHeaderBytes:N0}-byte limit");
            var reader = new PickleReader(ReadEntry(pickle, limits.MaxHeaderBytes), path, this);
            var root = reader.Read();
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            StateDictPickle.Flatten(root, "", result, item => item as Tensor, path);
            if (result.Count == 0) throw new WeightsFileException(path, "holds no tensors");
            var kept = new HashSet<Tensor>(result.Values, ReferenceEqualityComparer.Instance);
            foreach (var t in _made)
                if (!kept.Contains(t)) t.Dispose();
            _made.Clear();
            return result;
        }

        public void DisposeAll()
        {
            foreach (var t in _made) t.Dispose();
            _made.Clear();
        }

        public void DisposeStorages()
        {
            foreach (var t in _storages.Values) t.Dispose();
            _storages.Clear();
        }

        public bool IsAllowed(PickleReader.Global g) => StateDictPickle.IsAllowed(g);

        public object? Call(PickleReader.Global g, IReadOnlyList<object?> args, PickleReader reader) =>
            StateDictPickle.Call(g, args, limits.MaxRank, reader, view => Materialize(view, reader), item => item is Tensor);

        public void Build(object? target, object? state, PickleReader reader)
        {
            // OrderedDict state carries the state dict's _metadata (module versions); tensors carry nothing we need.
            if (target is PickleReader.Dict or Tensor) return;
            throw reader.Error("BUILD on an object that is not a dict or tensor");
        }

        public object? PersistentLoad(object? pid, PickleReader reader)
        {
            if (pid is not PickleReader.Tuple { Items: [string kind, PickleReader.Global type, string key, string, long elements] } || kind != "storage")
                throw reader.Error("persistent id is not ('storage', type, key, location, size)");
            var scalar = StateDictPickle.StorageType(type, reader);
            if (elements < 0) throw reader.Error($"storage '{key}' has a negative size");
            return new StateDictPickle.StorageRef(key, scalar, elements);
        }

        private Tensor Materialize(StateDictPickle.View view, PickleReader reader)
        {
            var data = Storage(view.Storage, reader);
            long bytes;
            try { bytes = checked(view.Elements * ElementSize(view.Storage.Type)); }
            catch (OverflowException) { throw reader.Error($"tensor of storage '{view.Storage.Key}' has a size that overflows"); }
            string shape = string.Join(", ", view.Shape);
            // What the view materialises is counted before it is allocated: every key is a copy of its own, so a
            // stride-0 broadcast or many keys viewing one storage cost their full size, not the storage's.
            _viewBytes += bytes;
            if (_viewBytes > limits.MaxTotalBytes)
                throw reader.Error($"its tensors would take {_viewBytes:N0} bytes in memory, more than the {limits.MaxTotalBytes:N0}-byte limit (tensor [{shape}] of storage '{view.Storage.Key}')");
            if (_viewBytes > limits.MaxViewExpansion * Math.Max(_storageBytes, 1))
                throw reader.Error($"its tensors would take {_viewBytes:N0} bytes in memory from {_storageBytes:N0} bytes of stored data, more than {limits.MaxViewExpansion:0.#} times (tensor [{shape}] with strides [{string.Join(", ", view.Strides)}] views storage '{view.Storage.Key}'); a state dict saved by torch.save never expands its storages like this");
            var tensor = StateDictPickle.Materialize(view, data);
            _made.Add(tensor);
            return tensor;
        }

        private Tensor Storage(StateDictPickle.StorageRef storage, PickleReader reader)
        {
            if (_storages.TryGetValue(storage.Key, out var cached))
            {
                if (cached.dtype != storage.Type || cached.numel() != storage.Elements)
                    throw reader.Error($"storage '{storage.Key}' is used with two different types or sizes");
                return cached;
            }
            var entry = zip.GetEntry(_prefix + "data/" + storage.Key)
                ?? throw reader.Error($"storage '{storage.Key}' has no data/{storage.Key} entry in the archive");
            // Every size is checked against the archive before anything is allocated: the declared element count
            // must be what the entry holds, the entry must be stored uncompressed (as torch.save writes it), so it
            // is never larger than the file, and the total must stay under the limit.
            long need;
            try
            {
                need = checked(storage.Elements * ElementSize(storage.Type));
            }
            catch (OverflowException)
            {
                throw reader.Error($"storage '{storage.Key}' declares {storage.Elements:N0} elements, a size that overflows");
            }
            if (entry.Length != need)
                throw reader.Error($"storage '{storage.Key}' holds {entry.Length:N0} bytes but its {storage.Elements:N0} elements need {need:N0}");
            if (entry.CompressedLength != entry.Length)
                throw reader.Error($"storage '{storage.Key}' is compressed in the archive; torch.save stores storages uncompressed, and only such files are read");
            if (need > int.MaxValue)
                throw reader.Error($"storage '{storage.Key}' is {need:N0} bytes; storages over 2 GiB are not read");
            if (_storageBytes + need > limits.MaxTotalBytes)
                throw reader.Error($"tensor data exceeds the {limits.MaxTotalBytes:N0}-byte limit");
            var tensor = torch.empty(storage.Elements, storage.Type);
            _storages.Add(storage.Key, tensor);
            _storageBytes += need;
            var span = tensor.bytes;
            using var s = entry.Open();
            s.ReadExactly(span);
            return tensor;
        }

        private static long ElementSize(ScalarType type) => type switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };

        private byte[] ReadEntry(ZipArchiveEntry entry, long max)
        {
            if (entry.Length > max) throw new WeightsFileException(path, $"archive entry '{entry.FullName}' is larger than {max:N0} bytes");
            var buffer = new byte[entry.Length];
            using var s = entry.Open();
            s.ReadExactly(buffer);
            return buffer;
        }
    }
}
