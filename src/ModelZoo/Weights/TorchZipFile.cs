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
/// counts, offsets and strides are checked against the archive before any tensor is made.
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
                catch (InvalidDataException e)
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
            var tensor = StateDictPickle.Materialize(view, Storage(view.Storage, reader));
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
            var tensor = torch.empty(storage.Elements, storage.Type);
            _storages.Add(storage.Key, tensor);
            var span = tensor.bytes;
            if (entry.Length != span.Length)
                throw reader.Error($"storage '{storage.Key}' holds {entry.Length:N0} bytes but its {storage.Elements:N0} elements need {span.Length:N0}");
            _storageBytes += span.Length;
            if (_storageBytes > limits.MaxTotalBytes)
                throw reader.Error($"tensor data exceeds the {limits.MaxTotalBytes:N0}-byte limit");
            using var s = entry.Open();
            s.ReadExactly(span);
            return tensor;
        }

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
